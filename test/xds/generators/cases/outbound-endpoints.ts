import { MESH_MTLS_LOCALITY_AWARE, MLBS_FAILOVER, REMOTE_ZONES, localBackends } from '../cross-zone-fixtures';
import { MESH_MTLS, backends, dataplane, docs } from '../fixtures';
import { EXTERNAL_SERVICES, LOCAL_EGRESS, MESH_MTLS_ZONE_EGRESS, OTHER_ZONE_EGRESS, WEB_WITH_EXTERNAL } from '../egress-fixtures';
import type { Case } from '../golden';
import { routeCase, routeCases } from './mesh-routes';

const WEB_TWO_OUTBOUNDS = dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }, { service: 'nowhere', port: 10002 }] });

/** A zone-1 client on node-1 / az-1 (affinity tags of MeshLoadBalancingStrategy). */
const WEB_ZONE_1 = dataplane({
  protocol: 'http',
  extraTags: { 'kuma.io/zone': 'zone-1', 'k8s.io/node': 'node-1', 'k8s.io/az': 'az-1' },
  outbounds: [{ service: 'backend', port: 10001 }],
});

/** Three local backends: node-1/az-1, node-2/az-1, node-3/az-2. */
const LOCAL_3 = localBackends(3, (i) => ({ 'k8s.io/node': `node-${i}`, 'k8s.io/az': i < 3 ? 'az-1' : 'az-2' }));

const MLBS_DISABLED = `
type: MeshLoadBalancingStrategy
mesh: default
name: backend-no-locality
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: Mesh
    default:
      localityAwareness:
        disabled: true
`;

const MLBS_LOCAL_ZONE_ONLY = `
type: MeshLoadBalancingStrategy
mesh: default
name: backend-stay-local
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      localityAwareness:
        localZone: {}
`;

const MLBS_LB_ONLY = `
type: MeshLoadBalancingStrategy
mesh: default
name: backend-least-request
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      loadBalancer:
        type: LeastRequest
`;

export const outboundEndpointsCases: Case[] = [
  {
    name: '01-healthy-endpoints',
    resources: docs(
      WEB_TWO_OUTBOUNDS,
      backends('http'),
      `
type: Dataplane
mesh: default
name: backend-03
networking:
  address: 192.168.0.9
  advertisedAddress: 10.9.9.9
  inbound:
  - port: 9090
    tags:
      kuma.io/service: backend
      kuma.io/protocol: http
  - port: 9091
    health:
      ready: false
    tags:
      kuma.io/service: backend
      kuma.io/protocol: http
  - port: 9092
    state: NotReady
    tags:
      kuma.io/service: backend
      kuma.io/protocol: http
---
type: Dataplane
mesh: default
name: backend-remote
labels:
  kuma.io/zone: zone-2
networking:
  address: 172.16.0.1
  inbound:
  - port: 9090
    tags:
      kuma.io/service: backend
      kuma.io/protocol: http
`,
    ),
  },
  {
    name: '02-split-subsets',
    resources: docs(
      WEB_TWO_OUTBOUNDS,
      backends('http'),
      `
type: TrafficRoute
mesh: default
name: backend-canary
sources:
- match:
    kuma.io/service: '*'
destinations:
- match:
    kuma.io/service: '*'
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
`,
    ),
  },
  // Cross-zone (spec kuma-kds-xds.md §2.5). 2 local instances; zone-2: 1 instance behind two ingress
  // replicas on one address (one endpoint); zone-3: 2 instances; zone-4: no public address; the
  // zone's own ingress is never an endpoint. Local weight = 2 remote coordinates.
  { name: '03-cross-zone-mtls', mtls: true, resources: docs(MESH_MTLS, WEB_TWO_OUTBOUNDS, localBackends(2), REMOTE_ZONES) },
  // Without mTLS the ingress endpoints are dropped (MeshContext.crossZoneNotes says why).
  { name: '04-cross-zone-no-mtls', resources: docs(WEB_TWO_OUTBOUNDS, localBackends(2), REMOTE_ZONES) },
  // Mesh routing.localityAwareLoadBalancing: other zones priority 1.
  { name: '05-cross-zone-locality-aware-mesh', mtls: true, resources: docs(MESH_MTLS_LOCALITY_AWARE, WEB_TWO_OUTBOUNDS, localBackends(2), REMOTE_ZONES) },
  // MeshLoadBalancingStrategy affinity tags + ordered cross-zone failover.
  { name: '06-cross-zone-mlbs-failover', mtls: true, resources: docs(MESH_MTLS, WEB_ZONE_1, LOCAL_3, REMOTE_ZONES, MLBS_FAILOVER) },
  // localityAwareness.disabled wins over the Mesh flag: everything priority 0.
  { name: '07-cross-zone-mlbs-disabled', mtls: true, resources: docs(MESH_MTLS_LOCALITY_AWARE, WEB_ZONE_1, localBackends(2), REMOTE_ZONES, MLBS_DISABLED) },
  // localZone only: no cross-zone endpoints at all.
  { name: '08-cross-zone-mlbs-local-zone-only', mtls: true, resources: docs(MESH_MTLS, WEB_ZONE_1, localBackends(2), REMOTE_ZONES, MLBS_LOCAL_ZONE_ONLY) },
  // A MeshLoadBalancingStrategy without localityAwareness still keeps traffic local first.
  { name: '09-cross-zone-mlbs-default-local-first', mtls: true, resources: docs(MESH_MTLS, WEB_ZONE_1, localBackends(2), REMOTE_ZONES, MLBS_LB_ONLY) },
  // Split subsets pick the remote instances carrying the subset's tags.
  {
    name: '10-cross-zone-split-subsets',
    mtls: true,
    resources: docs(
      MESH_MTLS,
      WEB_TWO_OUTBOUNDS,
      localBackends(2, (i) => ({ version: `v${i}` })),
      REMOTE_ZONES,
      `
type: TrafficRoute
mesh: default
name: backend-canary
sources:
- match:
    kuma.io/service: '*'
destinations:
- match:
    kuma.io/service: '*'
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
`,
    ),
  },
  // Zone egress (spec kuma-kds-xds.md §4): remote endpoints become the local egress (weight 1, same
  // TLS: the egress passes it through); ExternalServices go to the egress with mTLS to its identity
  // (SAN spiffe://default/zone-egress, SNI <service>{mesh=default}); zone-2-db (another zone's) gets none.
  { name: '11-zone-egress', mtls: true, resources: docs(MESH_MTLS_ZONE_EGRESS, WEB_WITH_EXTERNAL, localBackends(2), REMOTE_ZONES, EXTERNAL_SERVICES, LOCAL_EGRESS, OTHER_ZONE_EGRESS) },
  // routing.zoneEgress on but this zone has no ZoneEgress: no remote or external endpoints.
  { name: '12-zone-egress-missing', mtls: true, resources: docs(MESH_MTLS_ZONE_EGRESS, WEB_WITH_EXTERNAL, localBackends(2), REMOTE_ZONES, EXTERNAL_SERVICES, OTHER_ZONE_EGRESS) },
  // Without zone egress routing the sidecar dials ExternalServices itself (STRICT_DNS/STATIC, TLS origination).
  { name: '13-external-services-direct', mtls: true, resources: docs(MESH_MTLS, WEB_WITH_EXTERNAL, localBackends(2), EXTERNAL_SERVICES, LOCAL_EGRESS) },
  // MeshServiceSubset backends keep only endpoints with the subset's tags, local and remote (ingresses advertising them).
  routeCase(14, routeCases.subsets),
  routeCase(15, routeCases.tcp),
];
