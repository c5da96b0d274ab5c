import { v, validationTable } from './table';

const head = 'type: MeshLoadBalancingStrategy\nmesh: default\nname: mlbs\n';

validationTable('MeshLoadBalancingStrategy', {
  valid: {
    'ring hash with hash policies': `${head}spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      loadBalancer:
        type: RingHash
        ringHash:
          hashFunction: MurmurHash2
          minRingSize: 64
          maxRingSize: 1024
          hashPolicies:
          - { type: Header, header: { name: x-user } }
          - { type: Cookie, cookie: { name: session, ttl: 1h, path: /api } }
          - { type: Connection, connection: { sourceIP: true } }
          - { type: QueryParameter, queryParameter: { name: u }, terminal: true }
          - { type: FilterState, filterState: { key: k } }
`,
    'least request and locality awareness': `${head}spec:
  to:
  - targetRef: { kind: MeshMultiZoneService, name: backend }
    default:
      loadBalancer: { type: LeastRequest, leastRequest: { choiceCount: 3, activeRequestBias: "1.5" } }
      localityAwareness:
        localZone:
          affinityTags: [{ key: k8s.io/node, weight: 9 }, { key: k8s.io/az, weight: 1 }]
        crossZone:
          failover:
          - from: { zones: [east] }
            to: { type: Only, zones: [west] }
          - to: { type: Any }
          failoverThreshold: { percentage: 70 }
`,
    'hash policies at the default level beside a ring hash (Kuma 2.10+)': `${head}spec:
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      hashPolicies: [{ type: Header, header: { name: x-user } }]
      loadBalancer: { type: RingHash, ringHash: { hashFunction: MurmurHash2 } }
`,
    'hash policies on a route': `${head}spec:
  to:
  - targetRef: { kind: MeshHTTPRoute, name: r }
    default:
      hashPolicies: [{ type: SourceIP }]
`,
  },
  invalid: {
    'an unknown balancer and hash policy': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default:
      loadBalancer: { type: Fastest }
      hashPolicies: [{ type: Magic }, { type: Header }, { type: Cookie, cookie: { name: c, path: api } }]
`,
      violations: [
        v('spec.to[0].default.hashPolicies[0].type', 'unrecognized type'),
        v('spec.to[0].default.hashPolicies[1].header', 'must be defined'),
        v('spec.to[0].default.hashPolicies[2].cookie.path', 'must be an absolute path'),
        v('spec.to[0].default.loadBalancer.type', 'must be one of: RoundRobin, LeastRequest, RingHash, Random, Maglev'),
      ],
    },
    'bad locality awareness': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default:
      loadBalancer: { ringHash: { hashFunction: MD5 } }
      localityAwareness:
        localZone:
          affinityTags: [{ key: "", weight: 1 }, { key: b }]
        crossZone:
          failover:
          - from: { zones: [] }
            to: { type: Any, zones: [a] }
          - to: { type: Only }
          - to: { type: Nearest }
          failoverThreshold: { percentage: 0 }
`,
      violations: [
        v('spec.to[0].default.loadBalancer.type', 'must be defined'),
        v('spec.to[0].default.loadBalancer.ringHash.hashFunction', 'must be one of: XXHash, MurmurHash2'),
        v('spec.to[0].default.localityAwareness.localZone.affinityTags[0].key', 'must not be empty'),
        v('spec.to[0].default.localityAwareness.localZone.affinityTags', 'all or none affinity tags should have weight'),
        v('spec.to[0].default.localityAwareness.crossZone.failover[0].from.zones', 'must not be empty'),
        v('spec.to[0].default.localityAwareness.crossZone.failover[0].to.zones', 'must be empty when type is Any'),
        v('spec.to[0].default.localityAwareness.crossZone.failover[1].to.zones', 'must not be empty when type is Only'),
        v('spec.to[0].default.localityAwareness.crossZone.failover[2].to.type', 'unrecognized type'),
        v('spec.to[0].default.localityAwareness.crossZone.failoverThreshold.percentage', 'must be greater than 0'),
      ],
    },
    'hash policies both at the default level and in the balancer': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      hashPolicies: [{ type: Header, header: { name: x-a } }]
      loadBalancer:
        type: RingHash
        ringHash: { hashPolicies: [{ type: Header, header: { name: x-b } }] }
        maglev: { hashPolicies: [] }
`,
      violations: [
        v('spec.to[0].default.loadBalancer.ringHash.hashPolicies', 'hashPolicies already specified in the root level'),
        v('spec.to[0].default.loadBalancer.maglev.hashPolicies', 'hashPolicies already specified in the root level'),
      ],
    },
    'balancer settings on a route': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: MeshHTTPRoute, name: r }
    default: { loadBalancer: { type: Random }, localityAwareness: { disabled: true } }
`,
      violations: [
        v('spec.to[0].default.loadBalancer', 'field is not allowed when targetRef.kind is MeshHTTPRoute, only hashPolicies is supported'),
        v('spec.to[0].default.localityAwareness', 'field is not allowed when targetRef.kind is MeshHTTPRoute, only hashPolicies is supported'),
      ],
    },
    'a MeshService targetRef with labels and name': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: MeshService, name: a, labels: { x: y } }
    default: { loadBalancer: { type: Random } }
`,
      violations: [v('spec.to[0].targetRef.labels', 'either labels or name and namespace must be specified')],
    },
  },
});
