import { validationTable } from './table';

// Written by the control plane only: any object is accepted.
validationTable('ZoneInsight', {
  valid: {
    empty: `type: ZoneInsight
name: x
`,
    'as the CP writes it': `type: ZoneInsight
name: x
subscriptions:
- id: "1"
  globalInstanceId: global-cp-1
  connectTime: "2024-01-01T10:00:00Z"
  config: '{"environment":"universal","store":{"type":"memory"}}'
healthCheck: { time: "2024-01-01T10:00:05Z" }
`,
  },
  invalid: {},
});
