import { v, validationTable } from './table';

const head = `type: TrafficRoute
mesh: default
name: route
sources:
- match: { kuma.io/service: "*" }
destinations:
- match: { kuma.io/service: "*" }
`;

validationTable('TrafficRoute', {
  valid: {
    'route-all': `${head}conf:
  loadBalancer: { roundRobin: {} }
  destination: { kuma.io/service: "*" }
`,
    'split with http routes': `${head}conf:
  split:
  - weight: 90
    destination: { kuma.io/service: web, version: v1 }
  - weight: 10
    destination: { kuma.io/service: web, version: v2 }
  loadBalancer: { ringHash: { hashFunction: XX_HASH, minRingSize: 64 } }
  http:
  - match:
      method: { exact: GET }
      path: { prefix: /api }
      headers: { x-user: { regex: "^a.*" } }
    modify:
      path: { rewritePrefix: /v2 }
      host: { value: web.mesh }
      requestHeaders: { add: [{ name: x-a, value: "1", append: true }], remove: [{ name: x-b }] }
    destination: { kuma.io/service: web, version: v2 }
`,
  },
  invalid: {
    'no conf': { yaml: head, violations: [v('conf', 'cannot be empty')] },
    'no destination and no split': {
      yaml: `${head}conf: { loadBalancer: { random: {} } }
`,
      violations: [v('conf', 'requires either "destination" or "split"')],
    },
    'both split and destination': {
      yaml: `${head}conf:
  destination: { kuma.io/service: web }
  split:
  - weight: 0
    destination: { version: v1 }
`,
      violations: [
        v('conf', '"split" cannot be defined at the same time as "destination"'),
        v('conf.split[0].destination["kuma.io/service"]', 'tag has to exist'),
        v('conf.split', 'there must be at least one split entry with weight above 0'),
      ],
    },
    'split entry without weight, empty destination': {
      yaml: `${head}conf:
  split:
  - destination: {}
`,
      violations: [
        v('conf.split[0].weight', 'needs to be defined'),
        v('conf.split[0].destination', 'must have at least one tag'),
        v('conf.split[0].destination["kuma.io/service"]', 'tag has to exist'),
        v('conf.split', 'there must be at least one split entry with weight above 0'),
      ],
    },
    'two load balancers and bad settings': {
      yaml: `${head}conf:
  destination: { kuma.io/service: web }
  loadBalancer: { leastRequest: { choiceCount: 1 }, ringHash: { hashFunction: MD5 } }
`,
      violations: [
        v('conf.loadBalancer', 'must have only one type defined: roundRobin, leastRequest, ringHash, random, maglev'),
        v('conf.loadBalancer.leastRequest.choiceCount', 'value must be greater than or equal to 2'),
        v('conf.loadBalancer.ringHash.hashFunction', 'must have a valid hash function'),
      ],
    },
    'bad http routes': {
      yaml: `${head}conf:
  destination: { kuma.io/service: web }
  http:
  - match: {}
    destination: { kuma.io/service: web }
  - match: { path: { exact: /x } }
    modify:
      path: { rewritePrefix: /y }
      host: {}
      requestHeaders: { add: [{ name: host, value: "" }] }
  - match: { path: { prefix: "" }, method: {} }
    destination: { kuma.io/service: web }
`,
      violations: [
        v('conf.http[0].match', 'must be present and contain at least one of the elements: "method", "path" or "headers"'),
        v('conf.http[1].modify.path.rewritePrefix', 'can only be set when .http.match.path.prefix is not empty'),
        v('conf.http[1].modify.host', 'either "value" or "fromPath" has to be set'),
        v('conf.http[1].modify.requestHeaders.add[0].name', 'host header and HTTP/2 pseudo-headers are not allowed to be modified'),
        v('conf.http[1].modify.requestHeaders.add[0].value', 'cannot be empty'),
        v('conf.http[1]', 'requires either "destination" or "split"'),
        v('conf.http[2].match.method', 'cannot be empty. Available options: "exact", "split" or "regex"'),
        v('conf.http[2].match.path.prefix', 'cannot be empty'),
      ],
    },
    'sources without kuma.io/service and destinations with other tags': {
      yaml: `type: TrafficRoute
mesh: default
name: route
sources:
- match: { version: v1 }
destinations:
- match: { kuma.io/service: web, version: v1 }
conf: { destination: { kuma.io/service: web } }
`,
      violations: [
        v('sources[0].match["kuma.io/service"]', 'tag has to exist'),
        v('destinations[0].match["version"]', 'tag "version" is not allowed'),
      ],
    },
  },
});
