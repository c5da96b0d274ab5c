import { v, validationTable } from './table';

const head = 'type: MeshTimeout\nmesh: default\nname: mt\n';

validationTable('MeshTimeout', {
  valid: {
    // The default policy every mesh gets has both `to` and `from` (Universal policies have the system role).
    'mesh-timeout-all': `${head}spec:
  targetRef: { kind: Mesh, proxyTypes: [Sidecar] }
  to:
  - targetRef: { kind: Mesh }
    default: { connectionTimeout: 5s, idleTimeout: 1h, http: { requestTimeout: 15s, streamIdleTimeout: 30m } }
  from:
  - targetRef: { kind: Mesh }
    default: { connectionTimeout: 10s, idleTimeout: 2h, http: { requestTimeout: 0s, streamIdleTimeout: 1h, maxStreamDuration: 0s } }
`,
    'gateway timeouts': `${head}spec:
  targetRef: { kind: Mesh, proxyTypes: [Gateway] }
  to:
  - targetRef: { kind: Mesh }
    default: { idleTimeout: 5m, http: { streamIdleTimeout: 5s, requestHeadersTimeout: 500ms } }
`,
    rules: `${head}spec:
  targetRef: { kind: Dataplane, labels: { app: web } }
  rules:
  - default: { http: { requestTimeout: 3s } }
`,
    'a route timeout': `${head}spec:
  targetRef: { kind: MeshHTTPRoute, name: route-1 }
  to:
  - targetRef: { kind: Mesh }
    default: { http: { requestTimeout: 1s, streamIdleTimeout: 10s } }
`,
  },
  invalid: {
    'no to, from or rules': {
      yaml: `${head}spec: {}
`,
      violations: [v('spec', "at least one of 'from', 'to' or 'rules' has to be defined")],
    },
    'an empty default and empty http': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default: {}
  - targetRef: { kind: Mesh }
    default: { http: {} }
`,
      violations: [
        v('spec.to[0].default', 'at least one timeout should be configured'),
        v('spec.to[1].default.http', 'at least one timeout in this section should be configured'),
      ],
    },
    'negative and zero durations': {
      yaml: `${head}spec:
  from:
  - targetRef: { kind: MeshService, name: x }
    default: { connectionTimeout: 0s, idleTimeout: -1s, http: { requestTimeout: 1 } }
`,
      violations: [
        v('spec.from[0].targetRef.kind', 'value is not supported'),
        v('spec.from[0].default.connectionTimeout', 'must be greater than zero when defined'),
        v('spec.from[0].default.idleTimeout', 'must not be negative when defined'),
        v('spec.from[0].default.http.requestTimeout', 'must be a valid duration, e.g. "5s", "1m30s" or "250ms"'),
      ],
    },
    'connection settings on a route': {
      yaml: `${head}spec:
  targetRef: { kind: MeshHTTPRoute, name: route-1 }
  to:
  - targetRef: { kind: Mesh }
    default: { connectionTimeout: 1s, http: { maxStreamDuration: 1s } }
  from:
  - targetRef: { kind: Mesh }
    default: { idleTimeout: 1s }
`,
      violations: [
        v('spec.to[0].default.connectionTimeout', "can't be specified when top-level TargetRef is referencing MeshHTTPRoute"),
        v('spec.to[0].default.http.maxStreamDuration', "can't be specified when top-level TargetRef is referencing MeshHTTPRoute"),
        v('spec.from[0].default.idleTimeout', "can't be specified when top-level TargetRef is referencing MeshHTTPRoute"),
        v('spec.from', 'must not be defined'),
      ],
    },
    'a bad proxy type': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh, proxyTypes: [Ingress] }
  to:
  - targetRef: { kind: Mesh }
    default: { idleTimeout: 1s }
`,
      violations: [v('spec.targetRef.proxyTypes[0]', 'must be one of: Sidecar, Gateway')],
    },
  },
});
