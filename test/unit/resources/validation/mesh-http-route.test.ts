import { v, validationTable } from './table';

const head = 'type: MeshHTTPRoute\nmesh: default\nname: route\n';
const to = '  to:\n  - targetRef: { kind: MeshService, name: backend }\n    rules:\n';

validationTable('MeshHTTPRoute', {
  valid: {
    'a split with a header match': `${head}spec:
  targetRef: { kind: Mesh }
${to}    - matches:
      - path: { type: PathPrefix, value: /api }
        method: GET
        headers: [{ type: Exact, name: x-version, value: v2 }]
        queryParams: [{ type: RegularExpression, name: debug, value: "^1$" }]
      default:
        backendRefs:
        - { kind: MeshServiceSubset, name: backend, tags: { version: v1 }, weight: 80 }
        - { kind: MeshServiceSubset, name: backend, tags: { version: v2 }, weight: 20 }
`,
    'every filter': `${head}spec:
  targetRef: { kind: Dataplane, labels: { app: web } }
${to}    - matches: [{ path: { type: PathPrefix, value: /v1 } }]
      default:
        filters:
        - type: RequestHeaderModifier
          requestHeaderModifier: { set: [{ name: x-a, value: "1" }], add: [{ name: x-b, value: "2" }], remove: [x-c] }
        - type: ResponseHeaderModifier
          responseHeaderModifier: { add: [{ name: x-d, value: "3" }] }
        - type: URLRewrite
          urlRewrite: { hostname: example.com, path: { type: ReplacePrefixMatch, replacePrefixMatch: /v2 } }
        - type: RequestMirror
          requestMirror: { percentage: "12.5", backendRef: { kind: MeshService, name: shadow } }
    - matches: [{ path: { type: Exact, value: /old } }]
      default:
        filters:
        - type: RequestRedirect
          requestRedirect: { scheme: https, hostname: new.example.com, port: 8443, statusCode: 308, path: { type: ReplaceFullPath, replaceFullPath: /new } }
`,
    'no top-level targetRef': `${head}spec:
${to}    - matches: [{ headers: [{ type: Present, name: x-debug }] }]
      default: { backendRefs: [{ kind: MeshService, name: debug }] }
`,
  },
  invalid: {
    'bad kinds': {
      yaml: `${head}spec:
  targetRef: { kind: MeshHTTPRoute, name: x }
  to:
  - targetRef: { kind: Mesh }
    hostnames: [a.example.com]
    rules:
    - matches: [{ path: { type: Exact, value: /a } }]
      default: { backendRefs: [{ kind: Dataplane, name: x }, { kind: MeshMultiZoneService, name: m }] }
`,
      violations: [
        v('spec.targetRef.kind', 'value is not supported'),
        v('spec.to[0].targetRef.kind', 'value is not supported'),
        v('spec.to[0].hostnames', 'must not be defined'),
        v('spec.to[0].rules[0].default.backendRefs[0].kind', 'value is not supported'),
        v('spec.to[0].rules[0].default.backendRefs[1].port', 'must be defined with kind MeshMultiZoneService'),
      ],
    },
    'bad matches': {
      yaml: `${head}spec:
${to}    - matches:
      - path: { type: PathPrefix, value: api/ }
        method: FETCH
        headers: [{ type: Present, name: x-a, value: b }, { type: Like, name: x-b }]
        queryParams: [{ type: Exact, name: q, value: "1" }, { type: Exact, name: q, value: "2" }]
      - path: { type: Exact, value: rel }
      default: {}
    - default: {}
`,
      violations: [
        v('spec.to[0].rules[0].matches[0].path.value', 'does not need a trailing slash because only a `/`-separated prefix or an entire path is matched'),
        v('spec.to[0].rules[0].matches[0].path.value', 'must be an absolute path'),
        v('spec.to[0].rules[0].matches[0].method', 'must be one of: CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE'),
        v('spec.to[0].rules[0].matches[0].queryParams[1].name', 'multiple entries for name q'),
        v('spec.to[0].rules[0].matches[0].headers[0].value', 'must not be defined'),
        v('spec.to[0].rules[0].matches[0].headers[1].type', 'must be one of: Exact, Present, RegularExpression, Absent, Prefix'),
        v('spec.to[0].rules[0].matches[1].path.value', 'must be an absolute path'),
        v('spec.to[0].rules[1].matches', 'must have at least one element'),
      ],
    },
    'bad filters': {
      yaml: `${head}spec:
${to}    - matches: [{ path: { type: Exact, value: /a } }]
      default:
        filters:
        - type: RequestHeaderModifier
          requestHeaderModifier: {}
        - type: ResponseHeaderModifier
          responseHeaderModifier: { set: [{ name: x-a, value: "1" }], remove: [X-A] }
        - type: RequestRedirect
          requestRedirect: { hostname: 10.0.0.1, statusCode: 200, path: { type: ReplacePrefixMatch, replacePrefixMatch: /b } }
        - type: URLRewrite
          urlRewrite: { hostname: Bad_Host, hostToBackendHostname: true }
        - type: RequestMirror
          requestMirror: { percentage: 120, backendRef: { kind: MeshExternalService, name: e } }
        - type: Teleport
        - {}
`,
      violations: [
        v('spec.to[0].rules[0].default.filters[0].requestHeaderModifier', 'must have at least one defined: set, add, remove'),
        v('spec.to[0].rules[0].default.filters[1].responseHeaderModifier.remove[0].name', 'duplicate header name'),
        v('spec.to[0].rules[0].default.filters[2].requestRedirect.hostname', 'cannot be an IP address'),
        v('spec.to[0].rules[0].default.filters[2].requestRedirect.path.replacePrefixMatch', 'can only appear if all matches match a path prefix'),
        v('spec.to[0].rules[0].default.filters[2].requestRedirect.statusCode', 'must be one of: 301, 302, 303, 307, 308'),
        v(
          'spec.to[0].rules[0].default.filters[3].urlRewrite.hostname',
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ),
        v('spec.to[0].rules[0].default.filters[3].urlRewrite.hostToBackendHostname', 'can only be set with MeshGateway'),
        v('spec.to[0].rules[0].default.filters[3].urlRewrite.hostToBackendHostname', 'cannot be set together with hostname'),
        v('spec.to[0].rules[0].default.filters[4].requestMirror.backendRef.kind', 'value is not supported'),
        v('spec.to[0].rules[0].default.filters[4].requestMirror.percentage', 'must be in inclusive range [0.0, 100.0]'),
        v('spec.to[0].rules[0].default.filters[5].type', 'must be one of: RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite, RequestMirror'),
        v('spec.to[0].rules[0].default.filters[6].type', 'must be defined'),
      ],
    },
    'a gateway rule without backends': {
      yaml: `${head}spec:
  targetRef: { kind: MeshGateway, name: gw }
  to:
  - targetRef: { kind: Mesh }
    hostnames: [a.example.com]
    rules:
    - matches: [{ path: { type: PathPrefix, value: / } }]
      default: {}
`,
      violations: [v('spec.to[0].rules[0].default.backendRefs', 'must not be empty')],
    },
    'unknown fields': {
      yaml: `${head}spec:
${to}    - matches: [{ path: { type: Exact, value: /a }, host: x }]
      default: { backendRefs: [{ kind: MeshService, name: b, weigth: 1 }], timeout: 1s }
`,
      violations: [
        v('spec.to[0].rules[0].matches[0].host', 'unknown field "host"; known fields: path, method, queryParams, headers'),
        v('spec.to[0].rules[0].default.backendRefs[0].weigth', 'unknown field "weigth", did you mean "weight"?'),
        v('spec.to[0].rules[0].default.timeout', 'unknown field "timeout"; known fields: filters, backendRefs'),
      ],
    },
  },
});
