import { validationTable } from './table';

// Written by the control plane only: any object is accepted.
validationTable('ServiceInsight', {
  valid: {
    empty: `type: ServiceInsight
mesh: default
name: x
`,
    'as the CP writes it': `type: ServiceInsight
mesh: default
name: x
services:
  web: { status: online, dataplanes: { online: 1, total: 1 } }
`,
  },
  invalid: {},
});
