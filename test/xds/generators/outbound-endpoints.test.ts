import { describe } from 'vitest';
import { outboundEndpoints } from '../../../internal/xds/generators/sidecar/outbound-endpoints';
import { CASES } from './cases';
import { goldenCases } from './golden';

describe('outbound-endpoints golden', () => {
  goldenCases('outbound-endpoints', outboundEndpoints, CASES['outbound-endpoints']);
});
