import { describe } from 'vitest';
import { secrets } from '../../../internal/xds/generators/sidecar/secrets';
import { CASES } from './cases';
import { goldenCases } from './golden';

describe('secrets golden', () => {
  goldenCases('secrets', secrets, CASES['secrets']);
});
