import { v, validationTable } from './table';

const head = 'type: VirtualOutbound\nmesh: default\nname: vo\n';

validationTable('VirtualOutbound', {
  valid: {
    'host and port from parameters': `${head}selectors:
- match: { kuma.io/service: "*" }
conf:
  host: "{{.svc}}.{{.version}}.mesh"
  port: "{{.port}}"
  parameters:
  - { name: svc, tagKey: kuma.io/service }
  - { name: version }
  - { name: port, tagKey: port }
`,
    'a fixed port': `${head}selectors:
- match: { kuma.io/service: web }
conf:
  host: "{{ .service }}.mesh"
  port: "8080"
  parameters:
  - { name: service, tagKey: kuma.io/service }
`,
  },
  invalid: {
    'no selectors and no conf': {
      yaml: head,
      violations: [v('selectors', 'must have at least one element'), v('conf', 'has to be defined')],
    },
    'bad parameters and templates': {
      yaml: `${head}selectors:
- match: { kuma.io/service: "*" }
conf:
  host: "{{.missing}}.mesh"
  port: "{{.a}}x"
  parameters:
  - { name: a }
  - { name: a, tagKey: "bad key" }
  - { name: "b-c" }
`,
      violations: [
        v('conf.parameters[1].name', 'name is already used'),
        v('conf.parameters[1].tagKey', 'must be a valid tag name'),
        v('conf.parameters[2].name', 'must consist of alphanumeric characters to be used as a gotemplate key'),
        v('conf.parameters', 'must contain a parameter with kuma.io/service as a tagKey'),
        v('conf.host', `template pre evaluation failed with error='map has no entry for key "missing"'`),
        v('conf.port', `template pre evaluation failed with error='port "1x" is not a number'`),
      ],
    },
    'missing host and port': {
      yaml: `${head}selectors:
- match: { kuma.io/service: "*" }
conf:
  parameters: [{ name: svc, tagKey: kuma.io/service }]
`,
      violations: [v('conf.host', 'has to be defined'), v('conf.port', 'has to be defined')],
    },
  },
});
