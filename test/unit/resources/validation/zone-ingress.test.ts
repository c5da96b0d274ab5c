import { v, validationTable } from './table';

validationTable('ZoneIngress', {
  valid: {
    'address, port and advertised pair': `type: ZoneIngress
name: zi-1
networking:
  address: 192.168.0.10
  port: 10001
  advertisedAddress: 34.1.2.3
  advertisedPort: 10001
  admin: { port: 9901 }
`,
    'computed availableServices': `type: ZoneIngress
name: zi-1
zone: zone-1
networking: { port: 10001 }
availableServices:
- mesh: default
  instances: 2
  tags: { kuma.io/service: web, kuma.io/protocol: http, kuma.io/zone: zone-1, version: v1 }
- mesh: default
  instances: 1
  externalService: true
  tags: { kuma.io/service: httpbin }
`,
    'admin port equal to port on another address': `type: ZoneIngress
name: zi-1
networking: { address: 192.168.0.10, port: 9901, admin: { port: 9901 } }
`,
  },
  invalid: {
    'advertisedPort without advertisedAddress': {
      yaml: `type: ZoneIngress
name: zi-1
networking: { port: 10001, advertisedPort: 10002 }
`,
      violations: [v('networking.advertisedAddress', 'has to be defined with advertisedPort')],
    },
    'advertisedAddress without advertisedPort': {
      yaml: `type: ZoneIngress
name: zi-1
networking: { port: 10001, advertisedAddress: 34.1.2.3 }
`,
      violations: [v('networking.advertisedPort', 'has to be defined with advertisedAddress')],
    },
    'no port': {
      yaml: `type: ZoneIngress
name: zi-1
networking: { address: 192.168.0.10 }
`,
      violations: [v('networking.port', 'port must be in the range [1, 65535]')],
    },
    'bad addresses and ports': {
      yaml: `type: ZoneIngress
name: zi-1
networking: { address: "not an address", port: 70000, advertisedAddress: "::", advertisedPort: 0 }
`,
      violations: [
        v('networking.address', 'address has to be valid IP address or domain name'),
        v('networking.port', 'port must be in the range [1, 65535]'),
        v('networking.advertisedPort', 'has to be defined with advertisedAddress'),
        v('networking.advertisedAddress', 'must not be 0.0.0.0 or ::'),
      ],
    },
    'admin port equal to port on loopback': {
      yaml: `type: ZoneIngress
name: zi-1
networking: { address: 127.0.0.1, port: 9901, admin: { port: 9901 } }
`,
      violations: [v('networking.admin.port', 'must differ from port')],
    },
    'an available service without kuma.io/service': {
      yaml: `type: ZoneIngress
name: zi-1
networking: { port: 10001 }
availableServices:
- mesh: default
  tags: { version: v1 }
`,
      violations: [v('availableService[0].tags["kuma.io/service"]', 'tag has to exist')],
    },
  },
});
