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

describe('planSync: the status a zone sends with a MeshService (global side)', () => {
  const ms = registry.mustByName('MeshService');
  const labels = { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1' };
  const msSpec = { selector: { dataplaneTags: { 'kuma.io/service': 'b' } }, ports: [{ port: 80 }] };
  const inc = (status?: Record<string, unknown>): KdsResource => ({ type: 'MeshService', mesh: 'default', name: 'b-x', labels, spec: msSpec, ...(status ? { status } : {}) });
  const cur: Resource = { type: 'MeshService', mesh: 'default', name: 'b-x', version: 3, creationTime: '', modificationTime: '', labels, spec: msSpec };
  const record = (status: Record<string, unknown>): Resource => ({ type: 'KdsStatus', mesh: 'default', name: 'MeshService/b-x', version: 2, creationTime: '', modificationTime: '', labels, spec: { status } });
  const key = { type: 'KdsStatus', mesh: 'default', name: 'MeshService/b-x' };
  const up = { tls: { status: 'Ready' }, dataplaneProxies: { connected: 1, healthy: 1, total: 1 } };
  const down = { tls: { status: 'Ready' }, dataplaneProxies: { total: 1 } };

  it('is kept as a record of its own, written with the resource; labelled with the zone', () => {
    const plan = planSync(ms, [], { full: true, resources: [inc(up)], removed: [] }, () => undefined);
    expect(plan.ops).toEqual([
      { op: 'create', resource: { type: 'MeshService', mesh: 'default', name: 'b-x', labels, spec: msSpec } },
      { op: 'create', resource: { ...key, labels, spec: { status: up } } },
    ]);
  });

  it('a changed status alone updates only the record; the same status writes nothing', () => {
    const lookup = (k: { name: string }) => (k.name === key.name ? record(up) : undefined);
    expect(planSync(ms, [cur], { full: false, resources: [inc(down)], removed: [] }, lookup).ops).toEqual([{ op: 'update', resource: { ...key, labels, spec: { status: down } }, version: 2 }]);
    expect(planSync(ms, [cur], { full: false, resources: [inc(up)], removed: [] }, lookup).ops).toEqual([]);
  });

  it('goes when the resource comes without one, and with the resource', () => {
    const lookup = (k: { name: string }) => (k.name === key.name ? record(up) : undefined);
    expect(planSync(ms, [cur], { full: false, resources: [inc()], removed: [] }, lookup).ops).toEqual([{ op: 'delete', key, version: 2 }]);
    expect(planSync(ms, [cur], { full: false, resources: [], removed: ['b-x.default'] }, lookup).ops).toEqual([
      { op: 'delete', key: { type: 'MeshService', mesh: 'default', name: 'b-x' }, version: 3 },
      { op: 'delete', key, version: 2 },
    ]);
  });

  it('a type without a status never gets a record', () => {
    expect(planSync(mtp, [], { full: true, resources: [{ ...incoming('p'), status: { x: 1 } }], removed: [] }, () => undefined).ops.map((o) => o.op === 'delete' ? o.key.type : o.resource.type)).toEqual(['MeshTrafficPermission']);
  });
});
