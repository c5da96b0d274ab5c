/** MeshHTTPRoute / MeshTCPRoute golden cases (shared by outbound listeners, clusters and endpoints). */
import { MESH_MTLS, backends, dataplane, docs } from '../fixtures';
import { REMOTE_ZONES, localBackends } from '../cross-zone-fixtures';
import type { Case } from '../golden';

const WEB = dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }] });

/** Matches of every kind, weighted backends, header modifiers; a MeshTCPRoute and a TrafficRoute for backend that lose to it. */
const MATCHES_WEIGHTS_MODIFIERS = `
type: MeshHTTPRoute
mesh: default
name: backend-routes
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
          value: /api
        method: POST
      - path:
          type: RegularExpression
          value: ^/v[0-9]+/items$
      default:
        backendRefs:
        - kind: MeshService
          name: backend
          weight: 80
        - kind: MeshService
          name: backend-next
          weight: 20
        filters:
        - type: RequestHeaderModifier
          requestHeaderModifier:
            set:
            - name: x-route
              value: api,v2
            add:
            - name: x-trace
              value: "1"
            remove:
            - x-internal
        - type: ResponseHeaderModifier
          responseHeaderModifier:
            set:
            - name: x-served-by
              value: mesh
            remove:
            - server
    - matches:
      - path:
          type: Exact
          value: /health
      - headers:
        - name: x-canary
          value: "true"
        - name: x-debug
          type: Present
        - name: x-legacy
          type: Absent
        - name: x-user
          type: Prefix
          value: admin-
        - name: x-region
          type: RegularExpression
          value: eu-.*
        - name: x-any
          type: Prefix
          value: ""
        queryParams:
        - name: mode
          type: Exact
          value: fast
        - name: id
          type: RegularExpression
          value: "[0-9]+"
      default:
        backendRefs:
        - kind: MeshService
          name: backend-next
---
type: MeshTCPRoute
mesh: default
name: backend-tcp-ignored
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    rules:
    - default:
        backendRefs:
        - kind: MeshService
          name: backend-next
---
type: TrafficRoute
mesh: default
name: route-all
sources:
- match:
    kuma.io/service: '*'
destinations:
- match:
    kuma.io/service: '*'
conf:
  destination:
    kuma.io/service: backend-next
`;

const REDIRECT_REWRITE_MIRROR = `
type: MeshHTTPRoute
mesh: default
name: backend-redirects
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
          value: /old
      default:
        filters:
        - type: RequestRedirect
          requestRedirect:
            scheme: https
            hostname: new.example.com
            port: 8443
            path:
              type: ReplacePrefixMatch
              replacePrefixMatch: /new
    - matches:
      - path:
          type: Exact
          value: /moved
      default:
        filters:
        - type: RequestRedirect
          requestRedirect:
            statusCode: 308
            path:
              type: ReplaceFullPath
              replaceFullPath: /here
    - matches:
      - path:
          type: PathPrefix
          value: /v1
      default:
        filters:
        - type: URLRewrite
          urlRewrite:
            hostname: backend.internal
            path:
              type: ReplacePrefixMatch
              replacePrefixMatch: /v2
        - type: RequestMirror
          requestMirror:
            percentage: 12.5
            backendRef:
              kind: MeshServiceSubset
              name: backend
              tags:
                version: v2
    - matches:
      - path:
          type: Exact
          value: /status
      default:
        filters:
        - type: URLRewrite
          urlRewrite:
            path:
              type: ReplaceFullPath
              replaceFullPath: /healthz
        - type: RequestMirror
          requestMirror:
            backendRef:
              kind: MeshService
              name: backend-next
        - type: RequestMirror
          requestMirror:
            percentage: 50
            backendRef:
              kind: MeshService
              name: backend
`;

const TCP_SPLIT = `
type: MeshTCPRoute
mesh: default
name: db-split
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: db
    rules:
    - default:
        backendRefs:
        - kind: MeshServiceSubset
          name: db
          tags:
            version: v1
          weight: 1
        - kind: MeshServiceSubset
          name: db
          tags:
            version: v2
          weight: 3
`;

const SUBSET_SPLIT = `
type: MeshHTTPRoute
mesh: default
name: backend-canary
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
          value: /
      default:
        backendRefs:
        - kind: MeshServiceSubset
          name: backend
          tags:
            version: v1
          weight: 80
        - kind: MeshServiceSubset
          name: backend
          tags:
            version: v2
          weight: 20
`;

export const routeCases = {
  matches: { name: 'matches-weights-modifiers', resources: docs(WEB, backends('http'), backends('http', 'backend-next'), MATCHES_WEIGHTS_MODIFIERS) },
  redirects: { name: 'redirect-rewrite-mirror', resources: docs(WEB, backends('http'), backends('http', 'backend-next'), REDIRECT_REWRITE_MIRROR) },
  tcp: { name: 'tcp-split', resources: docs(dataplane({ outbounds: [{ service: 'db', port: 15432 }] }), backends('tcp', 'db'), TCP_SPLIT) },
  // Local v1/v2 plus remote zones: subset clusters keep only endpoints with the tags (remote ones are
  // the ingresses advertising them) and send the tags in the SNI.
  subsets: {
    name: 'subset-split-cross-zone',
    mtls: true,
    resources: docs(MESH_MTLS, WEB, localBackends(2, (i) => ({ version: `v${i}` })), REMOTE_ZONES, SUBSET_SPLIT),
  },
} satisfies Record<string, Case>;

/** A route case under a numbered golden name (`NN-mesh-<http|tcp>-route-<case>`). */
export function routeCase(n: number, c: Case): Case {
  const kind = c.name === routeCases.tcp.name ? 'tcp' : 'http';
  return { ...c, name: `${n}-mesh-${kind}-route-${c.name}` };
}
