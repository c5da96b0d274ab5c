import { backends, dataplane, docs } from '../fixtures';
import type { Case } from '../golden';

const WEB_TWO_OUTBOUNDS = dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }, { service: 'nowhere', port: 10002 }] });

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
  ];
