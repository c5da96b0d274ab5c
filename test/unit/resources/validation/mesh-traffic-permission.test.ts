import { v, validationTable } from './table';

const head = 'type: MeshTrafficPermission\nmesh: default\nname: mtp\n';

validationTable('MeshTrafficPermission', {
  valid: {
    'allow all from Mesh': `${head}spec:
  targetRef: { kind: Mesh }
  from:
  - targetRef: { kind: Mesh }
    default: { action: Allow }
`,
    'no top-level targetRef, several sources': `${head}spec:
  from:
  - targetRef: { kind: MeshSubset, tags: { kuma.io/zone: east } }
    default: { action: AllowWithShadowDeny }
  - targetRef: { kind: MeshService, name: backend }
    default: { action: Deny }
`,
    'rules with SPIFFE matches on a Dataplane': `${head}spec:
  targetRef: { kind: Dataplane, labels: { app: web } }
  rules:
  - default:
      allow:
      - spiffeID: { type: Prefix, value: "spiffe://default/" }
      deny:
      - spiffeID: { type: Exact, value: "spiffe://default/ns/bad" }
`,
  },
  invalid: {
    'neither from nor rules': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh }
`,
      violations: [v('spec', "at least one of 'from' or 'rules' has to be defined")],
    },
    'a bad action and a missing default': {
      yaml: `${head}spec:
  from:
  - targetRef: { kind: Mesh }
    default: { action: Permit }
  - targetRef: { kind: Mesh }
  - default: {}
`,
      violations: [
        v('spec.from[0].default.action', 'must be one of: Allow, Deny, AllowWithShadowDeny'),
        v('spec.from[1].default', 'must be defined'),
        v('spec.from[2].targetRef.kind', 'must be defined'),
        v('spec.from[2].default.action', 'must be defined'),
      ],
    },
    'unsupported kinds and a `to` section': {
      yaml: `${head}spec:
  targetRef: { kind: MeshGateway, name: edge }
  to:
  - targetRef: { kind: Mesh }
    default: { action: Allow }
  from:
  - targetRef: { kind: MeshHTTPRoute, name: r }
    default: { action: Allow }
`,
      violations: [
        v('spec.targetRef.kind', 'value is not supported'),
        v('spec.to', 'must not be defined'),
        v('spec.from[0].targetRef.kind', 'value is not supported'),
      ],
    },
    'from and rules together, empty rule': {
      yaml: `${head}spec:
  from:
  - targetRef: { kind: Mesh }
    default: { action: Allow }
  rules:
  - default: { allow: [{ spiffeID: { type: Regex } }] }
  - default: {}
`,
      violations: [
        v('spec', "field 'from' must be empty when 'rules' is defined"),
        v('spec.rules[0].default.allow[0].spiffeID.type', 'must be one of: Exact, Prefix'),
        v('spec.rules[0].default.allow[0].spiffeID.value', 'must be defined'),
        v('spec.rules[1].default', "at least one of 'allow', 'allowWithShadowDeny', 'deny' has to be defined"),
      ],
    },
    'targetRef fields that the kind does not allow': {
      yaml: `${head}spec:
  targetRef: { kind: Mesh, name: x, tags: { a: b } }
  from:
  - targetRef: { kind: MeshService }
    default: { action: Allow }
  - targetRef: { kind: MeshSubset, name: y, tags: { "bad key!": v } }
    default: { action: Allow }
`,
      violations: [
        v('spec.targetRef.name', 'using name with kind Mesh is not yet supported'),
        v('spec.targetRef.tags', 'must not be set with kind Mesh'),
        v('spec.from[0].targetRef.name', 'must be set with kind MeshService'),
        v('spec.from[1].targetRef.name', 'must not be set with kind MeshSubset'),
        v('spec.from[1].targetRef.tags["bad key!"]', 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores'),
      ],
    },
  },
});
