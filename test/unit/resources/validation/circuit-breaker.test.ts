import { v, validationTable } from './table';

const head = `type: CircuitBreaker
mesh: default
name: cb
sources:
- match: { kuma.io/service: "*" }
destinations:
- match: { kuma.io/service: "*" }
`;

validationTable('CircuitBreaker', {
  valid: {
    'circuit-breaker-all': `${head}conf:
  interval: 5s
  baseEjectionTime: 30s
  maxEjectionPercent: 20
  splitExternalAndLocalErrors: false
  thresholds: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 }
  detectors:
    totalErrors: { consecutive: 20 }
    gatewayErrors: { consecutive: 10 }
    localErrors: { consecutive: 7 }
    standardDeviation: { requestVolume: 10, minimumHosts: 5, factor: 1.9 }
    failure: { requestVolume: 10, minimumHosts: 5, threshold: 85 }
`,
    'thresholds only': `${head}conf: { thresholds: { maxConnections: 2 } }
`,
  },
  invalid: {
    'nothing configured': {
      yaml: `${head}conf: { interval: 5s }
`,
      violations: [v('conf', 'must have at least one of the detector or threshold configured')],
    },
    'no conf': { yaml: head, violations: [v('conf', 'must have at least one of the detector or threshold configured')] },
    'empty detectors and bad percentages': {
      yaml: `${head}conf:
  detectors: {}
  thresholds: { maxConnections: -1 }
  maxEjectionPercent: 101
`,
      violations: [
        v('conf.detectors', "can't be empty"),
        v('conf.maxEjectionPercent', 'has to be in [0.0 - 100.0] range'),
        v('conf.thresholds.maxConnections', 'must be a non-negative integer'),
      ],
    },
    'a failure threshold above 100 and a bad interval': {
      yaml: `${head}conf:
  interval: soon
  detectors: { failure: { threshold: 150 } }
`,
      violations: [v('conf.interval', 'must be a valid duration, e.g. "5s", "1m30s" or "250ms"'), v('conf.detectors.failure.threshold', 'has to be in [0.0 - 100.0] range')],
    },
  },
});
