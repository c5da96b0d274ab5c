/**
 * Merge order of targetRef policies, from Kuma's rules (docs "How policies are combined"; Kuma
 * core/rules/sort): matched policies are ordered least specific first by top-level targetRef kind,
 * origin (global < zone), policy role (system < producer < consumer < workload-owner) and display
 * name (inverted lexicographic: the smaller name wins); their `to[]` lists are concatenated in that
 * order and sorted again, stably, by the item's targetRef (Mesh < MeshSubset < MeshService <
 * MeshService with sectionName < MeshServiceSubset); confs are then merged field by field.
 */
import { describe, expect, it } from 'vitest';
import { proxyPolicies } from '../../../internal/xds/policies/proxy-policies';
import { mergeConfs } from '../../../internal/xds/policies/merge';
import { comparePolicies, compareToItems, targetRefOf } from '../../../internal/xds/policies/target-ref';
import { backends, dataplane, docs } from '../generators/fixtures';
import { fixture, parseResources } from '../generators/golden';
import { MERGE_ORDER_POLICIES, MESH_DEFAULT_POLICIES } from '../generators/policies';

const WEB = dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }, { service: 'other', port: 10002 }] });

function retry(name: string, targetRef: string, to: string, numRetries: number, labels = ''): string {
  return `
type: MeshRetry
mesh: default
name: ${name}
${labels ? `labels: ${labels}` : ''}
spec:
  targetRef: ${targetRef}
  to:
  - targetRef: ${to}
    default:
      http:
        numRetries: ${numRetries}
`;
}

/** numRetries the web proxy gets towards `service` with the given policies. */
function retriesTo(service: string, ...policies: string[]): unknown {
  const { proxy, ctx } = fixture({ name: 'x', resources: docs(WEB, backends('http'), backends('http', 'other'), ...policies) });
  const conf = proxyPolicies(proxy.dataplane, ctx).to('MeshRetry', service);
  return (conf?.http as Record<string, unknown> | undefined)?.numRetries;
}

const MESH = '{ kind: Mesh }';
const BACKEND = '{ kind: MeshService, name: backend }';

describe('merge order of to[] items', () => {
  it('a to: MeshService item beats a to: Mesh item whatever the policy names (issue 9: numRetries 9 over the default 5)', () => {
    expect(retriesTo('backend', MESH_DEFAULT_POLICIES, MERGE_ORDER_POLICIES)).toBe(9);
    // names on both sides of "mesh-retry-all-default"
    expect(retriesTo('backend', MESH_DEFAULT_POLICIES, retry('a-backend', MESH, BACKEND, 7))).toBe(7);
    expect(retriesTo('backend', MESH_DEFAULT_POLICIES, retry('z-backend', MESH, BACKEND, 7))).toBe(7);
    // other destinations keep the default
    expect(retriesTo('other', MESH_DEFAULT_POLICIES, MERGE_ORDER_POLICIES)).toBe(5);
  });

  it('merges per field: the specific item overrides only what it sets', () => {
    const { proxy, ctx } = fixture({ name: 'x', resources: docs(WEB, backends('http'), MESH_DEFAULT_POLICIES, MERGE_ORDER_POLICIES) });
    const pp = proxyPolicies(proxy.dataplane, ctx);
    expect(pp.to('MeshRetry', 'backend')).toEqual({
      tcp: { maxConnectAttempt: 5 },
      http: { numRetries: 9, perTryTimeout: '16s', backOff: { baseInterval: '25ms', maxInterval: '250ms' } },
      grpc: { numRetries: 5, perTryTimeout: '16s', backOff: { baseInterval: '25ms', maxInterval: '250ms' } },
    });
    expect(pp.to('MeshTimeout', 'backend')).toEqual({ connectionTimeout: '3s', idleTimeout: '1h', http: { requestTimeout: '15s', streamIdleTimeout: '30m' } });
  });

  it('MeshService with sectionName beats MeshService without, for equal policies', () => {
    const items = [
      { targetRef: targetRefOf({ kind: 'MeshService', name: 'backend', sectionName: 'http' }) },
      { targetRef: targetRefOf({ kind: 'MeshService', name: 'backend' }) },
      { targetRef: targetRefOf({ kind: 'MeshServiceSubset', name: 'backend', tags: { version: 'v1' } }) },
      { targetRef: targetRefOf({ kind: 'MeshSubset', tags: { version: 'v1' } }) },
      { targetRef: targetRefOf({ kind: 'Mesh' }) },
    ];
    expect(items.sort(compareToItems).map((i) => `${i.targetRef.kind}${i.targetRef.sectionName ? ':' + i.targetRef.sectionName : ''}`)).toEqual([
      'Mesh',
      'MeshSubset',
      'MeshService',
      'MeshService:http',
      'MeshServiceSubset',
    ]);
  });

  it('for equal to[] targetRefs the policy order decides: top-level kind first', () => {
    const web = '{ kind: MeshService, name: web }';
    // a-mesh's name would win among Mesh policies, but the MeshService top-level is more specific
    expect(retriesTo('backend', retry('a-mesh', MESH, BACKEND, 1), retry('z-svc', web, BACKEND, 2))).toBe(2);
    expect(retriesTo('backend', retry('z-svc', web, BACKEND, 2), retry('a-mesh', MESH, BACKEND, 1))).toBe(2);
  });
});

describe('merge order of matched policies (top-level targetRef)', () => {
  const names = (yaml: string) => parseResources(yaml).sort(comparePolicies).map((p) => p.name);

  it('orders by top-level kind: Mesh < MeshSubset < MeshService < MeshServiceSubset < Dataplane', () => {
    expect(
      names(
        docs(
          retry('dp', '{ kind: Dataplane, name: web-01 }', MESH, 1),
          retry('mss', '{ kind: MeshServiceSubset, name: web, tags: { version: v1 } }', MESH, 1),
          retry('ms', '{ kind: MeshService, name: web }', MESH, 1),
          retry('sub', '{ kind: MeshSubset, tags: { version: v1 } }', MESH, 1),
          retry('mesh', MESH, MESH, 1),
        ),
      ),
    ).toEqual(['mesh', 'sub', 'ms', 'mss', 'dp']);
  });

  it('orders Dataplane refs: all < labels < labels+sectionName < name < name+sectionName', () => {
    expect(
      names(
        docs(
          retry('name-section', '{ kind: Dataplane, name: web-01, sectionName: http }', MESH, 1),
          retry('name', '{ kind: Dataplane, name: web-01 }', MESH, 1),
          retry('labels-section', '{ kind: Dataplane, labels: { app: web }, sectionName: http }', MESH, 1),
          retry('labels', '{ kind: Dataplane, labels: { app: web } }', MESH, 1),
          retry('all', '{ kind: Dataplane }', MESH, 1),
        ),
      ),
    ).toEqual(['all', 'labels', 'labels-section', 'name', 'name-section']);
  });

  it('then by origin: zone beats global', () => {
    expect(names(docs(retry('a-zone', MESH, MESH, 1, '{ kuma.io/origin: zone }'), retry('b-global', MESH, MESH, 1, '{ kuma.io/origin: global }')))).toEqual(['b-global', 'a-zone']);
    expect(retriesTo('backend', retry('b-zone', MESH, MESH, 3, '{ kuma.io/origin: zone }'), retry('a-global', MESH, MESH, 4, '{ kuma.io/origin: global }'))).toBe(3);
  });

  it('then by policy role: system < producer < consumer < workload-owner', () => {
    const role = (n: string, r: string) => retry(n, MESH, MESH, 1, `{ kuma.io/policy-role: ${r} }`);
    expect(names(docs(role('a', 'workload-owner'), role('b', 'consumer'), role('c', 'producer'), retry('d', MESH, MESH, 1)))).toEqual(['d', 'c', 'b', 'a']);
  });

  it('then by display name, inverted: the lexicographically smaller name wins', () => {
    expect(names(docs(retry('aaa', MESH, MESH, 1), retry('zzzzz', MESH, MESH, 1), retry('aaaaa1', MESH, MESH, 1), retry('aaaaa', MESH, MESH, 1)))).toEqual([
      'zzzzz',
      'aaaaa1',
      'aaaaa',
      'aaa',
    ]);
    expect(retriesTo('backend', retry('b-retry', MESH, MESH, 1), retry('a-retry', MESH, MESH, 2))).toBe(2);
  });

  it('uses kuma.io/display-name over the synced (hashed) name', () => {
    const synced = retry('zzz-synced-5f7c9d', MESH, MESH, 8, '{ kuma.io/display-name: aaa, kuma.io/origin: global }');
    const local = retry('bbb', MESH, MESH, 6, '{ kuma.io/origin: global }');
    expect(names(docs(synced, local))).toEqual(['bbb', 'zzz-synced-5f7c9d']);
    expect(retriesTo('backend', synced, local)).toBe(8);
  });
});

describe('per-field merge (JSON merge patch, Kuma docs example)', () => {
  it('objects merge recursively; scalars and arrays are replaced whole', () => {
    expect(
      mergeConfs([
        { conf: 1, sub: { array: [1, 2, 3], other: 50, 'other-array': [3, 4, 5] } },
        { sub: { array: [], 'other-array': [5, 6], extra: 2 } },
      ]),
    ).toEqual({ conf: 1, sub: { array: [], other: 50, 'other-array': [5, 6], extra: 2 } });
  });

  it('concatenates lists under append… keys in merge order (appendModifications, appendMatch)', () => {
    expect(
      mergeConfs([
        { appendModifications: [{ cluster: 1 }], appendMatch: [{ a: 1 }], appended: [1] },
        { appendModifications: [{ cluster: 2 }], appended: [2] },
        { appendModifications: [{ listener: 3 }], appendMatch: [{ b: 2 }] },
      ]),
    ).toEqual({ appendModifications: [{ cluster: 1 }, { cluster: 2 }, { listener: 3 }], appendMatch: [{ a: 1 }, { b: 2 }], appended: [2] });
  });
});
