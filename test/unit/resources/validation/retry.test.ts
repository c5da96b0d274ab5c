import { v, validationTable } from './table';

const head = `type: Retry
mesh: default
name: retry
sources:
- match: { kuma.io/service: "*" }
destinations:
- match: { kuma.io/service: "*" }
`;

validationTable('Retry', {
  valid: {
    'retry-all': `${head}conf:
  http:
    numRetries: 5
    perTryTimeout: 16s
    backOff: { baseInterval: 25ms, maxInterval: 250ms }
  grpc:
    numRetries: 5
    perTryTimeout: 16s
    backOff: { baseInterval: 25ms, maxInterval: 250ms }
  tcp: { maxConnectAttempts: 5 }
`,
    'status codes and methods': `${head}conf:
  http:
    retriableStatusCodes: [500, 503]
    retriableMethods: [GET, POST]
    retryOn: [all_5xx, retriable_status_codes]
  grpc: { retryOn: [cancelled, unavailable] }
`,
  },
  invalid: {
    'no conf': { yaml: head, violations: [v('conf', 'has to be defined')] },
    'no protocol': {
      yaml: `${head}conf: {}
`,
      violations: [v('conf', 'missing protocol [grpc|http|tcp] configuration')],
    },
    'empty sections and bad values': {
      yaml: `${head}conf:
  http: { retryOn: [retriable_status_codes, teapot], numRetries: 0, backOff: { maxInterval: 1s } }
  grpc: {}
  tcp: { maxConnectAttempts: 0 }
`,
      violations: [
        v('conf.http.numRetries', 'must be greater than or equal to 1'),
        v('conf.http.backOff.baseInterval', 'has to be defined'),
        v('conf.http.retryOn[0]', 'retriableStatusCodes cannot be empty when this option is specified'),
        v('conf.http.retryOn[1]', 'must be one of: all_5xx, gateway_error, reset, connect_failure, envoy_ratelimited, retriable_4xx, refused_stream, retriable_status_codes, retriable_headers, http3_post_connect_failure'),
        v('conf.grpc', 'field cannot be empty'),
        v('conf.tcp.maxConnectAttempts', 'has to be greater than 0'),
      ],
    },
    'repeated grpc retryOn': {
      yaml: `${head}conf:
  grpc: { retryOn: [cancelled, internal, cancelled] }
`,
      violations: [v('conf.grpc.retryOn', 'repeated value "cancelled" at indexes [0, 2]')],
    },
  },
});
