import { v, validationTable } from './table';

const head = 'type: MeshAccessLog\nmesh: default\nname: mal\n';

validationTable('MeshAccessLog', {
  valid: {
    'every backend and format': `${head}spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      backends:
      - type: File
        file: { path: /tmp/access.log }
      - type: File
        file:
          path: /dev/stdout
          format: { type: Plain, plain: "%KUMA_MESH% %KUMA_SOURCE_SERVICE%", omitEmptyValues: true }
      - type: Tcp
        tcp:
          address: 127.0.0.1:5000
          format: { type: Json, json: [{ key: mesh, value: "%KUMA_MESH%" }] }
  from:
  - targetRef: { kind: Mesh }
    default: { backends: [{ type: File, file: { path: /tmp/in.log } }] }
`,
    'OpenTelemetry backends': `${head}spec:
  targetRef: { kind: Mesh }
  rules:
  - default:
      backends:
      - type: OpenTelemetry
        openTelemetry: { endpoint: otel-collector:4317, body: { kvlistValue: { values: [] } }, attributes: [{ key: mesh, value: "%KUMA_MESH%" }] }
      - type: OpenTelemetry
        openTelemetry: { endpoint: 10.0.0.1, body: "%KUMA_MESH% %START_TIME%" }
`,
    'rules': `${head}spec:
  targetRef: { kind: Dataplane, labels: { app: backend } }
  rules:
  - default: { backends: [{ type: File, file: { path: /dev/stdout } }] }
`,
  },
  invalid: {
    'no section': {
      yaml: `${head}spec: {}
`,
      violations: [v('spec', "at least one of 'from', 'to' or 'rules' has to be defined")],
    },
    'OpenTelemetry endpoint and attributes': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh }
  rules:
  - default:
      backends:
      - type: OpenTelemetry
        openTelemetry: { endpoint: "otel-collector:http" }
      - type: OpenTelemetry
        openTelemetry: { endpoint: "otel-collector:70000", attributes: [{ key: "", value: x }, { key: k, value: 5 }] }
      - type: OpenTelemetry
        openTelemetry: {}
      - type: OpenTelemetry
        openTelemetry:
          endpoint: collector
          body: { kvlistValue: { values: [{ key: a, value: { intValue: 1 } }, { key: b, value: { arrayValue: { values: [{ boolValue: true }] } } }] } }
`,
      violations: [
        v('spec.rules[0].default.backends[0].openTelemetry.endpoint', 'must be a valid address: host or host:port'),
        v('spec.rules[0].default.backends[1].openTelemetry.endpoint', 'must be a valid address: host or host:port'),
        v('spec.rules[0].default.backends[1].openTelemetry.attributes[0].key', 'key cannot be empty'),
        v('spec.rules[0].default.backends[1].openTelemetry.attributes[1].value', 'must be a string'),
        v('spec.rules[0].default.backends[2].openTelemetry.endpoint', 'must be defined'),
        v('spec.rules[0].default.backends[3].openTelemetry.body.kvlistValue.values[0].value.intValue', 'only stringValue, kvlistValue and arrayValue are supported in an OpenTelemetry body'),
        v('spec.rules[0].default.backends[3].openTelemetry.body.kvlistValue.values[1].value.arrayValue.values[0].boolValue', 'only stringValue, kvlistValue and arrayValue are supported in an OpenTelemetry body'),
      ],
    },
    'missing backends and their sections': {
      yaml: `${head}spec:
  from:
  - targetRef: { kind: Mesh }
    default: {}
  rules:
  - default:
      backends:
      - type: File
      - type: Tcp
        tcp: { address: "not an address" }
      - {}
      - type: Syslog
`,
      violations: [
        v('spec', "field 'from' must be empty when 'rules' is defined"),
        v('spec.from[0].default.backends', 'must be defined'),
        v('spec.rules[0].default.backends[0].file', 'must be defined'),
        v('spec.rules[0].default.backends[1].tcp.address', 'tcp backend requires valid address'),
        v('spec.rules[0].default.backends[2].type', 'must be defined'),
        v('spec.rules[0].default.backends[3].type', 'must be one of: Tcp, File, OpenTelemetry'),
      ],
    },
    'bad formats and path': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default:
      backends:
      - type: File
        file: { path: relative/file, format: { type: Plain, plain: "" } }
      - type: File
        file: { path: /tmp/a, format: { type: Json, json: [{ key: "", value: 'a"b' }] } }
      - type: File
        file: { path: /tmp/a, format: { type: Json } }
`,
      violations: [
        v('spec.to[0].default.backends[0].file.format.plain', 'must not be empty'),
        v('spec.to[0].default.backends[0].file.path', 'file backend requires a valid path'),
        v('spec.to[0].default.backends[1].file.format.json[0].key', 'key cannot be empty'),
        v('spec.to[0].default.backends[1].file.format.json[0]', 'is not a valid JSON object'),
        v('spec.to[0].default.backends[2].file.format.json', 'must be defined'),
      ],
    },
    'unsupported kinds': {
      yaml: `${head}spec:
  from:
  - targetRef: { kind: MeshService, name: web }
    default: { backends: [] }
`,
      violations: [v('spec.from[0].targetRef.kind', 'value is not supported')],
    },
  },
});
