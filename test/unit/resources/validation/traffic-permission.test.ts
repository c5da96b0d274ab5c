import { v, validationTable } from './table';

const head = 'type: TrafficPermission\nmesh: default\nname: allow-all\n';

validationTable('TrafficPermission', {
  valid: {
    'allow all': `${head}sources:
- match: { kuma.io/service: "*" }
destinations:
- match: { kuma.io/service: "*" }
`,
    'selectors by other tags': `${head}sources:
- match: { version: v1 }
destinations:
- match: { kuma.io/service: web, env: prod }
`,
  },
  invalid: {
    'no sources or destinations': {
      yaml: head,
      violations: [v('sources', 'must have at least one element'), v('destinations', 'must have at least one element')],
    },
    'an empty match': {
      yaml: `${head}sources:
- match: {}
destinations:
- {}
`,
      violations: [v('sources[0].match', 'must have at least one tag'), v('destinations[0].match', 'must have at least one tag')],
    },
    'an empty tag value': {
      yaml: `${head}sources:
- match: { kuma.io/service: "" }
destinations:
- match: { kuma.io/service: "*" }
`,
      violations: [v('sources[0].match["kuma.io/service"]', 'tag value must be non-empty')],
    },
  },
});
