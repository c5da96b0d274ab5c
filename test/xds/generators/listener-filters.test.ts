import { describe } from 'vitest';
import { inboundListeners } from '../../../internal/xds/generators/sidecar/inbound-listeners';
import { outboundListeners } from '../../../internal/xds/generators/sidecar/outbound-listeners';
import type { Generator } from '../../../internal/xds/generators/types';
import { CASES } from './cases';
import { goldenCases } from './golden';

/** The policies touch both directions, so one golden holds the inbound and the outbound listeners. */
const listeners: Generator = (proxy, ctx) => [...inboundListeners(proxy, ctx), ...outboundListeners(proxy, ctx)];

describe('listener filters (MeshFaultInjection, MeshRateLimit, MeshAccessLog) golden', () => {
  goldenCases('listener-filters', listeners, CASES['listener-filters']!);
});
