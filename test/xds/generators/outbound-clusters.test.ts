import { describe } from 'vitest';
import { outboundClusters } from '../../../internal/xds/generators/sidecar/outbound-clusters';
import { CASES } from './cases';
import { goldenCases } from './golden';

describe('outbound-clusters golden', () => {
  goldenCases('outbound-clusters', outboundClusters, CASES['outbound-clusters']);
});
