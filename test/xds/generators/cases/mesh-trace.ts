/** MeshTrace: HCM tracing on HTTP inbounds and outbounds, and the backend's collector cluster. */
import { backends, dataplane, docs } from '../fixtures';
import type { Case } from '../golden';

const WEB_HTTP = dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }] });
const WEB_TCP = dataplane({ outbounds: [{ service: 'backend', port: 10001 }] });

function trace(name: string, targetRef: string, conf: string): string {
  return `
type: MeshTrace
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

const ZIPKIN = trace(
  'zipkin',
  '{ kind: Mesh }',
  `
backends:
- type: Zipkin
  zipkin: { url: "http://127.0.0.1:9411/api/v2/spans", traceId128bit: true }
sampling: { overall: 80, client: "100", random: "12.5" }
tags:
- { name: team, literal: core }
- name: env
  header: { name: x-env, default: prod }
- name: version
  header: { name: x-version }
`,
);

const DATADOG = trace(
  'datadog',
  '{ kind: MeshService, name: web }',
  `
backends:
- type: Datadog
  datadog: { url: "http://datadog-agent:8126", splitService: true }
`,
);

const OTEL_GRPC = trace(
  'otel',
  '{ kind: MeshSubset, tags: { kuma.io/service: web } }',
  `
backends:
- type: OpenTelemetry
  openTelemetry: { endpoint: "otel-collector:4317" }
sampling: { overall: 0 }
`,
);

const OTEL_HTTPS = trace(
  'otel-http',
  '{ kind: Mesh }',
  `
backends:
- type: OpenTelemetry
  openTelemetry: { endpoint: "https://otel.example.com/v1/traces" }
`,
);

/** More specific than ZIPKIN: its sampling wins, the backend and tags come from the Mesh-wide one. */
const WEB_SAMPLING = trace('web-sampling', '{ kind: MeshService, name: web }', 'sampling: { overall: 5 }');
/** More specific than ZIPKIN: no backend, so tracing is off for web. */
const WEB_OFF = trace('web-off', '{ kind: MeshService, name: web }', 'backends: []');
/** Selects another service: web is not traced. */
const OTHER = trace('other', '{ kind: MeshService, name: payments }', 'backends: [{ type: Zipkin, zipkin: { url: "http://127.0.0.1:9411/api/v2/spans" } }]');

export const meshTraceCases: Case[] = [
  { name: '01-zipkin-http', resources: docs(WEB_HTTP, backends('http'), ZIPKIN) },
  { name: '02-zipkin-tcp-not-traced', resources: docs(WEB_TCP, backends('tcp'), ZIPKIN) },
  { name: '03-datadog-split-service', resources: docs(WEB_HTTP, backends('http'), DATADOG) },
  { name: '04-opentelemetry-grpc', resources: docs(WEB_HTTP, backends('http'), OTEL_GRPC) },
  { name: '05-opentelemetry-https', resources: docs(WEB_HTTP, backends('http'), OTEL_HTTPS) },
  { name: '06-service-overrides-mesh', resources: docs(WEB_HTTP, backends('http'), ZIPKIN, WEB_SAMPLING) },
  { name: '07-service-turns-it-off', resources: docs(WEB_HTTP, backends('http'), ZIPKIN, WEB_OFF) },
  { name: '08-other-service-only', resources: docs(WEB_HTTP, backends('http'), OTHER) },
];
