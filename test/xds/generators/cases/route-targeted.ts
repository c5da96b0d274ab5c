/** Policies aimed at MeshHTTPRoute rules (policies/route-targeted.ts), shared by golden cases. */

/** backend routed by `backend-paths` (/slow, /slow-exact) and `backend-fast` (/fast); timeouts and retries for backend, and for `backend-paths` only. */
export const ROUTE_TARGETED_TIMEOUT_RETRY = `
type: MeshHTTPRoute
mesh: default
name: backend-paths
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    rules:
    - matches:
      - path:
          type: PathPrefix
          value: /slow
      - path:
          type: Exact
          value: /slow-exact
      default:
        filters:
        - type: RequestHeaderModifier
          requestHeaderModifier:
            set:
            - name: x-path
              value: slow
---
type: MeshHTTPRoute
mesh: default
name: backend-fast
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    rules:
    - matches:
      - path:
          type: PathPrefix
          value: /fast
      default: {}
---
type: MeshTimeout
mesh: default
name: backend-service-timeout
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      connectionTimeout: 3s
      http:
        requestTimeout: 20s
        streamIdleTimeout: 10m
---
type: MeshTimeout
mesh: default
name: slow-route-timeout
spec:
  targetRef:
    kind: MeshHTTPRoute
    name: backend-paths
  to:
  - targetRef:
      kind: Mesh
    default:
      http:
        requestTimeout: 2s
---
type: MeshRetry
mesh: default
name: backend-service-retry
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    default:
      http:
        numRetries: 2
---
type: MeshRetry
mesh: default
name: slow-route-retry
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshHTTPRoute
      name: backend-paths
    default:
      http:
        numRetries: 5
        retryOn:
        - 5xx
`;

/** A gRPC backend with two method rules; a route-level MeshRetry turns retries off on one and changes the other. */
export const ROUTE_TARGETED_GRPC_RETRY = `
type: MeshHTTPRoute
mesh: default
name: backend-methods
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    rules:
    - matches:
      - path:
          type: Exact
          value: /test.Echo/Unary
      default: {}
---
type: MeshHTTPRoute
mesh: default
name: backend-stream
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    rules:
    - matches:
      - path:
          type: Exact
          value: /test.Echo/Stream
      default: {}
---
type: MeshRetry
mesh: default
name: backend-grpc-retry
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: Mesh
    default:
      grpc:
        numRetries: 3
        retryOn:
        - Unavailable
---
type: MeshRetry
mesh: default
name: unary-more-retries
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshHTTPRoute
      name: backend-methods
    default:
      grpc:
        numRetries: 6
        perTryTimeout: 1s
---
type: MeshRetry
mesh: default
name: stream-no-retries
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshHTTPRoute
      name: backend-stream
    default:
      grpc:
        numRetries: 0
`;
