import { v, validationTable } from './table';

validationTable('Secret', {
  valid: {
    'base64 data': 'type: Secret\nmesh: default\nname: my-secret\ndata: aGVsbG8=\n',
    'unpadded-length base64': 'type: Secret\nmesh: default\nname: my-secret\ndata: aGVsbG8hIQ==\n',
  },
  invalid: {
    'no data': { yaml: 'type: Secret\nmesh: default\nname: my-secret\n', violations: [v('data', 'cannot be empty')] },
    'empty data': { yaml: 'type: Secret\nmesh: default\nname: my-secret\ndata: ""\n', violations: [v('data', 'cannot be empty')] },
    'not base64': { yaml: 'type: Secret\nmesh: default\nname: my-secret\ndata: "hello world"\n', violations: [v('data', 'must be a valid base64 string')] },
    'not a string': { yaml: 'type: Secret\nmesh: default\nname: my-secret\ndata: 12\n', violations: [v('data', 'must be a valid base64 string')] },
  },
});
