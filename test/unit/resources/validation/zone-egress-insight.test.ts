import { validationTable } from './table';

// Written by the control plane only: any object is accepted.
validationTable('ZoneEgressInsight', {
  valid: {
    empty: `type: ZoneEgressInsight
name: x
`,
    'as the CP writes it': `type: ZoneEgressInsight
name: x
subscriptions:
- id: "1"
  controlPlaneInstanceId: cp-1
  connectTime: "2024-01-01T10:00:00Z"
  status: { total: { responsesSent: "10", responsesRejected: "0" } }
`,
  },
  invalid: {},
});
