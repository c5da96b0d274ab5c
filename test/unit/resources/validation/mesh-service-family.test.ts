import { v, validationTable } from './table';

const ms = 'type: MeshService\nmesh: default\nname: backend\n';
const mzs = 'type: MeshMultiZoneService\nmesh: default\nname: backend\n';
const mes = 'type: MeshExternalService\nmesh: default\nname: httpbin\n';
const hg = 'type: HostnameGenerator\nname: hg\n';

validationTable('MeshService', {
  valid: {
    'tags selector, named ports': `${ms}spec:
  selector: { dataplaneTags: { kuma.io/service: backend } }
  ports: [{ port: 80, targetPort: 8080, appProtocol: http, name: http }, { port: 81, targetPort: admin }]
  identities: [{ type: ServiceTag, value: backend }]
  state: Available
`,
    'dataplaneRef selector': `${ms}spec:\n  selector: { dataplaneRef: { name: dp-1 } }\n  ports: [{ port: 80 }]\n`,
  },
  invalid: {
    'both selectors, bad ports and identities': {
      yaml: `${ms}spec:
  selector: { dataplaneTags: { app: a }, dataplaneRef: { name: dp } }
  ports: [{ port: 0, targetPort: 70000, appProtocol: udp, name: p }, { port: 81, name: p }]
  identities: [{ type: Bogus }]
  state: Up
`,
      violations: [
        v('spec.selector', 'dataplaneTags and dataplaneRef cannot be defined at the same time'),
        v('spec.ports[0].port', 'port must be in the range [1, 65535]'),
        v('spec.ports[0].targetPort', 'must be a port in the range [1, 65535] or a port name'),
        v('spec.ports[0].appProtocol', 'must be one of: tcp, http, http2, grpc'),
        v('spec.ports[1].name', 'must be unique'),
        v('spec.identities[0].type', 'must be one of: ServiceTag, SpiffeID'),
        v('spec.identities[0].value', 'must be defined'),
        v('spec.state', 'must be one of: Available, Unavailable'),
      ],
    },
  },
});

validationTable('MeshMultiZoneService', {
  valid: {
    'labels selector': `${mzs}spec:\n  selector: { meshService: { matchLabels: { kuma.io/display-name: backend } } }\n  ports: [{ port: 80, appProtocol: http }]\n`,
  },
  invalid: {
    'no selector, no ports': {
      yaml: `${mzs}spec: {}\n`,
      violations: [v('spec.selector', 'must be defined'), v('spec.ports', 'must not be empty')],
    },
    'empty labels': {
      yaml: `${mzs}spec:\n  selector: { meshService: { matchLabels: {} } }\n  ports: [{ port: 80 }]\n`,
      violations: [v('spec.selector.meshService.matchLabels', 'must be defined')],
    },
  },
});

validationTable('MeshExternalService', {
  valid: {
    'http with tls': `${mes}spec:
  match: { type: HostnameGenerator, port: 80, protocol: http }
  endpoints: [{ address: httpbin.org, port: 443 }]
  tls: { enabled: true, verification: { mode: SkipCA } }
`,
  },
  invalid: {
    'missing pieces': {
      yaml: `${mes}spec:\n  match: { protocol: udp }\n  endpoints: [{ port: 443 }]\n  tls: { version: { min: TLS9 } }\n`,
      violations: [
        v('spec.match.port', 'port must be in the range [1, 65535]'),
        v('spec.match.protocol', 'must be one of: tcp, http, http2, grpc'),
        v('spec.endpoints[0].address', 'must be defined'),
        v('spec.tls.version.min', 'must be one of: TLSAuto, TLS10, TLS11, TLS12, TLS13'),
      ],
    },
  },
});

validationTable('HostnameGenerator', {
  valid: {
    'synced universal': `${hg}spec:
  selector: { meshService: { matchLabels: { kuma.io/origin: global, kuma.io/env: universal } } }
  template: '{{ .DisplayName }}.svc.{{ .Zone }}.mesh.local'
`,
  },
  invalid: {
    'two selectors and a bad template': {
      yaml: `${hg}spec:
  selector: { meshService: { matchLabels: { a: b } }, meshExternalService: { matchLabels: { a: b } } }
  template: '{{ .DisplayName }}..Mesh.local'
`,
      violations: [
        v('spec.selector', 'exactly one of meshService, meshExternalService, meshMultiZoneService must be defined'),
        v('spec.template', 'must render a valid DNS name (lowercase labels separated by single dots)'),
      ],
    },
    'unknown action': {
      yaml: `${hg}spec:\n  selector: { meshService: { matchLabels: { a: b } } }\n  template: '{{ .Name }}.mesh.local'\n`,
      violations: [v('spec.template', 'unsupported template action: only .DisplayName, .Namespace, .Zone, .Mesh and label "key" are allowed')],
    },
  },
});
