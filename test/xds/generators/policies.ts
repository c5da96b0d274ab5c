/** Policy YAML shared by the outbound golden tables. */

export const MESH_DEFAULT_POLICIES = `
type: MeshTimeout
mesh: default
name: mesh-timeout-all-default
spec:
  targetRef:
    kind: Mesh
    proxyTypes: [Sidecar]
  to:
  - targetRef:
      kind: Mesh
    default:
      connectionTimeout: 5s
      idleTimeout: 1h
      http:
        requestTimeout: 15s
        streamIdleTimeout: 30m
  from:
  - targetRef:
      kind: Mesh
    default:
      connectionTimeout: 10s
      idleTimeout: 2h
      http:
        requestTimeout: 0s
        streamIdleTimeout: 1h
        maxStreamDuration: 0s
---
type: MeshRetry
mesh: default
name: mesh-retry-all-default
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: Mesh
    default:
      tcp:
        maxConnectAttempt: 5
      http:
        numRetries: 5
        perTryTimeout: 16s
        backOff:
          baseInterval: 25ms
          maxInterval: 250ms
      grpc:
        numRetries: 5
        perTryTimeout: 16s
        backOff:
          baseInterval: 25ms
          maxInterval: 250ms
---
type: MeshCircuitBreaker
mesh: default
name: mesh-circuit-breaker-all-default
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: Mesh
    default:
      connectionLimits:
        maxConnections: 1024
        maxPendingRequests: 1024
        maxRequests: 1024
        maxRetries: 3
`;

export const BACKEND_RETRY_TIMEOUT = `
type: MeshRetry
mesh: default
name: backend-retry
spec:
  targetRef:
    kind: MeshService
    name: web
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      http:
        numRetries: 3
        perTryTimeout: 2s
        backOff:
          baseInterval: 100ms
          maxInterval: 1s
        retryOn: [5xx, GatewayError, Reset, Retriable4xx, ConnectFailure, EnvoyRatelimited, RefusedStream, "503", "429", HttpMethodGET]
---
type: MeshTimeout
mesh: default
name: backend-timeout
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      connectionTimeout: 2s
      idleTimeout: 20m
      http:
        requestTimeout: 7s
        streamIdleTimeout: 5m
`;

/**
 * The two merges of issue 9 item 1, next to the default policies whose names sort first (so by
 * name alone the defaults would win): a mesh-wide MeshTimeout whose `to: MeshService backend`
 * connectionTimeout must reach the cluster, and a MeshRetry `to: MeshService backend` whose
 * numRetries 9 must beat the default's 5 while the default's other fields stay (per-field merge).
 */
export const MERGE_ORDER_POLICIES = `
type: MeshTimeout
mesh: default
name: timeout-backend
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      connectionTimeout: 3s
---
type: MeshRetry
mesh: default
name: retry-backend
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      http:
        numRetries: 9
`;

/**
 * gRPC to backend (Kuma's grpc rules): MeshRetry `grpc` with every field, rateLimitedBackOff
 * included; MeshTimeout whose route timeouts apply to gRPC while its cluster-level HTTP options
 * (idleTimeout, maxStreamDuration, maxConnectionDuration) do not (Kuma's MeshTimeout configures
 * them for http and http2 only).
 */
export const GRPC_RETRY_TIMEOUT = `
type: MeshRetry
mesh: default
name: grpc-retry
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      grpc:
        numRetries: 4
        perTryTimeout: 3s
        backOff:
          baseInterval: 50ms
          maxInterval: 500ms
        rateLimitedBackOff:
          resetHeaders:
          - name: retry-after-grpc
            format: Seconds
          maxInterval: 30s
        retryOn: [Unavailable, ResourceExhausted]
---
type: MeshTimeout
mesh: default
name: grpc-timeout
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      connectionTimeout: 2s
      idleTimeout: 20m
      http:
        requestTimeout: 7s
        streamIdleTimeout: 5m
        maxStreamDuration: 10m
        maxConnectionDuration: 1h
`;

/** A mesh-wide RingHash with the older nested hash policies (header x-legacy). */
export const RING_HASH_LEGACY_POLICIES = `
type: MeshLoadBalancingStrategy
mesh: default
name: a-ring
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: Mesh
    default:
      loadBalancer:
        type: RingHash
        ringHash:
          hashPolicies:
          - type: Header
            header:
              name: x-legacy
`;

/**
 * MeshLoadBalancingStrategy from two policies: a RingHash with the older nested hash policies for
 * the whole mesh, and Kuma 2.10's root `hashPolicies` for backend. Merged, backend balances by
 * RingHash and hashes by x-new (the root list wins).
 */
export const MERGED_HASH_POLICIES = `${RING_HASH_LEGACY_POLICIES}---
type: MeshLoadBalancingStrategy
mesh: default
name: b-hash
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      hashPolicies:
      - type: Header
        header:
          name: x-new
`;
