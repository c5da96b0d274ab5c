import { MESH_MTLS, MESH_MTLS_PERMISSIVE, dataplane, docs } from '../fixtures';
import type { Case } from '../golden';
import { MESH_TLS_13, MESH_TLS_PERMISSIVE_WEB, MESH_TLS_STRICT_FROM } from '../policy-fixtures/mesh-tls';

const MTP_ALLOW_FRONTEND = `
type: MeshTrafficPermission
mesh: default
name: allow-frontend
spec:
  targetRef:
    kind: MeshService
    name: web
  from:
  - targetRef:
      kind: MeshService
      name: frontend
    default:
      action: Allow
`;

export const inboundListenersCases: Case[] = [
  { name: '01-http', resources: dataplane({ protocol: 'http' }) },
  { name: '02-tcp', resources: dataplane({}) },
  { name: '03-grpc', resources: dataplane({ protocol: 'grpc' }) },
  { name: '04-mtls-mtp-allow', mtls: true, resources: docs(MESH_MTLS, dataplane({ protocol: 'http' }), MTP_ALLOW_FRONTEND) },
  {
    name: '05-mtls-mtp-deny',
    mtls: true,
    resources: docs(
      MESH_MTLS,
      dataplane({}),
      `
type: MeshTrafficPermission
mesh: default
name: allow-all
spec:
  targetRef:
    kind: Mesh
  from:
  - targetRef:
      kind: Mesh
    default:
      action: Allow
---
type: MeshTrafficPermission
mesh: default
name: deny-legacy
spec:
  targetRef:
    kind: MeshService
    name: web
  from:
  - targetRef:
      kind: MeshService
      name: legacy
    default:
      action: Deny
  - targetRef:
      kind: MeshSubset
      tags:
        env: dev
    default:
      action: AllowWithShadowDeny
`,
    ),
  },
  { name: '06-mtls-no-permission-deny-all', mtls: true, resources: docs(MESH_MTLS, dataplane({ protocol: 'http' })) },
  {
    name: '07-mtls-legacy-traffic-permission',
    mtls: true,
    resources: docs(
      MESH_MTLS,
      dataplane({}),
      `
type: TrafficPermission
mesh: default
name: frontend-to-web
sources:
- match:
    kuma.io/service: frontend
    version: v2
- match:
    kuma.io/zone: zone-2
destinations:
- match:
    kuma.io/service: web
---
type: TrafficPermission
mesh: default
name: any-to-other
sources:
- match:
    kuma.io/service: '*'
destinations:
- match:
    kuma.io/service: other
`,
    ),
  },
  { name: '08-mtls-permissive', mtls: true, resources: docs(MESH_MTLS_PERMISSIVE, dataplane({ protocol: 'http' }), MTP_ALLOW_FRONTEND) },
  {
    name: '09-mesh-timeout-from',
    resources: docs(
      dataplane({ protocol: 'http' }),
      `
type: MeshTimeout
mesh: default
name: mesh-timeout-all-default
spec:
  targetRef:
    kind: Mesh
  from:
  - targetRef:
      kind: Mesh
    default:
      connectionTimeout: 10s
      idleTimeout: 2h
      http:
        requestTimeout: 0s
        streamIdleTimeout: 1h
---
type: MeshTimeout
mesh: default
name: web-inbound
spec:
  targetRef:
    kind: MeshService
    name: web
  from:
  - targetRef:
      kind: Mesh
    default:
      http:
        requestTimeout: 3s
        requestHeadersTimeout: 500ms
`,
    ),
  },
  {
    name: '10-ignored-and-not-ready',
    resources: `
type: Dataplane
mesh: default
name: web-01
networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    tags:
      kuma.io/service: web
      kuma.io/protocol: http
  - port: 8090
    address: 10.0.0.1
    serviceAddress: 10.0.0.2
    state: NotReady
    tags:
      kuma.io/service: web-admin
  - port: 8070
    state: Ignored
    tags:
      kuma.io/service: web-ignored
`,
  },
  {
    name: '11-mtls-mtp-tcp-dataplane-section',
    mtls: true,
    resources: docs(
      MESH_MTLS,
      dataplane({ extraTags: { version: 'v1' } }),
      `
type: MeshTrafficPermission
mesh: default
name: dp-specific
spec:
  targetRef:
    kind: Dataplane
    name: web-01
    sectionName: "8080"
  from:
  - targetRef:
      kind: MeshSubset
      tags:
        kuma.io/zone: zone-2
    default:
      action: Allow
`,
    ),
  },
  { name: '12-meshtls-versions-ciphers', mtls: true, resources: docs(MESH_MTLS, dataplane({ protocol: 'http' }), MTP_ALLOW_FRONTEND, MESH_TLS_13) },
  { name: '13-meshtls-permissive-over-strict', mtls: true, resources: docs(MESH_MTLS, dataplane({ protocol: 'http' }), MTP_ALLOW_FRONTEND, MESH_TLS_PERMISSIVE_WEB) },
  { name: '14-meshtls-strict-over-permissive', mtls: true, resources: docs(MESH_MTLS_PERMISSIVE, dataplane({}), MESH_TLS_STRICT_FROM) },
  { name: '15-meshtls-without-mtls-ignored', resources: docs(dataplane({ protocol: 'http' }), MESH_TLS_13, MESH_TLS_PERMISSIVE_WEB) },
  // Mesh mTLS negotiates ALPN "kuma": an HTTP/2 service's mTLS chain names the HTTP2 codec, its
  // plaintext (permissive) chain keeps detection.
  { name: '16-mtls-grpc-codec', mtls: true, resources: docs(MESH_MTLS_PERMISSIVE, dataplane({ protocol: 'grpc' }), MTP_ALLOW_FRONTEND) },
];
