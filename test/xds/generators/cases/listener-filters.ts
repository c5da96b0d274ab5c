/** MeshFaultInjection, MeshRateLimit and MeshAccessLog as they land on inbound and outbound listeners. */
import { backends, dataplane, docs } from '../fixtures';
import type { Case } from '../golden';

const WEB_HTTP = dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }] });
const WEB_TCP = dataplane({ outbounds: [{ service: 'backend', port: 10001 }] });

const FAULTS = `
type: MeshFaultInjection
mesh: default
name: web-faults
spec:
  targetRef:
    kind: MeshService
    name: web
  from:
  - targetRef:
      kind: Mesh
    default:
      http:
      - abort:
          httpStatus: 503
          percentage: 50
      - delay:
          value: 5s
          percentage: "12.5"
  - targetRef:
      kind: MeshService
      name: frontend
    default:
      http:
      - responseBandwidth:
          limit: 2Mbps
          percentage: 100
`;

const RATE_LIMIT = `
type: MeshRateLimit
mesh: default
name: web-rate-limit
spec:
  targetRef:
    kind: Mesh
  rules:
  - default:
      local:
        http:
          requestRate:
            num: 5
            interval: 10s
          onRateLimit:
            status: 423
            headers:
              set:
              - name: x-kuma-rate-limited
                value: "true"
              add:
              - name: x-limit
                value: "5"
        tcp:
          connectionRate:
            num: 100
            interval: 1s
`;

const ACCESS_LOG = `
type: MeshAccessLog
mesh: default
name: web-logs
spec:
  targetRef:
    kind: Mesh
  from:
  - targetRef:
      kind: Mesh
    default:
      backends:
      - type: File
        file:
          path: /tmp/kuma-inbound.log
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      backends:
      - type: File
        file:
          path: /tmp/kuma-outbound.log
          format:
            type: Json
            omitEmptyValues: true
            json:
            - key: mesh
              value: "%KUMA_MESH%"
            - key: route
              value: "%KUMA_SOURCE_SERVICE%->%KUMA_DESTINATION_SERVICE% (%KUMA_TRAFFIC_DIRECTION%)"
      - type: Tcp
        tcp:
          address: 127.0.0.1:5000
          format:
            type: Plain
            plain: "%START_TIME% %KUMA_SOURCE_ADDRESS_WITHOUT_PORT% %KUMA_DESTINATION_SERVICE%"
`;

export const listenerFiltersCases: Case[] = [
  { name: '01-fault-injection-http', resources: docs(WEB_HTTP, backends('http'), FAULTS) },
  { name: '02-fault-injection-tcp-untouched', resources: docs(WEB_TCP, backends('tcp'), FAULTS) },
  { name: '03-rate-limit-http', resources: docs(WEB_HTTP, backends('http'), RATE_LIMIT) },
  { name: '04-rate-limit-tcp', resources: docs(WEB_TCP, backends('tcp'), RATE_LIMIT) },
  { name: '05-access-log-http', resources: docs(WEB_HTTP, backends('http'), ACCESS_LOG) },
  { name: '06-access-log-tcp', resources: docs(WEB_TCP, backends('tcp'), ACCESS_LOG) },
  { name: '07-all-three', resources: docs(WEB_HTTP, backends('http'), FAULTS, RATE_LIMIT, ACCESS_LOG) },
];
