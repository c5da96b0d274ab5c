import { describe } from 'vitest';
import { inboundListeners } from '../../../internal/xds/generators/sidecar/inbound-listeners';
import { meshAccessLogClusters } from '../../../internal/xds/generators/sidecar/mesh-access-log-clusters';
import { outboundListeners } from '../../../internal/xds/generators/sidecar/outbound-listeners';
import type { Generator } from '../../../internal/xds/generators/types';
import { CASES } from './cases';
import { goldenCases } from './golden';

/** The loggers are only half the config: the golden holds the listeners and the collector clusters they name. */
const generate: Generator = (proxy, ctx) => [...inboundListeners(proxy, ctx), ...outboundListeners(proxy, ctx), ...meshAccessLogClusters(proxy, ctx)];

describe('MeshAccessLog OpenTelemetry backends golden', () => {
  goldenCases('mesh-access-log-otel', generate, CASES['mesh-access-log-otel']!);
});
