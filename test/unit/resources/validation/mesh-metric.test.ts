import { v, validationTable } from './table';

const head = 'type: MeshMetric\nmesh: default\nname: mm\n';

validationTable('MeshMetric', {
  valid: {
    'prometheus with profiles and an application': `${head}spec:
  targetRef: { kind: Mesh }
  default:
    sidecar:
      includeUnused: true
      profiles:
        appendProfiles: [{ name: Basic }]
        exclude: [{ type: Prefix, match: envoy_cluster_ }]
        include: [{ type: Regex, match: "envoy_cluster_upstream_rq.*" }, { type: Contains, match: upstream_cx }, { type: Exact, match: envoy_server_live }]
    applications:
    - { name: app, path: /metrics/prometheus, port: 8888, address: 127.0.0.1 }
    backends:
    - type: Prometheus
      prometheus: { port: 5670, path: /metrics, clientId: main, tls: { mode: Disabled } }
`,
    'defaults only, targeting a Dataplane': `${head}spec:
  targetRef: { kind: Dataplane, labels: { app: web } }
  default:
    backends: [{ type: Prometheus, prometheus: {} }]
`,
    'OpenTelemetry with the default refreshInterval, beside Prometheus': `${head}spec:
  targetRef: { kind: Mesh }
  default:
    backends:
    - type: OpenTelemetry
      openTelemetry: { endpoint: "otel-collector.observability.svc:4317" }
    - type: OpenTelemetry
      openTelemetry: { endpoint: "127.0.0.1", refreshInterval: 30s }
    - type: Prometheus
      prometheus: {}
`,
    'no backends': `${head}spec:
  targetRef: { kind: MeshService, name: backend }
  default: {}
`,
  },
  invalid: {
    'unknown fields and to': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh }
  default:
    bogus: 1
  to:
  - targetRef: { kind: Mesh }
    default: {}
`,
      violations: [v('spec.default.bogus', 'unknown field "bogus"; known fields: sidecar, applications, backends'), v('spec.to', 'must not be defined')],
    },
    'bad backend type and missing sections': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh }
  default:
    backends:
    - type: Graphite
    - type: Prometheus
    - {}
`,
      violations: [
        v('spec.default.backends[0].type', '"type" must be one of ["Prometheus", "OpenTelemetry"]'),
        v('spec.default.backends[1].prometheus', 'must be defined'),
        v('spec.default.backends[2].type', 'must be defined'),
      ],
    },
    'OpenTelemetry: section, endpoint and refreshInterval rules': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh }
  default:
    backends:
    - type: OpenTelemetry
    - type: OpenTelemetry
      openTelemetry: {}
    - type: OpenTelemetry
      openTelemetry: { endpoint: "http://otel-collector:4317" }
    - type: OpenTelemetry
      openTelemetry: { endpoint: "otel-collector:4317/v1/metrics", refreshInterval: 0s }
    - type: OpenTelemetry
      openTelemetry: { endpoint: "otel-collector:99999", refreshInterval: soon }
    - type: OpenTelemetry
      openTelemetry: { endpoint: "collector", refresh: 1m }
`,
      violations: [
        // Unknown fields are reported by the decoder, before the rules run.
        v('spec.default.backends[5].openTelemetry.refresh', 'unknown field "refresh"; known fields: endpoint, refreshInterval'),
        v('spec.default.backends[0].openTelemetry', 'must be defined'),
        v('spec.default.backends[1].openTelemetry.endpoint', 'must be a valid url'),
        v('spec.default.backends[2].openTelemetry.endpoint', 'must not use schema'),
        v('spec.default.backends[3].openTelemetry.endpoint', 'must be a valid url: host or host:port of an OTLP/gRPC collector (port 4317 by default)'),
        v('spec.default.backends[3].openTelemetry.refreshInterval', 'must be greater than 0'),
        v('spec.default.backends[4].openTelemetry.endpoint', 'must be a valid url: host or host:port of an OTLP/gRPC collector (port 4317 by default)'),
        v('spec.default.backends[4].openTelemetry.refreshInterval', 'must be a valid duration, e.g. "5s", "1m30s" or "250ms"'),
      ],
    },
    'OpenTelemetry: two backends to one collector': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh }
  default:
    backends:
    - type: OpenTelemetry
      openTelemetry: { endpoint: "otel-collector:4317" }
    - type: OpenTelemetry
      openTelemetry: { endpoint: "otel-collector:4317", refreshInterval: 10s }
`,
      violations: [v('spec.default.backends[1].openTelemetry.endpoint', 'must differ from backends[0].openTelemetry.endpoint')],
    },
    'ports, paths, profiles, selectors and TLS': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh }
  default:
    sidecar:
      profiles:
        appendProfiles: [{ name: Everything }, {}]
        exclude: [{ type: Glob, match: x }, { type: Regex, match: "(" }, { type: Prefix }]
    applications:
    - { path: metrics, port: 70000 }
    backends:
    - type: Prometheus
      prometheus: { port: 0, path: stats, tls: { mode: ProvidedTLS } }
    - type: Prometheus
      prometheus: { port: 0 }
`,
      violations: [
        v('spec.default.sidecar.profiles.appendProfiles[0].name', 'must be one of: All, Basic, None'),
        v('spec.default.sidecar.profiles.appendProfiles[1].name', 'must be defined'),
        v('spec.default.sidecar.profiles.exclude[0].type', '"type" must be one of ["Prefix", "Regex", "Exact", "Contains"]'),
        v('spec.default.sidecar.profiles.exclude[1].match', 'invalid regex'),
        v('spec.default.sidecar.profiles.exclude[2].match', 'must be defined'),
        v('spec.default.applications[0].port', 'port must be in the range [1, 65535]'),
        v('spec.default.applications[0].path', 'must be an absolute path starting with "/"'),
        v('spec.default.backends[0].prometheus.port', 'port must be in the range [1, 65535]'),
        v('spec.default.backends[0].prometheus.path', 'must be an absolute path starting with "/"'),
        v('spec.default.backends[0].prometheus.tls.mode', 'only Disabled is supported by this control plane yet (the scrape listener serves plain HTTP)'),
        v('spec.default.backends[1].prometheus.port', 'port must be in the range [1, 65535]'),
        v('spec.default.backends[1].prometheus.port', 'must differ from backends[0].prometheus.port (0)'),
      ],
    },
  },
});
