import { describe, expect, it } from 'vitest';
import type { Resource } from '../../../internal/resources/model';
import { registry } from '../../../internal/resources/types/index';
import { planSync } from '../../../internal/kds/sync-plan';
import type { KdsResource } from '../../../internal/kds/wire';

const mtp = registry.mustByName('MeshTrafficPermission');
const spec = (action = 'Allow') => ({ targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action } }] });
const stored = (name: string, s = spec(), version = 1): Resource => ({
  type: 'MeshTrafficPermission', mesh: 'default', name, version, creationTime: '', modificationTime: '', labels: { 'kuma.io/origin': 'global' }, spec: s,
});
const incoming = (name: string, s: Record<string, unknown> = spec()): KdsResource => ({ type: 'MeshTrafficPermission', mesh: 'default', name, labels: { 'kuma.io/origin': 'global' }, spec: s });

describe('planSync', () => {
  it('a full state creates, updates and deletes to match upstream', () => {
    const plan = planSync(mtp, [stored('keep'), stored('change'), stored('gone')], { full: true, resources: [incoming('keep'), incoming('change', spec('Deny')), incoming('new')], removed: [] }, () => undefined);
    expect(plan.rejected).toEqual([]);
    expect(plan.ops.map((o) => `${o.op}:${o.op === 'delete' ? o.key.name : o.resource.name}`)).toEqual(['update:change', 'create:new', 'delete:gone']);
  });

  it('an incremental batch deletes only what it names', () => {
    const plan = planSync(mtp, [stored('a'), stored('b')], { full: false, resources: [], removed: ['a.default', 'unknown.default'] }, () => undefined);
    expect(plan.ops).toEqual([{ op: 'delete', key: { type: 'MeshTrafficPermission', mesh: 'default', name: 'a' }, version: 1 }]);
  });

  it('an invalid resource is rejected with its reason and the rest applies', () => {
    const plan = planSync(mtp, [], { full: true, resources: [incoming('bad', { targetRef: { kind: 'Nope' } }), incoming('good')], removed: [] }, () => undefined);
    expect(plan.ops.map((o) => o.op)).toEqual(['create']);
    expect(plan.rejected).toHaveLength(1);
    expect(plan.rejected[0]).toMatch(/^MeshTrafficPermission bad\.default: spec\.targetRef\.kind/);
  });

  it('never overwrites a local resource it does not own', () => {
    const local = { ...stored('mine'), labels: { 'kuma.io/origin': 'zone' } };
    const plan = planSync(mtp, [], { full: true, resources: [incoming('mine')], removed: [] }, () => local);
    expect(plan.ops).toEqual([]);
    expect(plan.rejected[0]).toMatch(/conflicts with a local resource/);
  });

  it('an unchanged resource produces no write', () => {
    expect(planSync(mtp, [stored('same')], { full: true, resources: [incoming('same')], removed: [] }, () => undefined).ops).toEqual([]);
  });
});
