/**
 * The policies every new Mesh gets (Kuma 2.14 pkg/defaults/mesh): names, specs,
 * skipCreatingInitialPolicies, and the labels the CP computes for them per mode.
 */
import { describe, expect, it } from 'vitest';
import { ResourceManager } from '../../../internal/core/resource-manager';
import type { LabelContext } from '../../../internal/core/labels';
import { defaultMeshPolicies } from '../../../internal/core/mesh-defaults';
import { fromRest } from '../../../internal/resources/codec';
import { registerAll } from '../../../internal/resources/types';
import { Registry } from '../../../internal/resources/registry';
import { MemoryStore } from '../../../internal/store/memory-store';

const managerFor = (ctx: LabelContext) => {
  const store = new MemoryStore();
  const registry = new Registry();
  registerAll(registry);
  return { store, registry, manager: new ResourceManager({ store, registry, ctx, unsafeDelete: false, readOnly: false }) };
};
const POLICY_TYPES = ['MeshTimeout', 'MeshCircuitBreaker', 'MeshRetry'];
const policiesOf = (store: MemoryStore, mesh: string) => POLICY_TYPES.flatMap((t) => store.list(t, { mesh }).items);

describe('default mesh policies', () => {
  it('are the four Kuma 2.14 creates, gateway MeshTimeout included, with its values', () => {
    const list = defaultMeshPolicies('default', {});
    expect(list.map((r) => `${r.type}/${r.name}`).sort()).toEqual([
      'MeshCircuitBreaker/mesh-circuit-breaker-all-default',
      'MeshRetry/mesh-retry-all-default',
      'MeshTimeout/mesh-gateways-timeout-all-default',
      'MeshTimeout/mesh-timeout-all-default',
    ]);
    const gw = list.find((r) => r.name === 'mesh-gateways-timeout-all-default')!;
    expect(gw.spec).toEqual({
      targetRef: { kind: 'Mesh', proxyTypes: ['Gateway'] },
      from: [{ targetRef: { kind: 'Mesh' }, default: { idleTimeout: '5m', http: { streamIdleTimeout: '5s', requestHeadersTimeout: '500ms' } } }],
      to: [{ targetRef: { kind: 'Mesh' }, default: { idleTimeout: '1h', http: { streamIdleTimeout: '5s' } } }],
    });
    expect(list.find((r) => r.name === 'mesh-timeout-all-default')!.spec.targetRef).toEqual({ kind: 'Mesh', proxyTypes: ['Sidecar'] });
  });

  it('every default passes its type validation', () => {
    const { registry } = managerFor({ mode: 'global', federated: false, zoneName: '' });
    for (const r of defaultMeshPolicies('m1', {})) expect(registry.mustByName(r.type).validate(r.spec), r.name).toEqual([]);
  });

  it('skipCreatingInitialPolicies drops a type (both MeshTimeouts go together) or all with "*"', () => {
    expect(defaultMeshPolicies('m', { skipCreatingInitialPolicies: ['MeshTimeout'] }).map((r) => r.name).sort()).toEqual(['mesh-circuit-breaker-all-m', 'mesh-retry-all-m']);
    expect(defaultMeshPolicies('m', { skipCreatingInitialPolicies: ['*'] })).toEqual([]);
  });

  it('a Mesh applied with skipCreatingInitialPolicies gets only the others, its signing key in any case', async () => {
    const { store, registry, manager } = managerFor({ mode: 'global', federated: false, zoneName: '' });
    await manager.upsert(fromRest(registry, { type: 'Mesh', name: 'm1', skipCreatingInitialPolicies: ['MeshRetry'] }));
    expect(policiesOf(store, 'm1').map((p) => p.name).sort()).toEqual(['mesh-circuit-breaker-all-m1', 'mesh-gateways-timeout-all-m1', 'mesh-timeout-all-m1']);
    await manager.upsert(fromRest(registry, { type: 'Mesh', name: 'm2', skipCreatingInitialPolicies: ['*'] }));
    expect(policiesOf(store, 'm2')).toEqual([]);
    expect(store.list('Secret', { mesh: 'm2' }).items.map((s) => s.name)).toEqual(['dataplane-token-signing-key-m2-1']);
  });

  it('on a global they carry only the mesh label', async () => {
    const { store, manager } = managerFor({ mode: 'global', federated: false, zoneName: '' });
    await manager.createMesh('default');
    const ps = policiesOf(store, 'default');
    expect(ps).toHaveLength(4);
    for (const p of ps) expect(p.labels).toEqual({ 'kuma.io/mesh': 'default' });
  });

  it('on a zone CP they are labelled as an API write would be: origin zone, the zone, env', async () => {
    const { store, manager } = managerFor({ mode: 'zone', federated: false, zoneName: 'zone-1' });
    await manager.createMesh('default');
    const ps = policiesOf(store, 'default');
    expect(ps).toHaveLength(4);
    for (const p of ps) expect(p.labels).toEqual({ 'kuma.io/mesh': 'default', 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1', 'kuma.io/env': 'universal' });
  });

  it('boot-time relabelling heals defaults stored without labels and never recreates deleted ones', async () => {
    const { store, manager } = managerFor({ mode: 'zone', federated: false, zoneName: 'zone-1' });
    await store.create({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {} });
    const [timeout, retry] = defaultMeshPolicies('default', {}).filter((r) => r.name === 'mesh-timeout-all-default' || r.name === 'mesh-retry-all-default');
    await store.create({ ...timeout!, labels: {} });
    await store.create({ ...retry!, labels: { 'kuma.io/mesh': 'default', 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1', 'kuma.io/env': 'universal' } });
    expect(await manager.relabelMeshDefaults()).toBe(1);
    expect(store.get({ type: 'MeshTimeout', mesh: 'default', name: 'mesh-timeout-all-default' })!.labels).toMatchObject({ 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1' });
    expect(policiesOf(store, 'default')).toHaveLength(2);
    expect(await manager.relabelMeshDefaults()).toBe(0);
  });
});
