import { MLBS_FAILOVER, REMOTE_ZONES, localBackends } from '../cross-zone-fixtures';
import { MESH_TLS_13, MESH_TLS_MIN_13 } from '../policy-fixtures/mesh-tls';
import { MESH_MTLS, backends, dataplane, docs } from '../fixtures';
import { EXTERNAL_SERVICES, LOCAL_EGRESS, MESH_MTLS_ZONE_EGRESS, OTHER_ZONE_EGRESS, WEB_WITH_EXTERNAL } from '../egress-fixtures';
import type { Case } from '../golden';
import { routeCase, routeCases } from './mesh-routes';
import { BACKEND_RETRY_TIMEOUT, GRPC_RETRY_TIMEOUT, MERGED_HASH_POLICIES, MERGE_ORDER_POLICIES, MESH_DEFAULT_POLICIES } from '../policies';

const WEB = dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }] });

const SPLIT = `
type: TrafficRoute
mesh: default
name: backend-canary
sources:
- match:
    kuma.io/service: '*'
destinations:
- match:
    kuma.io/service: backend
conf:
  loadBalancer:
    leastRequest:
      choiceCount: 3
  split:
  - weight: 90
    destination:
      kuma.io/service: backend
      version: v1
  - weight: 10
    destination:
      kuma.io/service: backend
      version: v2
`;

export const outboundClustersCases: Case[] = [
  { name: '01-http-default', resources: docs(WEB, backends('http')) },
  { name: '02-tcp-and-unknown-service', resources: docs(dataplane({ outbounds: [{ service: 'db', port: 15432 }, { service: 'nowhere', port: 15433 }] }), backends('tcp', 'db')) },
  { name: '03-grpc-http2', resources: docs(dataplane({ outbounds: [{ service: 'backend', port: 10001 }] }), backends('grpc')) },
  { name: '04-mtls', mtls: true, resources: docs(MESH_MTLS, WEB, backends('http')) },
  { name: '05-mesh-timeout', resources: docs(WEB, backends('http'), BACKEND_RETRY_TIMEOUT) },
  { name: '06-default-mesh-policies', resources: docs(WEB, backends('http'), MESH_DEFAULT_POLICIES) },
  {
    name: '07-circuit-breaker-outlier-detection',
    resources: docs(
      WEB,
      backends('http'),
      MESH_DEFAULT_POLICIES,
      `
type: MeshCircuitBreaker
mesh: default
name: backend-cb
spec:
  targetRef:
    kind: MeshService
    name: web
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      connectionLimits:
        maxConnections: 2
        maxPendingRequests: 8
        maxConnectionPools: 4
      outlierDetection:
        interval: 5s
        baseEjectionTime: 30s
        maxEjectionPercent: 20
        splitExternalAndLocalErrors: true
        healthyPanicThreshold: 60
        detectors:
          totalFailures:
            consecutive: 10
          gatewayFailures:
            consecutive: 5
          localOriginFailures:
            consecutive: 7
          successRate:
            minimumHosts: 5
            requestVolume: 10
            standardDeviationFactor: "1.9"
          failurePercentage:
            requestVolume: 10
            minimumHosts: 5
            threshold: 85
`,
    ),
  },
  {
    name: '08-legacy-circuit-breaker',
    resources: docs(
      WEB,
      backends('http'),
      `
type: CircuitBreaker
mesh: default
name: cb-backend
sources:
- match:
    kuma.io/service: '*'
destinations:
- match:
    kuma.io/service: backend
conf:
  interval: 1s
  baseEjectionTime: 30s
  maxEjectionPercent: 20
  splitExternalAndLocalErrors: false
  thresholds:
    maxConnections: 2
    maxPendingRequests: 2
    maxRequests: 2
    maxRetries: 2
  detectors:
    totalErrors:
      consecutive: 20
    standardDeviation:
      requestVolume: 10
      minimumHosts: 5
      factor: 1.9
`,
    ),
  },
  {
    name: '09-health-check',
    resources: docs(
      WEB,
      backends('http'),
      `
type: MeshHealthCheck
mesh: default
name: backend-hc
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      interval: 10s
      timeout: 2s
      unhealthyThreshold: 3
      healthyThreshold: 1
      healthyPanicThreshold: 0
      failTrafficOnPanic: true
      noTrafficInterval: 1s
      reuseConnection: false
      http:
        path: /health
        expectedStatuses: [200, 204]
        requestHeadersToAdd:
          set:
          - name: x-probe
            value: kuma
      tcp: {}
`,
    ),
  },
  {
    name: '10-legacy-health-check-tcp',
    resources: docs(
      dataplane({ outbounds: [{ service: 'db', port: 15432 }] }),
      backends('tcp', 'db'),
      `
type: HealthCheck
mesh: default
name: hc-db
sources:
- match:
    kuma.io/service: '*'
destinations:
- match:
    kuma.io/service: db
conf:
  interval: 10s
  timeout: 2s
  unhealthyThreshold: 3
  healthyThreshold: 1
  tcp:
    send: Zm9v
    receive: [YmFy]
`,
    ),
  },
  {
    name: '11-load-balancing-strategy',
    resources: docs(
      WEB,
      backends('http'),
      `
type: MeshLoadBalancingStrategy
mesh: default
name: backend-maglev
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      loadBalancer:
        type: Maglev
        maglev:
          tableSize: 1021
`,
    ),
  },
  { name: '12-split-subsets-legacy-lb', mtls: true, resources: docs(MESH_MTLS, WEB, backends('http'), SPLIT) },
  // Cross-zone: the remote ingress routes by SNI, so each (subset) cluster's SNI is the tag SNI
  // backend{mesh=default[,version=..]}, ALPN kuma, exact SAN spiffe://default/backend.
  { name: '13-cross-zone-split-sni', mtls: true, resources: docs(MESH_MTLS, WEB, localBackends(2, (i) => ({ version: `v${i}` })), REMOTE_ZONES, SPLIT) },
  // MeshLoadBalancingStrategy affinity tags: locality-weighted LB on the cluster.
  {
    name: '14-cross-zone-mlbs-locality-weighted',
    mtls: true,
    resources: docs(
      MESH_MTLS,
      dataplane({ protocol: 'http', extraTags: { 'kuma.io/zone': 'zone-1', 'k8s.io/node': 'node-1' }, outbounds: [{ service: 'backend', port: 10001 }] }),
      localBackends(2),
      REMOTE_ZONES,
      MLBS_FAILOVER,
    ),
  },
  // Zone egress (spec kuma-kds-xds.md §4): remote endpoints become the local egress (weight 1, same
  // TLS: the egress passes it through); ExternalServices go to the egress with mTLS to its identity
  // (SAN spiffe://default/zone-egress, SNI <service>{mesh=default}); zone-2-db (another zone's) gets none.
  { name: '15-zone-egress', mtls: true, resources: docs(MESH_MTLS_ZONE_EGRESS, WEB_WITH_EXTERNAL, localBackends(2), REMOTE_ZONES, EXTERNAL_SERVICES, LOCAL_EGRESS, OTHER_ZONE_EGRESS) },
  // routing.zoneEgress on but this zone has no ZoneEgress: no remote or external endpoints.
  { name: '16-zone-egress-missing', mtls: true, resources: docs(MESH_MTLS_ZONE_EGRESS, WEB_WITH_EXTERNAL, localBackends(2), REMOTE_ZONES, EXTERNAL_SERVICES, OTHER_ZONE_EGRESS) },
  // Without zone egress routing the sidecar dials ExternalServices itself (STRICT_DNS/STATIC, TLS origination).
  { name: '17-external-services-direct', mtls: true, resources: docs(MESH_MTLS, WEB_WITH_EXTERNAL, localBackends(2), EXTERNAL_SERVICES, LOCAL_EGRESS) },
  // `to: MeshService backend` items beat the defaults' `to: Mesh` items whatever the names; unset fields keep the defaults.
  { name: '18-merge-order-to-items', resources: docs(WEB, backends('http'), MESH_DEFAULT_POLICIES, MERGE_ORDER_POLICIES) },
  // MeshHTTPRoute backends and mirrors get clusters; MeshServiceSubset ones are `<service>-<hash>` with the tags in the SNI.
  routeCase(19, routeCases.redirects),
  routeCase(20, routeCases.subsets),
  routeCase(21, routeCases.tcp),
  { name: '22-meshtls-versions-ciphers', mtls: true, resources: docs(MESH_MTLS, WEB, backends('http'), MESH_TLS_13) },
  // A minimum alone: the upstream gets TLS 1.3 as its maximum, not Envoy's client default of 1.2.
  { name: '23-meshtls-min-only', mtls: true, resources: docs(MESH_MTLS, WEB, backends('http'), MESH_TLS_MIN_13) },
  // gRPC: MeshTimeout's connect timeout only; its HTTP cluster options are http/http2-only in Kuma.
  { name: '24-grpc-mesh-timeout', resources: docs(dataplane({ protocol: 'grpc', outbounds: [{ service: 'backend', port: 10001 }] }), backends('grpc'), GRPC_RETRY_TIMEOUT) },
  // A conf with root hashPolicies only leaves the merged RingHash on the cluster (its routes: outbound-listeners 20).
  { name: '25-ring-hash-merged-with-root-hash-policies', resources: docs(WEB, backends('http'), MERGED_HASH_POLICIES) },
];
