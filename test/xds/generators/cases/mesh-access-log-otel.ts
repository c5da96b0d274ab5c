/** MeshAccessLog OpenTelemetry backends: the access loggers on the listeners and their collector clusters. */
import { backends, dataplane, docs } from '../fixtures';
import type { Case } from '../golden';

const WEB_HTTP = dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }] });
const WEB_TCP = dataplane({ outbounds: [{ service: 'backend', port: 10001 }] });

/**
 * Inbound: an OTLP kvlist body with Kuma placeholders in keys and values, and attributes. Outbound:
 * the default body; `otel-collector` and `otel-collector:4317` share cluster 0, the IP endpoint
 * gets cluster 1 (STATIC).
 */
const OTEL = `
type: MeshAccessLog
mesh: default
name: web-otel
spec:
  targetRef:
    kind: Mesh
  from:
  - targetRef:
      kind: Mesh
    default:
      backends:
      - type: OpenTelemetry
        openTelemetry:
          endpoint: otel-collector:4317
          body:
            kvlistValue:
              values:
              - key: mesh
                value: { stringValue: "%KUMA_MESH%" }
              - key: "%KUMA_TRAFFIC_DIRECTION%"
                value:
                  arrayValue:
                    values:
                    - stringValue: "%KUMA_DESTINATION_SERVICE%"
                    - kvlistValue:
                        values:
                        - key: "%KUMA_MESH%"
                          value: { stringValue: "%RESPONSE_CODE%" }
          attributes:
          - key: start
            value: "%START_TIME%"
          - key: source
            value: "%KUMA_SOURCE_SERVICE%"
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      backends:
      - type: OpenTelemetry
        openTelemetry:
          endpoint: otel-collector
      - type: OpenTelemetry
        openTelemetry:
          endpoint: 127.0.0.1:5317
          body: "%KUMA_SOURCE_SERVICE% -> %KUMA_DESTINATION_SERVICE% %RESPONSE_CODE%"
      - type: OpenTelemetry
        openTelemetry:
          endpoint: 127.0.0.1:5317
          body: { notAnAnyValue: "%KUMA_MESH%" }
`;

export const meshAccessLogOtelCases: Case[] = [
  { name: '01-http', resources: docs(WEB_HTTP, backends('http'), OTEL) },
  { name: '02-tcp-default-formats', resources: docs(WEB_TCP, backends('tcp'), OTEL) },
  { name: '03-no-policy-no-cluster', resources: docs(WEB_HTTP, backends('http')) },
];
