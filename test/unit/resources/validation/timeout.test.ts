import { v, validationTable } from './table';

const head = `type: Timeout
mesh: default
name: timeout
sources:
- match: { kuma.io/service: "*" }
destinations:
- match: { kuma.io/service: "*" }
`;

validationTable('Timeout', {
  valid: {
    'timeout-all': `${head}conf:
  connectTimeout: 5s
  tcp: { idleTimeout: 1h }
  http: { requestTimeout: 15s, idleTimeout: 1h, streamIdleTimeout: 30m, maxStreamDuration: 0.5s }
  grpc: { streamIdleTimeout: 5m }
`,
    'connect timeout only': `${head}conf: { connectTimeout: 10s }
`,
  },
  invalid: {
    'no conf': { yaml: head, violations: [v('conf', 'has to be defined')] },
    'empty sections and zero durations': {
      yaml: `${head}conf:
  connectTimeout: 0s
  tcp: {}
  http: { requestTimeout: 0s }
  grpc: { maxStreamDuration: forever }
`,
      violations: [
        v('conf.connectTimeout', 'must be greater than 0'),
        v('conf.tcp', 'at least one timeout in section has to be defined'),
        v('conf.http.requestTimeout', 'must be greater than 0'),
        v('conf.grpc.maxStreamDuration', 'must be a valid duration, e.g. "5s", "1m30s" or "250ms"'),
      ],
    },
  },
});
