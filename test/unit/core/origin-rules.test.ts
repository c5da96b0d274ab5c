/**
 * Who may write a targetRef policy where (Kuma's REST label rules, spec §2.5 and
 * kuma-kds-xds.md §1.9): a federated zone takes it only labelled `kuma.io/origin: zone`
 * and never edits a global-synced copy; the global never edits a zone's copy;
 * `multizone.zone.disableOriginLabelValidation` lifts the origin checks only.
 */
import { describe, expect, it } from 'vitest';
import type { LabelContext } from '../../../internal/core/labels';
import { ResourceManager } from '../../../internal/core/resource-manager';
import { ValidationError } from '../../../internal/errors';
import { fromRest } from '../../../internal/resources/codec';
import { registerAll } from '../../../internal/resources/types';
import { MemoryStore } from '../../../internal/store/memory-store';

const registry = registerAll();
const FEDERATED: LabelContext = { mode: 'zone', federated: true, zoneName: 'zone-1' };
const GLOBAL: LabelContext = { mode: 'global', federated: false, zoneName: '' };
const STANDALONE: LabelContext = { mode: 'zone', federated: false, zoneName: 'zone-1' };

async function setup(ctx: LabelContext) {
  const store = new MemoryStore();
  await store.create({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {} });
  return { store, manager: new ResourceManager({ store, registry, ctx, unsafeDelete: false, readOnly: false }) };
}
const timeout = (name: string, labels: Record<string, string> = {}) =>
  fromRest(registry, { type: 'MeshTimeout', mesh: 'default', name, labels, spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'Mesh' }, default: { idleTimeout: '30s' } }] } });
async function violations(p: Promise<unknown>): Promise<{ field: string; message: string }[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ValidationError) return e.violations;
    throw e;
  }
  return [];
}
const ORIGIN_ZONE = [{ field: 'labels["kuma.io/origin"]', message: "the origin label must be set to 'zone'" }];
const ORIGIN_GLOBAL = [{ field: 'labels["kuma.io/origin"]', message: "the origin label must be set to 'global'" }];

describe('targetRef policies on a federated zone', () => {
  it('without kuma.io/origin: zone (absent or global) the write is refused with Kuma\'s text and nothing is stored', async () => {
    const { store, manager } = await setup(FEDERATED);
    expect(await violations(manager.upsert(timeout('t')))).toEqual(ORIGIN_ZONE);
    expect(await violations(manager.upsert(timeout('t', { 'kuma.io/origin': 'global' })))).toEqual(ORIGIN_ZONE);
    expect(store.get({ type: 'MeshTimeout', mesh: 'default', name: 't' })).toBeUndefined();
  });

  it('with it the policy is stored with the zone labels KDS sends up', async () => {
    const { manager } = await setup(FEDERATED);
    const { created, resource } = await manager.upsert(timeout('t', { 'kuma.io/origin': 'zone' }));
    expect(created).toBe(true);
    expect(resource.labels).toEqual({ 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1', 'kuma.io/env': 'universal', 'kuma.io/mesh': 'default' });
  });

  it('a kuma.io/zone label naming another zone is refused', async () => {
    const { manager } = await setup(FEDERATED);
    expect(await violations(manager.upsert(timeout('t', { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-2' })))).toEqual([{ field: 'labels["kuma.io/zone"]', message: 'kuma.io/zone label should have zone-1 value' }]);
  });

  it('a copy synced from the global can be neither updated nor deleted', async () => {
    const { store, manager } = await setup(FEDERATED);
    await store.create({ type: 'MeshTimeout', mesh: 'default', name: 'g-abc', labels: { 'kuma.io/origin': 'global', 'kuma.io/display-name': 'g' }, spec: {} });
    expect(await violations(manager.upsert(timeout('g-abc', { 'kuma.io/origin': 'zone' })))).toEqual(ORIGIN_ZONE);
    expect(await violations(manager.delete(registry.mustByName('MeshTimeout'), { type: 'MeshTimeout', mesh: 'default', name: 'g-abc' }))).toEqual(ORIGIN_ZONE);
    expect(store.get({ type: 'MeshTimeout', mesh: 'default', name: 'g-abc' })!.labels['kuma.io/origin']).toBe('global');
  });

  it('a name that would not fit the global as <zone>.<name> is refused (Kuma: the length of the name must be shorter)', async () => {
    const { manager } = await setup(FEDERATED);
    const longest = 'a'.repeat(253 - 'zone-1.'.length - 1);
    expect(await violations(manager.upsert(timeout(longest, { 'kuma.io/origin': 'zone' })))).toEqual([]);
    expect(await violations(manager.upsert(timeout(`${longest}b`, { 'kuma.io/origin': 'zone' })))).toEqual([{ field: 'name', message: 'the length of the name must be shorter' }]);
  });

  it('disableOriginLabelValidation: no origin needed (it is computed as zone), global copies editable; the zone label rule stands', async () => {
    const { store, manager } = await setup({ ...FEDERATED, disableOriginLabelValidation: true });
    const { resource } = await manager.upsert(timeout('t'));
    expect(resource.labels).toMatchObject({ 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1' });
    await store.create({ type: 'MeshTimeout', mesh: 'default', name: 'g-abc', labels: { 'kuma.io/origin': 'global' }, spec: {} });
    await manager.delete(registry.mustByName('MeshTimeout'), { type: 'MeshTimeout', mesh: 'default', name: 'g-abc' });
    expect(store.get({ type: 'MeshTimeout', mesh: 'default', name: 'g-abc' })).toBeUndefined();
    expect(await violations(manager.upsert(timeout('u', { 'kuma.io/zone': 'zone-2' })))).toEqual([{ field: 'labels["kuma.io/zone"]', message: 'kuma.io/zone label should have zone-1 value' }]);
  });
});

describe('the origin label value', () => {
  it('only global or zone exist (Kuma ResourceOrigin.IsValid), on every CP, escape hatch or not', async () => {
    const unknown = { field: 'labels["kuma.io/origin"]', message: 'unknown resource origin "remote"' };
    expect(await violations((await setup(STANDALONE)).manager.upsert(timeout('t', { 'kuma.io/origin': 'remote' })))).toEqual([unknown]);
    expect(await violations((await setup(FEDERATED)).manager.upsert(timeout('t', { 'kuma.io/origin': 'remote' })))).toEqual([unknown, ...ORIGIN_ZONE]);
    expect(await violations((await setup(GLOBAL)).manager.upsert(timeout('t', { 'kuma.io/origin': 'remote' })))).toEqual([unknown, ...ORIGIN_GLOBAL]);
    expect(await violations((await setup({ ...FEDERATED, disableOriginLabelValidation: true })).manager.upsert(timeout('t', { 'kuma.io/origin': 'remote' })))).toEqual([unknown]);
  });
});

describe('targetRef policies elsewhere', () => {
  it('a non-federated zone needs no origin label (and labels the policy as its own)', async () => {
    const { manager } = await setup(STANDALONE);
    expect((await manager.upsert(timeout('t'))).resource.labels).toMatchObject({ 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1' });
  });

  it('the global refuses an origin other than global, and never edits or deletes a zone\'s copy', async () => {
    const { store, manager } = await setup(GLOBAL);
    expect(await violations(manager.upsert(timeout('t', { 'kuma.io/origin': 'zone' })))).toEqual(ORIGIN_GLOBAL);
    expect((await manager.upsert(timeout('t', { 'kuma.io/origin': 'global' }))).created).toBe(true);
    await store.create({ type: 'MeshTimeout', mesh: 'default', name: 'local-abc', labels: { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1' }, spec: {} });
    expect(await violations(manager.upsert(timeout('local-abc')))).toEqual(ORIGIN_GLOBAL);
    expect(await violations(manager.delete(registry.mustByName('MeshTimeout'), { type: 'MeshTimeout', mesh: 'default', name: 'local-abc' }))).toEqual(ORIGIN_GLOBAL);
    expect(store.get({ type: 'MeshTimeout', mesh: 'default', name: 'local-abc' })).toBeDefined();
  });
});
