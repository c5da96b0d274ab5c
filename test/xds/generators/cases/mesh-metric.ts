/** MeshMetric: scrape listeners to kuma-dp's hijacker and the dynamic config listener kuma-dp polls. */
import { backends, dataplane, docs } from '../fixtures';
import type { Case } from '../golden';

const WEB = dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }] });

function metric(name: string, targetRef: string, conf: string): string {
  return `
type: MeshMetric
mesh: default
name: ${name}
spec:
  targetRef: ${targetRef}
  default:
${conf
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;
}

const DEFAULTS = metric('defaults', '{ kind: Mesh }', 'backends: [{ type: Prometheus, prometheus: {} }]');

const FULL = metric(
  'full',
  '{ kind: Mesh }',
  `
sidecar:
  includeUnused: true
  profiles:
    appendProfiles: [{ name: Basic }]
    exclude: [{ type: Prefix, match: envoy_cluster_ }]
    include: [{ type: Contains, match: upstream_rq }]
applications:
- { name: app, path: /metrics/prometheus, port: 8888 }
- { port: 9090, address: 192.168.0.1 }
backends:
- type: Prometheus
  prometheus: { port: 5671, path: /stats, clientId: main }
- type: Prometheus
  prometheus: { port: 5672, clientId: second }
`,
);

/** More specific than DEFAULTS: web moves its scrape port, the rest of the conf stays. */
const WEB_PORT = metric('web-port', '{ kind: MeshService, name: web }', 'backends: [{ type: Prometheus, prometheus: { port: 9999 } }]');
/** Selects another service: web gets nothing. */
const OTHER = metric('other', '{ kind: MeshService, name: payments }', 'backends: [{ type: Prometheus, prometheus: {} }]');
/**
 * OpenTelemetry: a named collector with Kuma's default interval (STRICT_DNS cluster) and an IP one
 * with its own (STATIC), beside a Prometheus backend; the zone and version tags reach extraLabels.
 */
const OTEL = metric(
  'otel',
  '{ kind: Mesh }',
  `
applications:
- { name: app, port: 8888 }
backends:
- type: OpenTelemetry
  openTelemetry: { endpoint: "otel-collector.observability.svc:4317" }
- type: OpenTelemetry
  openTelemetry: { endpoint: "10.0.0.9", refreshInterval: 10s }
- type: Prometheus
  prometheus: {}
`,
);
const WEB_ZONED = dataplane({ protocol: 'http', extraTags: { 'kuma.io/zone': 'zone-1', version: 'v2' } });
/** OpenTelemetry only: no scrape listener, no hijacker cluster. */
const OTEL_ONLY = metric('otel-only', '{ kind: Mesh }', 'backends: [{ type: OpenTelemetry, openTelemetry: { endpoint: "127.0.0.1:4317", refreshInterval: 5s } }]');
/** No backend: kuma-dp still gets the conf (nothing to scrape it through yet). */
const NO_BACKEND = metric('no-backend', '{ kind: Mesh }', 'applications: [{ port: 8888 }]');

export const meshMetricCases: Case[] = [
  { name: '01-prometheus-defaults', resources: docs(WEB, backends('http'), DEFAULTS) },
  { name: '02-profiles-applications-two-backends', resources: docs(WEB, backends('http'), FULL) },
  { name: '03-service-overrides-port', resources: docs(WEB, backends('http'), DEFAULTS, WEB_PORT) },
  { name: '04-other-service-only', resources: docs(WEB, backends('http'), OTHER) },
  { name: '05-no-backend', resources: docs(WEB, backends('http'), NO_BACKEND) },
  { name: '06-opentelemetry-two-collectors-and-prometheus', resources: docs(WEB_ZONED, OTEL) },
  { name: '07-opentelemetry-only', resources: docs(WEB, OTEL_ONLY) },
];
