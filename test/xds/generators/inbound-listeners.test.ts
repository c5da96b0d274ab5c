import { describe } from 'vitest';
import { inboundListeners } from '../../../internal/xds/generators/sidecar/inbound-listeners';
import { CASES } from './cases';
import { goldenCases } from './golden';

describe('inbound-listeners golden', () => {
  goldenCases('inbound-listeners', inboundListeners, CASES['inbound-listeners']);
});
