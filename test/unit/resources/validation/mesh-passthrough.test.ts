import { v, validationTable } from './table';

const head = 'type: MeshPassthrough\nmesh: default\nname: mp\n';

validationTable('MeshPassthrough', {
  valid: {
    'Kuma docs example: domains, a wildcard, an IP and a CIDR': `${head}spec:
  targetRef: { kind: Dataplane, labels: { app: demo-app } }
  default:
    passthroughMode: Matched
    appendMatch:
    - { type: Domain, value: httpbin.org, protocol: tls, port: 443 }
    - { type: Domain, value: httpbin.dev, protocol: http, port: 80 }
    - { type: Domain, value: "*.wikipedia.org", protocol: tls, port: 443 }
    - { type: IP, value: 10.240.15.39, protocol: tcp, port: 8888 }
    - { type: CIDR, value: 10.250.0.0/16, protocol: tcp, port: 10000 }
    - { type: CIDR, value: "fd00::/8", protocol: tcp }
`,
    'None on a MeshSubset': `${head}spec:
  targetRef: { kind: MeshSubset, tags: { team: a } }
  default: { passthroughMode: None }
`,
    'All on the Mesh': `${head}spec:
  targetRef: { kind: Mesh }
  default: { passthroughMode: All }
`,
  },
  invalid: {
    'mode, kind and unknown fields': {
      yaml: `${head}spec:
  targetRef: { kind: MeshService, name: web }
  default:
    passthroughMode: Some
    bogus: 1
`,
      violations: [
        v('spec.default.bogus', 'unknown field "bogus"; known fields: passthroughMode, appendMatch'),
        v('spec.targetRef.kind', 'value is not supported'),
        v('spec.default.passthroughMode', 'must be one of: All, Matched, None'),
      ],
    },
    'Kuma validator messages for bad matches': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh }
  default:
    appendMatch:
    - { type: IP, value: 10.0.0.300, protocol: tcp, port: 0 }
    - { type: CIDR, value: 10.0.0.0/33, protocol: tcp }
    - { type: Domain, value: example.com, protocol: tcp, port: 80 }
    - { type: Domain, value: "*foo.com", protocol: tls, port: 443 }
    - { type: Domain, value: "*.foo.com", protocol: http }
    - { type: Host, value: x, protocol: udp }
    - { type: IP, value: 10.0.0.1, protocol: tcp, port: 70000 }
    - { type: Domain, value: a.com, protocol: tls, port: 443 }
    - { type: Domain, value: a.com, protocol: tls, port: 443 }
`,
      violations: [
        v('spec.default.appendMatch[0].port', 'port must be a valid (1-65535)'),
        v('spec.default.appendMatch[0].value', 'provided IP has incorrect value'),
        v('spec.default.appendMatch[1].value', 'provided CIDR has incorrect value'),
        v('spec.default.appendMatch[2].protocol', 'protocol tcp is not supported for a domain'),
        v('spec.default.appendMatch[3].value', 'provided DNS has incorrect value, partial wildcard is currently not supported'),
        v('spec.default.appendMatch[4].port', "wildcard domains doesn't work for all ports and layer 7 protocol"),
        v('spec.default.appendMatch[5].protocol', '"protocol" must be one of ["tcp", "tls", "grpc", "http", "http2", "mysql"]'),
        v('spec.default.appendMatch[5].type', 'provided type Host is not supported, one of Domain, IP, or CIDR is supported'),
        v('spec.default.appendMatch[6].port', 'port must be a valid (1-65535)'),
        v('spec.default.appendMatch[8].value', 'value a.com is already defiend for this port and protocol'),
      ],
    },
  },
});
