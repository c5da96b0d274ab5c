/** MeshProxyPatch: every modification kind and operation on a sidecar's final config. */
import { backends, dataplane, docs } from '../fixtures';
import type { Case } from '../golden';

const WEB = dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }] });

function patch(name: string, mods: string, targetRef = '{ kind: Mesh }'): string {
  return `
type: MeshProxyPatch
mesh: default
name: ${name}
spec:
  targetRef: ${targetRef}
  default:
    appendModifications:
${mods}`;
}

const CLUSTER_VALUE = patch(
  'cluster-value',
  `    - cluster:
        operation: Patch
        match: { origin: outbound }
        value: |
          connect_timeout: 0.5s
          per_connection_buffer_limit_bytes: 32768
`,
);

const CLUSTER_JSON_PATCH = patch(
  'cluster-json-patch',
  `    - cluster:
        operation: Patch
        match: { name: backend }
        jsonPatches:
        - { op: replace, path: /connectTimeout, value: 7s }
        - { op: add, path: /commonLbConfig, value: { healthyPanicThreshold: { value: 0 } } }
`,
);

const CLUSTER_ADD_REMOVE = patch(
  'cluster-add-remove',
  `    - cluster:
        operation: Add
        value: |
          name: extra-static
          type: STATIC
          connect_timeout: 2s
          load_assignment:
            cluster_name: extra-static
            endpoints:
            - lb_endpoints:
              - endpoint:
                  address:
                    socket_address: { address: 127.0.0.1, port_value: 9999 }
    - cluster:
        operation: Remove
        match: { name: kuma:envoy:admin }
`,
);

const LISTENER = patch(
  'listener',
  `    - listener:
        operation: Patch
        match: { origin: inbound, tags: { kuma.io/service: web } }
        jsonPatches:
        - { op: add, path: /perConnectionBufferLimitBytes, value: 16384 }
    - listener:
        operation: Patch
        match: { origin: inbound, tags: { kuma.io/service: not-web } }
        jsonPatches:
        - { op: add, path: /perConnectionBufferLimitBytes, value: 1 }
    - listener:
        operation: Remove
        match: { origin: outbound }
`,
);

const NETWORK_FILTERS = patch(
  'network-filters',
  `    - networkFilter:
        operation: AddFirst
        match: { origin: inbound }
        value: |
          name: envoy.filters.network.local_ratelimit
          typed_config:
            '@type': type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit
            stat_prefix: patched
            token_bucket: { max_tokens: 100, fill_interval: 1s }
    - networkFilter:
        operation: Patch
        match: { name: envoy.filters.network.http_connection_manager, origin: outbound }
        value: |
          name: envoy.filters.network.http_connection_manager
          typed_config:
            '@type': type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
            stream_idle_timeout: 11s
`,
);

const HTTP_FILTERS = patch(
  'http-filters',
  `    - httpFilter:
        operation: AddBefore
        match: { name: envoy.filters.http.router, origin: inbound }
        value: |
          name: envoy.filters.http.local_ratelimit
          typed_config:
            '@type': type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
            stat_prefix: patched
    - httpFilter:
        operation: Patch
        match: { name: envoy.filters.http.router }
        value: |
          name: envoy.filters.http.router
          typed_config:
            '@type': type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
            dynamic_stats: false
    - httpFilter:
        operation: AddAfter
        match: { name: envoy.filters.http.local_ratelimit, listenerName: no-such-listener }
        value: |
          name: envoy.filters.http.fault
          typed_config:
            '@type': type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
`,
);

const VIRTUAL_HOSTS = patch(
  'virtual-hosts',
  `    - virtualHost:
        operation: Patch
        match: { origin: outbound }
        jsonPatches:
        - { op: add, path: /requestHeadersToAdd, value: [{ header: { key: x-patched, value: "yes" } }] }
    - virtualHost:
        operation: Add
        match: { origin: inbound }
        value: |
          name: patched-vhost
          domains: [patched.example]
          routes:
          - match: { prefix: / }
            direct_response: { status: 418 }
`,
);

const MESH_FIRST = patch(
  'a-mesh',
  `    - cluster:
        operation: Patch
        match: { name: backend }
        jsonPatches:
        - { op: replace, path: /connectTimeout, value: 3s }
`,
);
const SERVICE_SECOND = patch(
  'z-service',
  `    - cluster:
        operation: Patch
        match: { name: backend }
        jsonPatches:
        - { op: test, path: /connectTimeout, value: 3s }
        - { op: replace, path: /connectTimeout, value: 4s }
`,
  '{ kind: MeshService, name: web }',
);

export const meshProxyPatchCases: Case[] = [
  // Durations are replaced whole (0.5s, not 5.5s); snake_case in the value.
  { name: '01-cluster-patch-value', resources: docs(WEB, backends('http'), CLUSTER_VALUE) },
  { name: '02-cluster-json-patches', resources: docs(WEB, backends('http'), CLUSTER_JSON_PATCH) },
  { name: '03-cluster-add-remove', resources: docs(WEB, backends('http'), CLUSTER_ADD_REMOVE) },
  // Matched by origin and tags; a tag mismatch changes nothing.
  { name: '04-listener-patch-remove', resources: docs(WEB, backends('http'), LISTENER) },
  // A typed_config merged field by field (the HCM keeps its routes and filters).
  { name: '05-network-filters', resources: docs(WEB, backends('http'), NETWORK_FILTERS) },
  { name: '06-http-filters', resources: docs(WEB, backends('http'), HTTP_FILTERS) },
  { name: '07-virtual-hosts', resources: docs(WEB, backends('http'), VIRTUAL_HOSTS) },
  // The Mesh-wide policy's modifications run first; the MeshService one sees their result.
  { name: '08-merged-in-order', resources: docs(WEB, backends('http'), SERVICE_SECOND, MESH_FIRST) },
  // A policy for another service changes nothing.
  { name: '09-other-service', resources: docs(WEB, backends('http'), patch('other', '    - cluster: { operation: Remove }\n', '{ kind: MeshService, name: backend }')) },
];
