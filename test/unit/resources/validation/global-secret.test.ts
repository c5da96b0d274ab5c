import { v, validationTable } from './table';

validationTable('GlobalSecret', {
  valid: {
    'base64 data': 'type: GlobalSecret\nname: my-global-secret\ndata: aGVsbG8=\n',
  },
  invalid: {
    'no data': { yaml: 'type: GlobalSecret\nname: my-global-secret\n', violations: [v('data', 'cannot be empty')] },
    'not base64': { yaml: 'type: GlobalSecret\nname: g\ndata: "a=b"\n', violations: [v('data', 'must be a valid base64 string')] },
  },
});
