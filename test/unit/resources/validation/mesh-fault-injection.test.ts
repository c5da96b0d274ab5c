import { v, validationTable } from './table';

const head = 'type: MeshFaultInjection\nmesh: default\nname: mfi\n';

validationTable('MeshFaultInjection', {
  valid: {
    'from with every fault': `${head}spec:
  targetRef: { kind: MeshService, name: backend }
  from:
  - targetRef: { kind: MeshService, name: frontend }
    default:
      http:
      - abort: { httpStatus: 500, percentage: "2.5" }
        delay: { value: 5s, percentage: 5 }
        responseBandwidth: { limit: 50Mbps, percentage: 50 }
      - abort: { httpStatus: 503, percentage: 10 }
`,
    'rules with matches': `${head}spec:
  targetRef: { kind: Dataplane, labels: { app: backend } }
  rules:
  - matches: [{ spiffeID: { type: Exact, value: spiffe://default/frontend } }]
    default: { http: [{ abort: { httpStatus: 418, percentage: 100 } }] }
  - default: { http: [{ delay: { value: 1s, percentage: 10 } }] }
`,
    'to under a gateway': `${head}spec:
  targetRef: { kind: MeshGateway, name: edge }
  to:
  - targetRef: { kind: Mesh }
    default: { http: [{ abort: { httpStatus: 500, percentage: 1 } }] }
`,
  },
  invalid: {
    'no section': {
      yaml: `${head}spec: {}
`,
      violations: [v('spec', "at least one of 'from', 'to' or 'rules' has to be defined")],
    },
    'bad faults': {
      yaml: `${head}spec:
  from:
  - targetRef: { kind: Mesh }
    default:
      http:
      - abort: { httpStatus: 600, percentage: 101 }
        delay: { value: -1s, percentage: abc }
        responseBandwidth: { limit: 50MB }
`,
      violations: [
        v('spec.from[0].default.http[0].abort.httpStatus', 'must be in inclusive range [100, 599]'),
        v('spec.from[0].default.http[0].abort.percentage', 'must be in inclusive range [0.0, 100.0]'),
        v('spec.from[0].default.http[0].delay.value', 'must be greater than zero when defined'),
        v('spec.from[0].default.http[0].delay.percentage', 'string must be a valid number'),
        v('spec.from[0].default.http[0].responseBandwidth.limit', 'must be in kbps/Mbps/Gbps units'),
        v('spec.from[0].default.http[0].responseBandwidth.percentage', 'must be defined'),
      ],
    },
    'to on a sidecar, from on a gateway': {
      yaml: `${head}spec:
  targetRef: { kind: MeshGateway, name: edge }
  from:
  - targetRef: { kind: Mesh }
    default: { http: [] }
`,
      violations: [v('spec.from', 'must not be defined')],
    },
    'to without a gateway': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default: { http: [] }
`,
      violations: [v('spec.to', 'must not be defined')],
    },
    'from kind and rule matches': {
      yaml: `${head}spec:
  rules:
  - matches: [{ spiffeID: { type: Suffix } }]
    default: { http: [] }
`,
      violations: [v('spec.rules[0].matches[0].spiffeID.type', 'must be one of: Exact, Prefix'), v('spec.rules[0].matches[0].spiffeID.value', 'must be defined')],
    },
    'an unsupported from kind': {
      yaml: `${head}spec:
  from:
  - targetRef: { kind: MeshHTTPRoute, name: r }
    default: { http: [] }
`,
      violations: [v('spec.from[0].targetRef.kind', 'value is not supported')],
    },
  },
});
