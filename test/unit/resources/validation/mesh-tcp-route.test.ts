import { v, validationTable } from './table';

const head = 'type: MeshTCPRoute\nmesh: default\nname: route\n';

validationTable('MeshTCPRoute', {
  valid: {
    'a split': `${head}spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: db }
    rules:
    - default:
        backendRefs:
        - { kind: MeshServiceSubset, name: db, tags: { version: v1 }, weight: 90 }
        - { kind: MeshService, name: db-replica, weight: 10 }
`,
  },
  invalid: {
    'no backends and bad kinds': {
      yaml: `${head}spec:
  targetRef: { kind: MeshHTTPRoute, name: r }
  to:
  - targetRef: { kind: MeshService, name: db }
    rules:
    - default: {}
    - default: { backendRefs: [{ kind: Mesh }, { kind: MeshServiceSubset, tags: { version: v1 } }] }
`,
      violations: [
        v('spec.targetRef.kind', 'value is not supported'),
        v('spec.to[0].rules[0].default.backendRefs', 'must be defined'),
        v('spec.to[0].rules[1].default.backendRefs[0].kind', 'value is not supported'),
        v('spec.to[0].rules[1].default.backendRefs[1].name', 'must be set with kind MeshServiceSubset'),
      ],
    },
    'unknown fields': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: MeshService, name: db }
    default: { backendRefs: [] }
`,
      violations: [v('spec.to[0].default', 'unknown field "default"; known fields: targetRef, rules')],
    },
  },
});
