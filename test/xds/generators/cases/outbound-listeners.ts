import { backends, dataplane, docs } from '../fixtures';
import type { Case } from '../golden';
import { routeCase, routeCases } from './mesh-routes';
import { ROUTE_TARGETED_GRPC_RETRY, ROUTE_TARGETED_TIMEOUT_RETRY } from './route-targeted';
import { BACKEND_RETRY_TIMEOUT, GRPC_RETRY_TIMEOUT, MERGED_HASH_POLICIES, RING_HASH_LEGACY_POLICIES, MERGE_ORDER_POLICIES, MESH_DEFAULT_POLICIES } from '../policies';

const WEB = dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }] });

export const outboundListenersCases: Case[] = [
  { name: '01-http-default', resources: docs(WEB, backends('http')) },
  { name: '02-http-retry-timeout', resources: docs(WEB, backends('http'), BACKEND_RETRY_TIMEOUT) },
  {
    name: '03-tcp-retry-timeout',
    resources: docs(
      dataplane({ outbounds: [{ service: 'db', port: 15432, address: '127.0.0.2' }] }),
      backends('tcp', 'db'),
      `
type: MeshRetry
mesh: default
name: db-retry
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: db
    default:
      tcp:
        maxConnectAttempt: 3
---
type: MeshTimeout
mesh: default
name: db-timeout
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: Mesh
    default:
      idleTimeout: 10m
`,
    ),
  },
  {
    name: '04-grpc-retry',
    resources: docs(
      dataplane({ protocol: 'grpc', outbounds: [{ service: 'backend', port: 10001 }] }),
      backends('grpc'),
      `
type: MeshRetry
mesh: default
name: grpc-retry
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: Mesh
    default:
      grpc:
        numRetries: 2
        retryOn: [Canceled, DeadlineExceeded, Unavailable]
`,
    ),
  },
  { name: '05-default-mesh-policies', resources: docs(WEB, backends('http'), MESH_DEFAULT_POLICIES) },
  {
    name: '06-traffic-route-split',
    resources: docs(
      WEB,
      backends('http'),
      `
type: TrafficRoute
mesh: default
name: route-all-default
sources:
- match:
    kuma.io/service: '*'
destinations:
- match:
    kuma.io/service: '*'
conf:
  destination:
    kuma.io/service: '*'
---
type: TrafficRoute
mesh: default
name: backend-canary
sources:
- match:
    kuma.io/service: web
destinations:
- match:
    kuma.io/service: backend
conf:
  split:
  - weight: 90
    destination:
      kuma.io/service: backend
      version: v1
  - weight: 10
    destination:
      kuma.io/service: backend
      version: v2
  - weight: 0
    destination:
      kuma.io/service: backend
      version: v3
`,
    ),
  },
  {
    name: '07-traffic-route-redirect',
    resources: docs(
      WEB,
      backends('http'),
      backends('http', 'backend-next'),
      `
type: TrafficRoute
mesh: default
name: backend-to-next
sources:
- match:
    kuma.io/service: '*'
destinations:
- match:
    kuma.io/service: backend
conf:
  destination:
    kuma.io/service: backend-next
`,
    ),
  },
  {
    name: '08-traffic-route-http-matches',
    resources: docs(
      WEB,
      backends('http'),
      `
type: TrafficRoute
mesh: default
name: backend-http
sources:
- match:
    kuma.io/service: web
destinations:
- match:
    kuma.io/service: backend
conf:
  http:
  - match:
      path:
        prefix: /api
      method:
        exact: POST
      headers:
        x-tenant:
          exact: acme
        x-debug:
          regex: "^(1|true)$"
    modify:
      path:
        rewritePrefix: /v2/api
      host:
        value: backend.internal
      requestHeaders:
        add:
        - name: x-routed
          value: "yes"
        remove:
        - name: x-debug
    destination:
      kuma.io/service: backend
      version: v2
  - match:
      path:
        exact: /health
    destination:
      kuma.io/service: backend
  - match:
      path:
        regex: "^/items/[0-9]+$"
    split:
    - weight: 50
      destination:
        kuma.io/service: backend
        version: v1
    - weight: 50
      destination:
        kuma.io/service: backend
        version: v2
  destination:
    kuma.io/service: backend
`,
    ),
  },
  {
    name: '09-traffic-route-no-match-no-listener',
    resources: docs(
      dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }, { service: 'other', port: 10002 }] }),
      backends('http'),
      `
type: TrafficRoute
mesh: default
name: only-other
sources:
- match:
    kuma.io/service: '*'
destinations:
- match:
    kuma.io/service: other
conf:
  destination:
    kuma.io/service: other
`,
    ),
  },
  {
    name: '10-legacy-retry-timeout',
    resources: docs(
      WEB,
      backends('http'),
      `
type: Retry
mesh: default
name: retry-backend
sources:
- match:
    kuma.io/service: web
destinations:
- match:
    kuma.io/service: backend
conf:
  http:
    numRetries: 4
    perTryTimeout: 1s
    backOff:
      baseInterval: 50ms
      maxInterval: 500ms
    retryOn: [all_5xx, gateway_error, connect_failure]
    retriableStatusCodes: [409]
    retriableMethods: [GET, PUT]
---
type: Timeout
mesh: default
name: timeout-all
sources:
- match:
    kuma.io/service: '*'
destinations:
- match:
    kuma.io/service: '*'
conf:
  connectTimeout: 3s
  http:
    requestTimeout: 9s
    idleTimeout: 40m
    streamIdleTimeout: 2m
`,
    ),
  },
  {
    name: '11-ring-hash-hash-policies',
    resources: docs(
      WEB,
      backends('http'),
      `
type: MeshLoadBalancingStrategy
mesh: default
name: sticky-backend
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      loadBalancer:
        type: RingHash
        ringHash:
          hashFunction: MurmurHash2
          minRingSize: 1024
          maxRingSize: 8192
          hashPolicies:
          - type: Header
            header:
              name: x-user
          - type: Connection
            connection:
              sourceIP: true
            terminal: true
`,
    ),
  },
  {
    name: '12-tcp-split',
    resources: docs(
      dataplane({ outbounds: [{ service: 'db', port: 15432 }] }),
      backends('tcp', 'db'),
      `
type: TrafficRoute
mesh: default
name: db-split
sources:
- match:
    kuma.io/service: '*'
destinations:
- match:
    kuma.io/service: db
conf:
  split:
  - weight: 1
    destination:
      kuma.io/service: db
      version: v1
  - weight: 3
    destination:
      kuma.io/service: db
      version: v2
`,
    ),
  },
    // `to: MeshService backend` items beat the defaults' `to: Mesh` items whatever the names; unset fields keep the defaults.
  { name: '13-merge-order-to-items', resources: docs(WEB, backends('http'), MESH_DEFAULT_POLICIES, MERGE_ORDER_POLICIES) },
  // MeshHTTPRoute: one Envoy route per match (PathPrefix /api as exact + `/api/`), Kuma's order, catch-all last; wins over MeshTCPRoute and TrafficRoute.
  routeCase(14, routeCases.matches),
  // Redirects (default 301, 308), prefix/full-path rewrites, host rewrite, mirrors with and without a percentage.
  routeCase(15, routeCases.redirects),
  // MeshTCPRoute: weighted subset clusters on the tcp_proxy.
  routeCase(16, routeCases.tcp),
  routeCase(17, routeCases.subsets),
  // gRPC: MeshRetry grpc (rateLimitedBackOff too) on the route, MeshTimeout's request timeout.
  { name: '18-grpc-retry-timeout', resources: docs(dataplane({ protocol: 'grpc', outbounds: [{ service: 'backend', port: 10001 }] }), backends('grpc'), GRPC_RETRY_TIMEOUT) },
  {
    // Kuma 2.10+: hash policies at `default`, beside a Maglev whose own list is unset.
    name: '19-default-hash-policies',
    resources: docs(
      WEB,
      backends('http'),
      `
type: MeshLoadBalancingStrategy
mesh: default
name: sticky-backend
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      hashPolicies:
      - type: Header
        header:
          name: x-user
        terminal: true
      - type: Cookie
        cookie:
          name: session
          ttl: 1h
          path: /
      - type: QueryParameter
        queryParameter:
          name: u
      loadBalancer:
        type: Maglev
        maglev:
          tableSize: 1021
`,
    ),
  },
  {
    // Merged from two policies: the root list (x-new) wins over the RingHash's (x-legacy); the
    // RingHash still balances the cluster.
    name: '20-default-hash-policies-win-over-merged-ring-hash',
    resources: docs(
      WEB,
      backends('http'),
      MERGED_HASH_POLICIES,
    ),
  },
  {
    // An empty root list is set, so it wins: no hash policy, though the RingHash names one.
    name: '21-empty-default-hash-policies',
    resources: docs(
      WEB,
      backends('http'),
      `${RING_HASH_LEGACY_POLICIES}---
type: MeshLoadBalancingStrategy
mesh: default
name: b-none
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      hashPolicies: []
`,
    ),
  },
  // A MeshTimeout with a top-level MeshHTTPRoute and a MeshRetry with a `to` MeshHTTPRoute item:
  // only the routes of that route's rule change; /fast (another MeshHTTPRoute) and the catch-all keep the service's.
  { name: '22-route-targeted-timeout-retry', resources: docs(WEB, backends('http'), ROUTE_TARGETED_TIMEOUT_RETRY) },
  // gRPC: the route-level MeshRetry `grpc` section, numRetries 0 on one rule turns retries off there.
  {
    name: '23-route-targeted-grpc-retry',
    resources: docs(dataplane({ protocol: 'grpc', outbounds: [{ service: 'backend', port: 10001 }] }), backends('grpc'), ROUTE_TARGETED_GRPC_RETRY),
  },
];
