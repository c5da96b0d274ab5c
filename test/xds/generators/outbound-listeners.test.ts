import { describe } from 'vitest';
import { outboundListeners } from '../../../internal/xds/generators/sidecar/outbound-listeners';
import { CASES } from './cases';
import { goldenCases } from './golden';

describe('outbound-listeners golden', () => {
  goldenCases('outbound-listeners', outboundListeners, CASES['outbound-listeners']);
});
