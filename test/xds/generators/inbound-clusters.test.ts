import { describe } from 'vitest';
import { inboundClusters } from '../../../internal/xds/generators/sidecar/inbound-clusters';
import { CASES } from './cases';
import { goldenCases } from './golden';

describe('inbound-clusters golden', () => {
  goldenCases('inbound-clusters', inboundClusters, CASES['inbound-clusters']);
});
