import { describe, expect, it } from 'vitest';
import { registerAll } from '../../../internal/resources/types';
import { matchedPolicies } from '../../../internal/xds/policies/matched-policies';
import { contextOf, parseResources } from '../generators/context-fixture';

const registry = registerAll();
const isTargetRef = (type: string) => registry.byName(type)?.policy?.isTargetRef === true;

const DATAPLANE = `
type: Dataplane
mesh: default
name: web-01
networking:
  address: 127.0.0.1
  inbound:
  - port: 8080
    tags: { kuma.io/service: web, kuma.io/protocol: http }
  - port: 9090
    tags: { kuma.io/service: web-metrics }
  - port: 7070
    state: Ignored
    tags: { kuma.io/service: web-ignored }
  outbound:
  - port: 10001
    tags: { kuma.io/service: backend }
  - port: 10002
    tags: { kuma.io/service: db }
`;

const TIMEOUT = `
type: MeshTimeout
mesh: default
name: mesh-timeout-all-default
spec:
  targetRef: { kind: Mesh, proxyTypes: [Sidecar] }
  to:
  - targetRef: { kind: Mesh }
    default: { connectionTimeout: 5s }
  from:
  - targetRef: { kind: Mesh }
    default: { connectionTimeout: 10s }
`;

function run(yaml: string, dataplane = 'web-01') {
  const resources = parseResources(yaml);
  const dp = resources.find((r) => r.type === 'Dataplane' && r.name === dataplane)!;
  return matchedPolicies(dp, contextOf(resources), isTargetRef);
}

describe('matchedPolicies', () => {
  it('lists the default MeshTimeout with its to and from items', () => {
    expect(run(DATAPLANE + '---' + TIMEOUT)).toEqual([
      {
        type: 'MeshTimeout',
        name: 'mesh-timeout-all-default',
        section: 'to',
        targetRef: { kind: 'Mesh', proxyTypes: ['Sidecar'] },
        target: { kind: 'Mesh' },
        appliesTo: ['backend', 'db'],
      },
      {
        type: 'MeshTimeout',
        name: 'mesh-timeout-all-default',
        section: 'from',
        targetRef: { kind: 'Mesh', proxyTypes: ['Sidecar'] },
        target: { kind: 'Mesh' },
        appliesTo: ['inbound:127.0.0.1:8080', 'inbound:127.0.0.1:9090'],
      },
    ]);
  });

  it('keeps `to` items that reach a destination, `from` items on the inbounds selected, and drops what selects another proxy', () => {
    const got = run(`${DATAPLANE}---
type: MeshRetry
mesh: default
name: to-backend
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: backend }
    default: { tcp: { maxConnectAttempt: 2 } }
  - targetRef: { kind: MeshService, name: elsewhere }
    default: { tcp: { maxConnectAttempt: 3 } }
---
type: MeshRetry
mesh: default
name: other-proxy
spec:
  targetRef: { kind: Dataplane, name: api-01 }
  to:
  - targetRef: { kind: Mesh }
    default: { tcp: { maxConnectAttempt: 2 } }
---
type: MeshTimeout
mesh: default
name: gateways-only
spec:
  targetRef: { kind: Mesh, proxyTypes: [Gateway] }
  to:
  - targetRef: { kind: Mesh }
    default: { connectionTimeout: 1s }
---
type: MeshTrafficPermission
mesh: default
name: web-from-all
spec:
  targetRef: { kind: MeshService, name: web }
  from:
  - targetRef: { kind: Mesh }
    default: { action: Allow }
`);
    expect(got.map((e) => [e.type, e.name, e.section, e.target?.kind, e.target?.name, e.appliesTo])).toEqual([
      ['MeshRetry', 'to-backend', 'to', 'MeshService', 'backend', ['backend']],
      ['MeshTrafficPermission', 'web-from-all', 'from', 'Mesh', undefined, ['inbound:127.0.0.1:8080']],
    ]);
  });

  it('lists policies of a type in merge order, least specific first', () => {
    const got = run(`${DATAPLANE}---${TIMEOUT}---
type: MeshTimeout
mesh: default
name: for-web-01
spec:
  targetRef: { kind: Dataplane, name: web-01 }
  to:
  - targetRef: { kind: MeshService, name: db }
    default: { connectionTimeout: 2s }
`);
    expect(got.map((e) => `${e.name}/${e.section}`)).toEqual(['mesh-timeout-all-default/to', 'mesh-timeout-all-default/from', 'for-web-01/to']);
  });

  it('lists legacy policies where the generators use them', () => {
    const got = run(`${DATAPLANE}---
type: MeshTrafficPermission
mesh: default
name: web-only
spec:
  targetRef: { kind: MeshService, name: web }
  from:
  - targetRef: { kind: Mesh }
    default: { action: Allow }
---
type: TrafficPermission
mesh: default
name: allow-all-default
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: '*' } }]
---
type: TrafficRoute
mesh: default
name: route-all-default
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: '*' } }]
conf:
  destination: { kuma.io/service: '*' }
---
type: CircuitBreaker
mesh: default
name: cb-db
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: db } }]
conf:
  thresholds: { maxConnections: 2 }
---
type: MeshCircuitBreaker
mesh: default
name: mcb-backend
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: backend }
    default: { connectionLimits: { maxConnections: 3 } }
---
type: CircuitBreaker
mesh: default
name: cb-backend
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: backend } }]
conf:
  thresholds: { maxConnections: 2 }
`);
    const legacy = got.filter((e) => !e.targetRef).map((e) => [e.type, e.name, e.section, e.appliesTo]);
    expect(legacy).toEqual([
      // MeshCircuitBreaker configures backend, so the legacy one for backend is not used.
      ['CircuitBreaker', 'cb-db', 'service', ['db']],
      // The inbound with MeshTrafficPermission rules ignores TrafficPermissions.
      ['TrafficPermission', 'allow-all-default', 'inbound', ['inbound:127.0.0.1:9090']],
      ['TrafficRoute', 'route-all-default', 'outbound', ['outbound:127.0.0.1:10001', 'outbound:127.0.0.1:10002']],
    ]);
  });

  it('is empty for a proxy nothing applies to', () => {
    expect(run(DATAPLANE)).toEqual([]);
  });
});
