import { validationTable } from './table';

// Written by the control plane only: any object is accepted.
validationTable('MeshInsight', {
  valid: {
    empty: `type: MeshInsight
name: x
`,
    'as the CP writes it': `type: MeshInsight
name: x
dataplanes: { total: 2, online: 1, offline: 1 }
resources: { Dataplane: { total: 2 } }
services: { total: 1, internal: 1 }
`,
  },
  invalid: {},
});
