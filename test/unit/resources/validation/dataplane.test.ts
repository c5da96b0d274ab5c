import { v, validationTable } from './table';

const head = `type: Dataplane
mesh: default
name: dp-1
`;

validationTable('Dataplane', {
  valid: {
    'an inbound with service tag': `${head}networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    servicePort: 8081
    tags: { kuma.io/service: web, kuma.io/protocol: http }
  outbound:
  - port: 10001
    tags: { kuma.io/service: backend }
`,
    'a hostname address, admin port and backendRef outbound': `${head}networking:
  address: web.internal
  admin: { port: 9901 }
  inbound:
  - port: 8080
    serviceAddress: 127.0.0.1
    state: NotReady
    serviceProbe: { interval: 1s, timeout: 1s, unhealthyThreshold: 3, healthyThreshold: 1, tcp: {} }
    tags: { kuma.io/service: web }
  outbound:
  - port: 10002
    backendRef: { kind: MeshService, name: backend, port: 80 }
  - port: 10003
    backendRef: { kind: MeshExternalService, name: httpbin }
`,
    'a delegated gateway': `${head}networking:
  address: 10.0.0.1
  gateway:
    tags: { kuma.io/service: edge }
`,
    'a builtin gateway': `${head}networking:
  address: 10.0.0.1
  gateway:
    type: BUILTIN
    tags: { kuma.io/service: edge, kuma.io/protocol: tcp }
`,
    'admin port equal to an inbound port on another address': `${head}networking:
  address: 192.168.0.1
  admin: { port: 8080 }
  inbound:
  - port: 8080
    servicePort: 8081
    tags: { kuma.io/service: web }
`,
    'snake_case field names': `${head}networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    service_port: 8081
    tags: { kuma.io/service: web }
  transparent_proxying:
    redirect_port_inbound: 15006
    redirect_port_outbound: 15001
`,
    'a transparent proxy with reachable backends': `${head}networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    tags: { kuma.io/service: web }
  transparentProxying:
    redirectPortInbound: 15006
    redirectPortOutbound: 15001
    ipFamilyMode: DualStack
    reachableBackends:
      refs:
      - { kind: MeshService, name: backend }
      - { kind: MeshService, labels: { app: x } }
`,
  },
  invalid: {
    'no networking': { yaml: head, violations: [v('networking', 'must be defined')] },
    'no inbound and no gateway': {
      yaml: `${head}networking:
  address: 192.168.0.1
`,
      violations: [v('networking', 'has to contain at least one inbound interface or gateway')],
    },
    'no address': {
      yaml: `${head}networking:
  inbound:
  - port: 8080
    tags: { kuma.io/service: web }
`,
      violations: [v('networking.address', "address can't be empty")],
    },
    'a wildcard address': {
      yaml: `${head}networking:
  address: 0.0.0.0
  inbound:
  - port: 8080
    tags: { kuma.io/service: web }
`,
      violations: [v('networking.address', 'must not be 0.0.0.0 or ::')],
    },
    'an inbound without the service tag': {
      yaml: `${head}networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    tags: { version: v1 }
`,
      violations: [v('networking.inbound[0].tags["kuma.io/service"]', 'tag has to exist')],
    },
    'an inbound without tags': {
      yaml: `${head}networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
`,
      violations: [v('networking.inbound[0].tags["kuma.io/service"]', 'tag has to exist')],
    },
    'ports out of range': {
      yaml: `${head}networking:
  address: 192.168.0.1
  inbound:
  - port: 0
    servicePort: 70000
    tags: { kuma.io/service: web }
  outbound:
  - port: 65536
    tags: { kuma.io/service: backend }
`,
      violations: [
        v('networking.inbound[0].port', 'port must be in the range [1, 65535]'),
        v('networking.inbound[0].servicePort', 'port must be in the range [1, 65535]'),
        v('networking.outbound[0].port', 'port must be in the range [1, 65535]'),
      ],
    },
    'bad tag characters and an unknown protocol': {
      yaml: `${head}networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    tags: { kuma.io/service: "web app", kuma.io/protocol: smtp }
`,
      violations: [
        v('networking.inbound[0].tags["kuma.io/service"]', 'tag value must consist of alphanumeric characters, dots, dashes and underscores'),
        v('networking.inbound[0].tags["kuma.io/protocol"]', 'tag "kuma.io/protocol" has an invalid value "smtp". Allowed values: grpc, http, http2, kafka, tcp'),
      ],
    },
    'serviceAddress equal to address on the same port': {
      yaml: `${head}networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    serviceAddress: 192.168.0.1
    tags: { kuma.io/service: web }
`,
      violations: [v('networking.inbound[0].serviceAddress', 'serviceAddress and servicePort has to differ from address and port')],
    },
    'admin port equal to inbound and outbound on loopback': {
      yaml: `${head}networking:
  address: 127.0.0.1
  admin: { port: 9901 }
  inbound:
  - port: 9901
    servicePort: 8080
    tags: { kuma.io/service: web }
  outbound:
  - port: 9901
    tags: { kuma.io/service: backend }
`,
      violations: [v('networking.admin.port', 'must differ from inbound'), v('networking.admin.port', 'must differ from outbound')],
    },
    'admin port equal to the application port': {
      yaml: `${head}networking:
  address: 192.168.0.1
  admin: { port: 8081 }
  inbound:
  - port: 8080
    servicePort: 8081
    serviceAddress: 127.0.0.1
    tags: { kuma.io/service: web }
`,
      violations: [v('networking.admin.port', 'must differ from inbound')],
    },
    'an outbound without tags or backendRef': {
      yaml: `${head}networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    tags: { kuma.io/service: web }
  outbound:
  - port: 10001
  - port: 10002
    tags: { version: v1 }
`,
      violations: [
        v('networking.outbound[0].tags["kuma.io/service"]', 'tag has to exist'),
        v('networking.outbound[1].tags["kuma.io/service"]', 'tag has to exist'),
      ],
    },
    'a bad backendRef': {
      yaml: `${head}networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    tags: { kuma.io/service: web }
  outbound:
  - port: 10001
    tags: { kuma.io/service: backend }
    backendRef: { kind: Service }
`,
      violations: [
        v('networking.outbound[0].backendRef.kind', 'invalid value. Available values are: MeshExternalService,MeshMultiZoneService,MeshService'),
        v('networking.outbound[0].backendRef', "either 'name' or 'labels' should be specified"),
        v('networking.outbound[0].backendRef.port', 'port must be in the range [1, 65535]'),
        v('networking.outbound[0].backendRef', 'both backendRef and tags/service cannot be defined'),
      ],
    },
    'a gateway with inbounds and no service': {
      yaml: `${head}networking:
  address: 10.0.0.1
  gateway:
    type: BUILTIN
    tags: { kuma.io/protocol: http }
  inbound:
  - port: 8080
    tags: { kuma.io/service: web }
  outbound:
  - port: 10001
    tags: { kuma.io/service: backend }
`,
      violations: [
        v('networking.inbound', 'inbound cannot be defined for builtin gateways'),
        v('networking.outbound', 'outbound cannot be defined for builtin gateways'),
        v('networking.gateway.tags["kuma.io/service"]', 'tag has to exist'),
        v('networking.gateway.tags["kuma.io/protocol"]', 'other values than tcp are not allowed, provided value "http"'),
      ],
    },
    'an unknown inbound state and a bad probe': {
      yaml: `${head}networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    state: Broken
    serviceProbe: { interval: 0s, healthyThreshold: 0 }
    tags: { kuma.io/service: web }
`,
      violations: [
        v('networking.inbound[0].state', 'must be one of: Ready, NotReady, Ignored'),
        v('networking.inbound[0].serviceProbe.interval', 'must be greater than 0'),
        v('networking.inbound[0].serviceProbe.healthyThreshold', 'must be greater than or equal to 1'),
      ],
    },
    'a reachable backend without name or labels': {
      yaml: `${head}networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    tags: { kuma.io/service: web }
  transparentProxying:
    redirectPortInbound: 0
    reachableBackends:
      refs:
      - { kind: Foo }
`,
      violations: [
        v('networking.transparentProxying.redirectPortInbound', 'port must be in the range [1, 65535]'),
        v('networking.transparentProxying.reachableBackends.refs[0].kind', 'invalid value. Available values are: MeshExternalService,MeshMultiZoneService,MeshService'),
        v('networking.transparentProxying.reachableBackends.refs[0].name', 'name or labels are required'),
      ],
    },
  },
});
