import { v, validationTable } from './table';

const head = 'type: MeshRetry\nmesh: default\nname: mr\n';

validationTable('MeshRetry', {
  valid: {
    'mesh-retry-all': `${head}spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: Mesh }
    default:
      tcp: { maxConnectAttempt: 5 }
      http:
        numRetries: 5
        perTryTimeout: 16s
        backOff: { baseInterval: 25ms, maxInterval: 250ms }
      grpc:
        numRetries: 5
        perTryTimeout: 16s
        backOff: { baseInterval: 25ms, maxInterval: 250ms }
`,
    'retryOn with codes and methods': `${head}spec:
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      http:
        retryOn: [5xx, GatewayError, Reset, "503", 429, HttpMethodGET, HttpMethodPOST]
        rateLimitedBackOff:
          maxInterval: 10s
          resetHeaders: [{ name: retry-after, format: Seconds }]
        hostSelection:
        - predicate: OmitPreviousHosts
        - predicate: OmitHostsWithTags
          tags: { version: v1 }
        - predicate: OmitPreviousPriorities
          updateFrequency: 2
      grpc: { retryOn: [Canceled, DeadlineExceeded, Unavailable] }
`,
  },
  invalid: {
    'no to': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh }
`,
      violations: [v('spec.to', 'needs at least one item')],
    },
    'from is not a MeshRetry section': {
      yaml: `${head}spec:
  from:
  - targetRef: { kind: Mesh }
    default: { tcp: { maxConnectAttempt: 1 } }
  to:
  - targetRef: { kind: Mesh }
    default: { tcp: { maxConnectAttempt: 1 } }
`,
      violations: [v('spec.from', 'must not be defined')],
    },
    'an empty default': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default: {}
`,
      violations: [v('spec.to[0].default', "at least one of the 'tcp', 'http', 'grpc' must be specified")],
    },
    'unknown retryOn values and empty sections': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default:
      tcp: {}
      http:
        retryOn: [5xx, Teapot, "999", HttpMethodFOO]
        backOff: {}
      grpc:
        retryOn: [Cancelled]
`,
      violations: [
        v('spec.to[0].default.tcp', 'must not be empty'),
        v('spec.to[0].default.http.backOff', 'must not be empty'),
        v('spec.to[0].default.http.retryOn[1]', "unknown item 'Teapot'"),
        v('spec.to[0].default.http.retryOn[2]', "unknown item '999'"),
        v('spec.to[0].default.http.retryOn[3]', "unknown item 'HttpMethodFOO'"),
        v('spec.to[0].default.grpc.retryOn[0]', "unknown item 'Cancelled'"),
      ],
    },
    'bad rate-limited back-off and host selection': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default:
      http:
        perTryTimeout: -1s
        rateLimitedBackOff: { maxInterval: 0s }
        hostSelection:
        - predicate: OmitHostsWithTags
        - predicate: OmitPreviousPriorities
        - predicate: OmitPreviousPriorities
          updateFrequency: 1
        - predicate: Random
`,
      violations: [
        v('spec.to[0].default.http.perTryTimeout', 'must not be negative when defined'),
        v('spec.to[0].default.http.rateLimitedBackOff.maxInterval', 'must be greater than zero when defined'),
        v('spec.to[0].default.http.rateLimitedBackOff.resetHeaders', 'must be defined'),
        v('spec.to[0].default.http.hostSelection[0].tags', 'must be defined'),
        v('spec.to[0].default.http.hostSelection[1].updateFrequency', 'must be defined and greater than zero'),
        v('spec.to[0].default.http.hostSelection[2].predicate', 'OmitPreviousPriorities must only be specified once'),
        v('spec.to[0].default.http.hostSelection[3].predicate', "unknown predicate type 'Random'"),
      ],
    },
    'an unsupported to kind': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: MeshSubset, tags: { a: b } }
    default: { tcp: { maxConnectAttempt: 1 } }
`,
      violations: [v('spec.to[0].targetRef.kind', 'value is not supported')],
    },
  },
});
