import { v, validationTable } from './table';

const head = 'type: MeshRateLimit\nmesh: default\nname: mrl\n';

validationTable('MeshRateLimit', {
  valid: {
    'http and tcp from Mesh': `${head}spec:
  targetRef: { kind: MeshService, name: backend }
  from:
  - targetRef: { kind: Mesh }
    default:
      local:
        http:
          requestRate: { num: 5, interval: 10s }
          onRateLimit:
            status: 423
            headers: { set: [{ name: x-kuma-rate-limited, value: "true" }], add: [{ name: x-a, value: b }] }
        tcp: { connectionRate: { num: 100, interval: 1s } }
`,
    rules: `${head}spec:
  targetRef: { kind: Dataplane, labels: { app: backend } }
  rules:
  - default: { local: { http: { disabled: true } } }
`,
    'to under a gateway': `${head}spec:
  targetRef: { kind: Mesh, proxyTypes: [Gateway] }
  to:
  - targetRef: { kind: Mesh }
    default: { local: { tcp: { disabled: true } } }
`,
  },
  invalid: {
    'no section': {
      yaml: `${head}spec: {}
`,
      violations: [v('spec', "at least one of 'from', 'to' or 'rules' has to be defined")],
    },
    'missing local and empty local': {
      yaml: `${head}spec:
  from:
  - targetRef: { kind: Mesh }
    default: {}
  - targetRef: { kind: Mesh }
    default: { local: {} }
`,
      violations: [v('spec.from[0].default.local', 'must be defined'), v('spec.from[1].default.local', 'must have at least one defined: tcp, http')],
    },
    'bad rates': {
      yaml: `${head}spec:
  rules:
  - default:
      local:
        http: { requestRate: { num: 0, interval: 10ms }, onRateLimit: { status: 0 } }
        tcp: { connectionRate: { interval: 1s } }
`,
      violations: [
        v('spec.rules[0].default.local.http.requestRate.num', 'must be greater than 0'),
        v('spec.rules[0].default.local.http.requestRate.interval', 'must be greater than: 50ms'),
        v('spec.rules[0].default.local.http.onRateLimit.status', 'must be greater than 0'),
        v('spec.rules[0].default.local.tcp.connectionRate.num', 'must be greater than 0'),
      ],
    },
    'empty http and tcp sections': {
      yaml: `${head}spec:
  rules:
  - default: { local: { http: {}, tcp: {} } }
`,
      violations: [
        v('spec.rules[0].default.local.http', 'must have at least one defined: disabled, requestRate, onRateLimit'),
        v('spec.rules[0].default.local.tcp', 'must have at least one defined: disabled, connectionRate'),
      ],
    },
    'from under a route, to on sidecars': {
      yaml: `${head}spec:
  targetRef: { kind: MeshHTTPRoute, name: r }
  from:
  - targetRef: { kind: Mesh }
    default: { local: { http: { disabled: true } } }
  to:
  - targetRef: { kind: Mesh }
    default: { local: { http: { disabled: true } } }
`,
      violations: [v('spec.from', 'must not be defined'), v('spec.to', 'must not be defined')],
    },
    'a MeshService from kind': {
      yaml: `${head}spec:
  from:
  - targetRef: { kind: MeshService, name: web }
    default: { local: { http: { disabled: true } } }
`,
      violations: [v('spec.from[0].targetRef.kind', 'value is not supported')],
    },
  },
});
