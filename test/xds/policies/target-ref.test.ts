import { describe, expect, it } from 'vitest';
import type { Resource } from '../../../internal/resources/model';
import { dataplaneView } from '../../../internal/xds/context/dataplane-view';
import { comparePolicies, selectsInbound, selectsProxy, targetRefOf, toRefMatchesService } from '../../../internal/xds/policies/target-ref';
import { parseResources } from '../generators/context-fixture';

const [DP] = parseResources(`
type: Dataplane
mesh: default
name: web-01
labels: { app: web }
networking:
  address: 10.0.0.1
  inbound:
  - port: 8080
    name: http
    tags: { kuma.io/service: web, version: v1 }
  - port: 9090
    tags: { kuma.io/service: web-metrics }
`);
const view = dataplaneView(DP!);
const [HTTP, METRICS] = view.inbounds;

function policy(name: string, targetRef: unknown, labels: Record<string, string> = {}): Resource {
  return { type: 'MeshTimeout', mesh: 'default', name, labels, version: 1, creationTime: '', modificationTime: '', spec: targetRef === undefined ? {} : { targetRef } };
}

describe('targetRef selection', () => {
  it('defaults a missing targetRef to Mesh', () => {
    expect(targetRefOf(undefined)).toEqual({ kind: 'Mesh' });
  });

  it('selects inbounds by kind', () => {
    const cases: [unknown, boolean, boolean][] = [
      [{ kind: 'Mesh' }, true, true],
      [{ kind: 'MeshSubset', tags: { version: 'v1' } }, true, false],
      [{ kind: 'MeshService', name: 'web-metrics' }, false, true],
      [{ kind: 'MeshServiceSubset', name: 'web', tags: { version: 'v2' } }, false, false],
      [{ kind: 'Dataplane', name: 'web-01' }, true, true],
      [{ kind: 'Dataplane', name: 'web-01', sectionName: 'http' }, true, false],
      [{ kind: 'Dataplane', name: 'web-01', sectionName: '9090' }, false, true],
      [{ kind: 'Dataplane', labels: { app: 'web' } }, true, true],
      [{ kind: 'Dataplane', labels: { app: 'api' } }, false, false],
      [{ kind: 'Mesh', proxyTypes: ['Gateway'] }, false, false],
    ];
    for (const [ref, http, metrics] of cases) {
      const r = targetRefOf(ref);
      expect([selectsInbound(r, view, HTTP!), selectsInbound(r, view, METRICS!)], JSON.stringify(ref)).toEqual([http, metrics]);
    }
  });

  it('selects the proxy when any inbound is selected', () => {
    expect(selectsProxy(targetRefOf({ kind: 'MeshService', name: 'web-metrics' }), view)).toBe(true);
    expect(selectsProxy(targetRefOf({ kind: 'MeshService', name: 'api' }), view)).toBe(false);
    expect(selectsProxy(targetRefOf({ kind: 'Mesh', proxyTypes: ['Sidecar'] }), view)).toBe(true);
  });

  it('matches `to` items against the destination service', () => {
    expect(toRefMatchesService(targetRefOf({ kind: 'Mesh' }), 'backend')).toBe(true);
    expect(toRefMatchesService(targetRefOf({ kind: 'MeshService', name: 'backend' }), 'backend')).toBe(true);
    expect(toRefMatchesService(targetRefOf({ kind: 'MeshService', name: 'other' }), 'backend')).toBe(false);
    expect(toRefMatchesService(targetRefOf({ kind: 'MeshSubset', tags: { 'kuma.io/service': 'backend' } }), 'backend')).toBe(true);
    expect(toRefMatchesService(targetRefOf({ kind: 'MeshSubset', tags: { version: 'v1' } }), 'backend')).toBe(false);
    expect(toRefMatchesService(targetRefOf({ kind: 'MeshExternalService', name: 'backend' }), 'backend')).toBe(false);
  });
});

describe('comparePolicies', () => {
  it('orders least specific first: kind, Dataplane precision, origin, then name descending', () => {
    const list = [
      policy('dp-section', { kind: 'Dataplane', name: 'web-01', sectionName: 'http' }),
      policy('svc', { kind: 'MeshService', name: 'web' }),
      policy('dp-labels', { kind: 'Dataplane', labels: { app: 'web' } }),
      policy('b-mesh', undefined),
      policy('a-mesh', { kind: 'Mesh' }),
      policy('z-mesh-global', { kind: 'Mesh' }, { 'kuma.io/origin': 'global' }),
      policy('subset', { kind: 'MeshSubset', tags: { version: 'v1' } }),
      policy('dp-name', { kind: 'Dataplane', name: 'web-01' }),
    ];
    // the last one wins a merge: among equal Mesh policies of the same origin "a-mesh" beats "b-mesh"
    expect(list.sort(comparePolicies).map((p) => p.name)).toEqual(['z-mesh-global', 'b-mesh', 'a-mesh', 'subset', 'svc', 'dp-labels', 'dp-name', 'dp-section']);
  });
});
