import { v, validationTable } from './table';

const fi = 'type: FaultInjection\nmesh: default\nname: fi\n';
const rl = 'type: RateLimit\nmesh: default\nname: rl\n';
const selectors = 'sources: [{ match: { kuma.io/service: web } }]\ndestinations: [{ match: { kuma.io/service: backend } }]\n';

validationTable('FaultInjection', {
  valid: {
    'every fault': `${fi}${selectors}conf:
  delay: { percentage: 50, value: 5s }
  abort: { percentage: 12.5, httpStatus: 503 }
  responseBandwidth: { percentage: 100, limit: 1 Mbps }
`,
  },
  invalid: {
    'no fault': { yaml: `${fi}${selectors}conf: {}\n`, violations: [v('conf', 'must have at least one of the faults configured')] },
    'a tcp destination and bad fault values': {
      yaml: `${fi}sources: [{ match: { kuma.io/service: web } }]
destinations: [{ match: { kuma.io/service: db, kuma.io/protocol: tcp } }]
conf:
  abort: { percentage: 120, httpStatus: 42 }
  responseBandwidth: { percentage: 10, limit: fast }
`,
      violations: [
        v('destinations[0].match["kuma.io/protocol"]', 'must be one of the [http, http2, grpc]'),
        v('conf.abort.percentage', 'has to be in [0.0 - 100.0] range'),
        v('conf.abort.httpStatus', 'http status code is incorrect'),
        v('conf.responseBandwidth.limit', 'has to be in kbps/Mbps/Gbps units, e.g. "50kbps"'),
      ],
    },
  },
});

validationTable('RateLimit', {
  valid: {
    'http requests per interval': `${rl}${selectors}conf:\n  http: { requests: 5, interval: 10s, onRateLimit: { status: 423, headers: [{ key: x-limited, value: "yes" }] } }\n`,
  },
  invalid: {
    'no conf': { yaml: `${rl}${selectors}`, violations: [v('conf', 'must have conf')] },
    'http without requests or interval': {
      yaml: `${rl}${selectors}conf:\n  http: { onRateLimit: { headers: [{ key: x-limited }] } }\n`,
      violations: [v('conf.http.requests', 'requests must be set'), v('conf.http.interval', 'has to be defined'), v('conf.http.onRateLimit.header[0]', 'value must be set')],
    },
  },
});
