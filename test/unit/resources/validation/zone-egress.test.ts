import { v, validationTable } from './table';

validationTable('ZoneEgress', {
  valid: {
    'address, port and admin': `type: ZoneEgress
name: ze-1
zone: zone-1
networking: { address: 192.168.0.11, port: 10002, admin: { port: 9901 } }
`,
    'port only': `type: ZoneEgress
name: ze-1
networking: { port: 10002 }
`,
  },
  invalid: {
    'no networking': {
      yaml: `type: ZoneEgress
name: ze-1
`,
      violations: [v('networking.port', 'port must be in the range [1, 65535]')],
    },
    'admin port equal to a wildcard listener': {
      yaml: `type: ZoneEgress
name: ze-1
networking: { address: 0.0.0.0, port: 10002, admin: { port: 10002 } }
`,
      violations: [v('networking.admin.port', 'must differ from port'), v('networking.address', 'must not be 0.0.0.0 or ::')],
    },
  },
});
