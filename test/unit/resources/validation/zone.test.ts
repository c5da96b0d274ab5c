import { v, validationTable } from './table';

validationTable('Zone', {
  valid: {
    enabled: 'type: Zone\nname: zone-1\nenabled: true\n',
    disabled: 'type: Zone\nname: zone-1\nenabled: false\n',
    'enabled omitted (counts as enabled)': 'type: Zone\nname: zone-1\n',
  },
  invalid: {
    'enabled not a boolean': { yaml: 'type: Zone\nname: zone-1\nenabled: "yes"\n', violations: [v('enabled', 'must be true or false')] },
  },
});
