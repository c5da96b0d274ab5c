import { v, validationTable } from './table';

const head = 'type: ExternalService\nmesh: default\nname: httpbin\n';

validationTable('ExternalService', {
  valid: {
    'host:port with TLS': `${head}tags: { kuma.io/service: httpbin, kuma.io/protocol: http, kuma.io/zone: zone-1 }
networking:
  address: httpbin.org:443
  tls:
    enabled: true
    serverName: httpbin.org
    caCert: { inlineString: "-----BEGIN CERTIFICATE-----" }
    clientCert: { secret: client-cert }
    clientKey: { inline: aGVsbG8= }
`,
    'an IPv6 address': `${head}tags: { kuma.io/service: db }
networking: { address: "[2001:db8::1]:5432" }
`,
  },
  invalid: {
    'no networking and no service tag': {
      yaml: `${head}tags: { kuma.io/protocol: http }
`,
      violations: [v('networking', 'should have networking'), v('tags["kuma.io/service"]', 'tag has to exist')],
    },
    'an address without a port': {
      yaml: `${head}tags: { kuma.io/service: httpbin }
networking: { address: httpbin.org }
`,
      violations: [
        v('networking.address', 'unable to parse address'),
        v('networking.address', 'address has to be a valid IP address or a domain name'),
        v('networking.address', 'unable to parse port in address'),
        v('networking.address', 'port must be in the range [1, 65535]'),
      ],
    },
    'a port out of range': {
      yaml: `${head}tags: { kuma.io/service: httpbin }
networking: { address: "httpbin.org:99999" }
`,
      violations: [v('networking.address', 'port must be in the range [1, 65535]')],
    },
    'an empty address': {
      yaml: `${head}tags: { kuma.io/service: httpbin }
networking: { address: "" }
`,
      violations: [v('networking.address', "address can't be empty")],
    },
    'bad TLS data sources and protocol': {
      yaml: `${head}tags: { kuma.io/service: httpbin, kuma.io/protocol: smtp }
networking:
  address: httpbin.org:443
  tls:
    serverName: ""
    caCert: { secret: a, file: /b }
    clientKey: { inline: "not base64!" }
`,
      violations: [
        v('networking.tls.serverName', 'cannot be empty'),
        v('networking.tls.caCert', 'data source has to be chosen. Available sources: secret, file, inline, inlineString'),
        v('networking.tls.clientKey.inline', 'must be a valid base64 string'),
        v('tags["kuma.io/protocol"]', 'tag "kuma.io/protocol" has an invalid value "smtp". Allowed values: grpc, http, http2, kafka, tcp'),
      ],
    },
    'service named like its host': {
      yaml: `${head}tags: { kuma.io/service: httpbin.org }
networking: { address: "httpbin.org:80" }
`,
      violations: [v('tags["kuma.io/service"]', 'cannot be the same as networking.address')],
    },
  },
});
