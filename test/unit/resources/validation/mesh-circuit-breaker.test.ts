import { v, validationTable } from './table';

const head = 'type: MeshCircuitBreaker\nmesh: default\nname: mcb\n';

validationTable('MeshCircuitBreaker', {
  valid: {
    'mesh-circuit-breaker-all': `${head}spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: Mesh }
    default:
      connectionLimits: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 }
      outlierDetection:
        disabled: false
        interval: 5s
        baseEjectionTime: 30s
        maxEjectionPercent: 20
        splitExternalAndLocalErrors: false
        healthyPanicThreshold: "50"
        detectors:
          totalFailures: { consecutive: 5 }
          gatewayFailures: { consecutive: 5 }
          localOriginFailures: { consecutive: 5 }
          successRate: { minimumHosts: 5, requestVolume: 10, standardDeviationFactor: "1.9" }
          failurePercentage: { requestVolume: 10, minimumHosts: 5, threshold: 85 }
`,
    'inbound limits via from': `${head}spec:
  from:
  - targetRef: { kind: Mesh }
    default: { connectionLimits: { maxConnections: 10 } }
`,
    'disabled outlier detection without detectors': `${head}spec:
  to:
  - targetRef: { kind: MeshService, name: backend }
    default: { outlierDetection: { disabled: true } }
`,
  },
  invalid: {
    'nothing configured': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default: {}
`,
      violations: [v('spec.to[0].default', "at least one of: 'connectionLimits' or 'outlierDetection' should be configured")],
    },
    'zero limits and bad outlier detection': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default:
      connectionLimits: { maxConnections: 0, maxRetries: 2 }
      outlierDetection: { interval: 0s, maxEjectionPercent: 120 }
`,
      violations: [
        v('spec.to[0].default.connectionLimits.maxConnections', 'must be greater than 0'),
        v('spec.to[0].default.outlierDetection.interval', 'must be greater than zero when defined'),
        v('spec.to[0].default.outlierDetection.maxEjectionPercent', 'must be in inclusive range [0, 100]'),
        v('spec.to[0].default.outlierDetection.detectors', 'must be defined'),
      ],
    },
    'empty and bad detectors': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default: { outlierDetection: { detectors: {} } }
  - targetRef: { kind: Mesh }
    default:
      outlierDetection:
        detectors:
          totalFailures: { consecutive: 0 }
          successRate: { standardDeviationFactor: "x" }
          failurePercentage: { threshold: 101 }
`,
      violations: [
        v('spec.to[0].default.outlierDetection.detectors', 'must have at least one defined: totalFailures, gatewayFailures, localOriginFailures, successRate, failurePercentage'),
        v('spec.to[1].default.outlierDetection.detectors.totalFailures.consecutive', 'must be greater than 0'),
        v('spec.to[1].default.outlierDetection.detectors.successRate.standardDeviationFactor', 'invalid number'),
        v('spec.to[1].default.outlierDetection.detectors.failurePercentage.threshold', 'must be in inclusive range [0, 100]'),
      ],
    },
    'rules next to from': {
      yaml: `${head}spec:
  from:
  - targetRef: { kind: Mesh }
    default: { connectionLimits: { maxConnections: 1 } }
  rules:
  - default: { connectionLimits: { maxConnections: 1 } }
`,
      violations: [v('spec', "field 'from' must be empty when 'rules' is defined")],
    },
  },
});
