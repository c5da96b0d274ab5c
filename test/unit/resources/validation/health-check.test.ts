import { v, validationTable } from './table';

const head = `type: HealthCheck
mesh: default
name: hc
sources:
- match: { kuma.io/service: "*" }
destinations:
- match: { kuma.io/service: "*" }
`;

validationTable('HealthCheck', {
  valid: {
    'tcp check': `${head}conf:
  interval: 10s
  timeout: 2s
  unhealthyThreshold: 3
  healthyThreshold: 1
  tcp: { send: Zm9v, receive: [YmFy] }
`,
    'http check with everything': `${head}conf:
  interval: 10s
  timeout: 2s
  initialJitter: 1s
  intervalJitter: 500ms
  intervalJitterPercent: 10
  healthyPanicThreshold: 50
  failTrafficOnPanic: true
  noTrafficInterval: 1m
  reuseConnection: false
  http:
    path: /health
    requestHeadersToAdd: [{ header: { key: x-a, value: b }, append: false }]
    expectedStatuses: [200, 204]
`,
  },
  invalid: {
    'no conf': { yaml: head, violations: [v('conf', 'has to be defined')] },
    'no interval and timeout': {
      yaml: `${head}conf: { unhealthyThreshold: 3 }
`,
      violations: [v('conf.interval', 'has to be defined'), v('conf.timeout', 'has to be defined')],
    },
    'zero and malformed durations': {
      yaml: `${head}conf: { interval: 0s, timeout: 5 }
`,
      violations: [v('conf.interval', 'must be greater than 0'), v('conf.timeout', 'must be a valid duration, e.g. "5s", "1m30s" or "250ms"')],
    },
    'bad http and both tcp and http': {
      yaml: `${head}conf:
  interval: 1s
  timeout: 1s
  healthyThreshold: 0
  healthyPanicThreshold: 120
  http:
    expectedStatuses: [99, 600]
    requestHeadersToAdd: [{ append: true }, { header: { value: b } }]
  tcp: {}
`,
      violations: [
        v('conf.healthyThreshold', 'must be greater than or equal to 1'),
        v('conf.healthyPanicThreshold', 'must be in range [0.0 - 100.0]'),
        v('conf.http.path', 'has to be defined and cannot be empty'),
        v('conf.http.expectedStatuses[0]', 'must be in range [100, 600)'),
        v('conf.http.expectedStatuses[1]', 'must be in range [100, 600)'),
        v('conf.http.requestHeadersToAdd[0].header', 'has to be defined'),
        v('conf.http.requestHeadersToAdd[1].header.key', 'cannot be empty'),
        v('conf', 'http and tcp cannot be defined at the same time'),
      ],
    },
  },
});
