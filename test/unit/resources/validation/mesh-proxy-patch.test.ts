import { expect } from 'vitest';
import { v, validationTable } from './table';

const head = 'type: MeshProxyPatch\nmesh: default\nname: mpp\nspec:\n  targetRef: { kind: Mesh }\n  default:\n    appendModifications:\n';
const at = (i: number, rest: string) => `spec.default.appendModifications[${i}]${rest}`;

validationTable('MeshProxyPatch', {
  valid: {
    'every kind and operation': `${head}    - cluster:
        operation: Add
        value: |
          name: extra
          connectTimeout: 5s
          type: STATIC
    - cluster: { operation: Patch, match: { origin: outbound }, value: "connect_timeout: 10s" }
    - cluster: { operation: Remove, match: { name: extra } }
    - listener:
        operation: Patch
        match: { origin: inbound, tags: { kuma.io/service: web } }
        jsonPatches:
        - { op: replace, path: /perConnectionBufferLimitBytes, value: 32768 }
        - { op: copy, from: /name, path: /statPrefix }
        - { op: test, path: /name, value: x }
    - listener: { operation: Remove, match: { name: "outbound:10.0.0.1:80" } }
    - networkFilter:
        operation: AddBefore
        match: { name: envoy.filters.network.tcp_proxy, origin: outbound }
        value: |
          name: envoy.filters.network.local_ratelimit
          typedConfig:
            '@type': type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit
            statPrefix: rl
            tokenBucket: { maxTokens: 10, fillInterval: 1s }
    - networkFilter: { operation: Remove, match: { name: envoy.filters.network.rbac } }
    - httpFilter:
        operation: AddFirst
        value: |
          name: envoy.filters.http.router
          typedConfig: { '@type': type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
    - httpFilter: { operation: Patch, match: { name: envoy.filters.http.router }, jsonPatches: [{ op: add, path: /disabled, value: false }] }
    - virtualHost:
        operation: Add
        match: { routeConfigurationName: "outbound:backend" }
        value: |
          name: extra
          domains: ["extra.mesh"]
    - virtualHost: { operation: Patch, match: { origin: outbound }, value: "responseHeadersToAdd: [{ header: { key: x-a, value: b } }]" }
`,
  },
  invalid: {
    'no modifications': {
      yaml: 'type: MeshProxyPatch\nmesh: default\nname: mpp\nspec:\n  targetRef: { kind: Mesh }\n  default: {}\n',
      violations: [v('spec.default.appendModifications', 'must not be empty')],
    },
    'two kinds in one item': {
      yaml: `${head}    - cluster: { operation: Remove }\n      listener: { operation: Remove }\n`,
      violations: [v(at(0, ''), 'exactly one modification can be defined at a time. Currently, 2 modifications are defined')],
    },
    'bad operations': {
      yaml: `${head}    - cluster: { operation: AddFirst }\n    - httpFilter: { operation: Add }\n`,
      violations: [
        v(at(0, '.cluster.operation'), 'invalid operation. Available operations: "Add", "Patch", "Remove"'),
        v(at(1, '.httpFilter.operation'), 'invalid operation. Available operations: "AddFirst", "AddLast", "AddBefore", "AddAfter", "Patch", "Remove"'),
      ],
    },
    'value that is not the Envoy type': {
      yaml: `${head}    - cluster: { operation: Add, value: "nme: x" }\n    - cluster: { operation: Patch, value: "connectTimeout: 5" }\n`,
      violations: [
        v(at(0, '.cluster.value'), expect.stringMatching(/^native Envoy resource is not valid: .*key "nme" is unknown/)),
        v(at(1, '.cluster.value'), expect.stringMatching(/^native Envoy resource is not valid: .*Duration/)),
      ],
    },
    'add with a match, filter without name, remove with value': {
      yaml: `${head}    - listener: { operation: Add, match: { origin: inbound }, value: "name: l" }
    - httpFilter: { operation: AddAfter, value: "name: f" }
    - networkFilter: { operation: Patch, value: "name: f" }
    - virtualHost: { operation: Remove, value: "name: v" }
`,
      violations: [
        v(at(0, '.listener.match'), 'must not be defined'),
        v(at(1, '.httpFilter.match.name'), 'must be defined. You need to pick a filter after which this one will be added'),
        v(at(2, '.networkFilter.match.name'), 'must be defined'),
        v(at(3, '.virtualHost.value'), 'must not be defined'),
      ],
    },
    'patch with neither or both of value and jsonPatches': {
      yaml: `${head}    - cluster: { operation: Patch }
    - cluster: { operation: Patch, value: "name: x", jsonPatches: [{ op: remove, path: /name }] }
`,
      violations: [
        v(at(0, '.cluster'), 'cluster must have exactly one defined: value, jsonPatches'),
        v(at(1, '.cluster'), 'cluster must have only one type defined: value, jsonPatches'),
      ],
    },
    'bad json patches': {
      yaml: `${head}    - cluster:
        operation: Patch
        jsonPatches:
        - { op: merge, path: /a }
        - { op: move, path: /a }
        - { op: add, path: /a }
        - { op: remove, path: / }
        - { op: remove, path: /a, from: /b }
`,
      violations: [
        v(at(0, '.cluster.jsonPatches[0].op'), '"op" must be one of ["add", "remove", "replace", "move", "copy", "test"]'),
        v(at(0, '.cluster.jsonPatches[1].from'), '"from" must not be empty when "op" is one of ["move", "copy"]'),
        v(at(0, '.cluster.jsonPatches[2].value'), '"value" must not be empty when "op" is one of ["add", "replace", "test"]'),
        v(at(0, '.cluster.jsonPatches[3].path'), 'root path cannot be removed'),
        v(at(0, '.cluster.jsonPatches[4].from'), '"from" is allowed only when "op" is one of ["move", "copy"]'),
      ],
    },
    'unknown field in a modification': {
      yaml: `${head}    - cluster: { operation: Remove, match: { nam: x } }\n`,
      violations: [v(at(0, '.cluster.match.nam'), 'unknown field "nam", did you mean "name"?')],
    },
  },
});
