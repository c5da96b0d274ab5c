import { v, validationTable } from './table';

const head = 'type: MeshHealthCheck\nmesh: default\nname: mhc\n';

validationTable('MeshHealthCheck', {
  valid: {
    'http and tcp checks': `${head}spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      interval: 10s
      timeout: 2s
      unhealthyThreshold: 3
      healthyThreshold: 1
      initialJitter: 5s
      intervalJitterPercent: 10
      healthyPanicThreshold: 60
      failTrafficOnPanic: true
      noTrafficInterval: 60s
      eventLogPath: /tmp/health.log
      alwaysLogHealthCheckFailures: true
      reuseConnection: false
      http:
        disabled: false
        path: /health
        requestHeadersToAdd: { add: [{ name: x-a, value: b }] }
        expectedStatuses: [200, 201]
      tcp: { disabled: true }
`,
    'grpc only': `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default: { grpc: { serviceName: svc, authority: a } }
`,
  },
  invalid: {
    'no protocol section': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default: { interval: 10s }
`,
      violations: [v('spec.to[0].default', 'must have at least one defined: http, tcp, grpc')],
    },
    'bad values': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default:
      interval: 0s
      timeout: -1s
      unhealthyThreshold: 0
      intervalJitterPercent: 150
      healthyPanicThreshold: "abc"
      http: { path: "", expectedStatuses: [600] }
`,
      violations: [
        v('spec.to[0].default.interval', 'must be greater than zero when defined'),
        v('spec.to[0].default.timeout', 'must be greater than zero when defined'),
        v('spec.to[0].default.unhealthyThreshold', 'must be greater than zero when defined'),
        v('spec.to[0].default.intervalJitterPercent', 'must be in inclusive range [0, 100]'),
        v('spec.to[0].default.healthyPanicThreshold', 'string must be a valid number'),
        v('spec.to[0].default.http.path', 'must be defined'),
        v('spec.to[0].default.http.expectedStatuses[0]', 'must be in inclusive range [100, 599]'),
      ],
    },
    'from and rules are not MeshHealthCheck sections': {
      yaml: `${head}spec:
  from: []
  rules: []
`,
      violations: [v('spec.from', 'must not be defined'), v('spec.rules', 'must not be defined')],
    },
  },
});
