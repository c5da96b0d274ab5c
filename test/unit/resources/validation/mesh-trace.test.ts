import { v, validationTable } from './table';

const head = 'type: MeshTrace\nmesh: default\nname: mtr\n';

validationTable('MeshTrace', {
  valid: {
    'zipkin with sampling and tags': `${head}spec:
  targetRef: { kind: Mesh }
  default:
    backends:
    - type: Zipkin
      zipkin: { url: "http://jaeger-collector:9411/api/v2/spans", apiVersion: httpProto, traceId128bit: true, sharedSpanContext: false }
    sampling: { overall: 80, random: "60", client: "0.1" }
    tags:
    - { name: team, literal: core }
    - name: env
      header: { name: x-env, default: prod }
    - name: version
      header: { name: x-version }
`,
    'datadog': `${head}spec:
  targetRef: { kind: MeshService, name: backend }
  default:
    backends:
    - type: Datadog
      datadog: { url: "http://127.0.0.1:8126", splitService: true }
`,
    'opentelemetry gRPC and HTTP endpoints': `${head}spec:
  targetRef: { kind: MeshSubset, tags: { team: core } }
  default:
    backends:
    - type: OpenTelemetry
      openTelemetry: { endpoint: "otel-collector:4317" }
`,
    'opentelemetry http endpoint': `${head}spec:
  targetRef: { kind: MeshServiceSubset, name: backend, tags: { version: v1 } }
  default:
    backends:
    - type: OpenTelemetry
      openTelemetry: { endpoint: "https://otel-collector:4318/v1/traces" }
`,
    'no backend (tracing off) and no targetRef': `${head}spec:
  default:
    backends: []
`,
    'sampling 0': `${head}spec:
  targetRef: { kind: Dataplane, labels: { app: web } }
  default:
    backends: [{ type: Zipkin, zipkin: { url: "http://127.0.0.1:9411/api/v2/spans" } }]
    sampling: { overall: 0, client: "0", random: 100 }
`,
  },
  invalid: {
    'missing default': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh }
`,
      violations: [v('spec.default.backends', 'must be defined')],
    },
    'to, from and unknown fields': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh }
  default:
    backends: []
    bogus: 1
  to:
  - targetRef: { kind: Mesh }
    default: {}
`,
      violations: [v('spec.default.bogus', 'unknown field "bogus"; known fields: backends, sampling, tags'), v('spec.to', 'must not be defined')],
    },
    'unsupported targetRef kind': {
      yaml: `${head}spec:
  targetRef: { kind: MeshHTTPRoute, name: r }
  default: { backends: [] }
`,
      violations: [v('spec.targetRef.kind', 'value is not supported')],
    },
    'two backends': {
      yaml: `${head}spec:
  default:
    backends:
    - { type: Zipkin, zipkin: { url: "http://a:9411/api/v2/spans" } }
    - { type: Zipkin, zipkin: { url: "http://b:9411/api/v2/spans" } }
`,
      violations: [v('spec.default.backends', 'must have zero or one backend defined')],
    },
    'backend type and sections': {
      yaml: `${head}spec:
  default:
    backends:
    - type: Jaeger
`,
      violations: [v('spec.default.backends[0].type', '"type" must be one of ["Zipkin", "Datadog", "OpenTelemetry"]')],
    },
    'zipkin section missing': {
      yaml: `${head}spec:
  default:
    backends: [{ type: Zipkin }]
`,
      violations: [v('spec.default.backends[0].zipkin', 'must be defined')],
    },
    'zipkin url empty, bad api version': {
      yaml: `${head}spec:
  default:
    backends: [{ type: Zipkin, zipkin: { url: "", apiVersion: grpc } }]
`,
      violations: [v('spec.default.backends[0].zipkin.url', 'must not be empty'), v('spec.default.backends[0].zipkin.apiVersion', 'must be one of: httpJson, httpProto')],
    },
    'zipkin url invalid': {
      yaml: `${head}spec:
  default:
    backends: [{ type: Zipkin, zipkin: { url: "not a url" } }]
`,
      violations: [v('spec.default.backends[0].zipkin.url', 'must be a valid url')],
    },
    'datadog url rules': {
      yaml: `${head}spec:
  default:
    backends: [{ type: Datadog, datadog: { url: "https://dd-agent/traces?x=1" } }]
`,
      violations: [
        v('spec.default.backends[0].datadog.url', 'scheme must be http'),
        v('spec.default.backends[0].datadog.url', 'port must be defined'),
        v('spec.default.backends[0].datadog.url', 'path must not be defined'),
        v('spec.default.backends[0].datadog.url', 'query must not be defined'),
      ],
    },
    'datadog url not a request URI, port out of range': {
      yaml: `${head}spec:
  default:
    backends: [{ type: Datadog, datadog: { url: "127.0.0.1:8126" } }]
`,
      violations: [v('spec.default.backends[0].datadog.url', 'must be a valid url')],
    },
    'datadog port zero': {
      yaml: `${head}spec:
  default:
    backends: [{ type: Datadog, datadog: { url: "http://127.0.0.1:0" } }]
`,
      violations: [v('spec.default.backends[0].datadog.url', 'port must be a valid (1-65535)')],
    },
    'opentelemetry endpoint rules': {
      yaml: `${head}spec:
  default:
    backends: [{ type: OpenTelemetry, openTelemetry: { endpoint: "grpc://collector:99999" } }]
`,
      violations: [v('spec.default.backends[0].openTelemetry.endpoint', 'URL scheme must be http or https'), v('spec.default.backends[0].openTelemetry.endpoint', 'port must be valid (1-65535)')],
    },
    'opentelemetry endpoint empty': {
      yaml: `${head}spec:
  default:
    backends: [{ type: OpenTelemetry, openTelemetry: { endpoint: "" } }]
`,
      violations: [v('spec.default.backends[0].openTelemetry.endpoint', 'must not be empty')],
    },
    'opentelemetry URL without host': {
      yaml: `${head}spec:
  default:
    backends: [{ type: OpenTelemetry, openTelemetry: { endpoint: "http://" } }]
`,
      violations: [v('spec.default.backends[0].openTelemetry.endpoint', 'must be a valid URL')],
    },
    'sampling out of range and not a number': {
      yaml: `${head}spec:
  default:
    backends: []
    sampling: { client: 101, random: "-1", overall: "lots" }
`,
      violations: [
        v('spec.default.sampling.client', 'must be between 0 and 100'),
        v('spec.default.sampling.random', 'must be between 0 and 100'),
        v('spec.default.sampling.overall', 'string is not a number'),
      ],
    },
    'tags': {
      yaml: `${head}spec:
  default:
    backends: []
    tags:
    - { literal: x }
    - { name: both, literal: x, header: { name: x-h } }
    - { name: neither }
    - { name: no-header-name, header: { default: d } }
`,
      violations: [
        v('spec.default.tags[0].name', 'must not be empty'),
        v('spec.default.tags[1]', 'tag must have only one type defined: header, literal'),
        v('spec.default.tags[2]', 'tag must have only one type defined: header, literal'),
        v('spec.default.tags[3].header.name', 'must not be empty'),
      ],
    },
  },
});
