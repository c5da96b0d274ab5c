import { dataplane, docs } from '../fixtures';
import type { Case } from '../golden';

export const inboundClustersCases: Case[] = [
  { name: '01-tcp', resources: dataplane({}) },
  { name: '02-http', resources: dataplane({ protocol: 'http' }) },
  { name: '03-grpc-http2-upstream', resources: dataplane({ protocol: 'grpc' }) },
  {
    name: '04-service-address-and-shared-port',
    resources: `
type: Dataplane
mesh: default
name: web-01
networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    serviceAddress: 10.0.0.5
    servicePort: 18080
    tags:
      kuma.io/service: web
  - port: 8081
    servicePort: 18080
    tags:
      kuma.io/service: web-copy
  - port: 8082
    state: Ignored
    tags:
      kuma.io/service: ignored
`,
  },
  {
    name: '05-mesh-timeout-from',
    resources: docs(
      dataplane({ protocol: 'http' }),
      `
type: MeshTimeout
mesh: default
name: inbound-timeouts
spec:
  targetRef:
    kind: Mesh
  from:
  - targetRef:
      kind: Mesh
    default:
      connectionTimeout: 2s
      idleTimeout: 30m
      http:
        maxStreamDuration: 10m
`,
    ),
  },
  {
    // gRPC: the connect timeout applies, the HTTP cluster options stay at the inbound defaults.
    name: '06-mesh-timeout-from-grpc',
    resources: docs(
      dataplane({ protocol: 'grpc' }),
      `
type: MeshTimeout
mesh: default
name: inbound-timeouts
spec:
  targetRef:
    kind: Mesh
  from:
  - targetRef:
      kind: Mesh
    default:
      connectionTimeout: 2s
      idleTimeout: 30m
      http:
        maxStreamDuration: 10m
        maxConnectionDuration: 1h
`,
    ),
  },
  ];
