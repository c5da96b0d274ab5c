/** Golden cases per generator (also replayed through the whole profile, the codec and real Envoy). */
import { inboundListenersCases } from './cases/inbound-listeners';
import { inboundClustersCases } from './cases/inbound-clusters';
import { outboundListenersCases } from './cases/outbound-listeners';
import { outboundClustersCases } from './cases/outbound-clusters';
import { outboundEndpointsCases } from './cases/outbound-endpoints';
import { secretsCases } from './cases/secrets';
import { adminCases } from './cases/admin';
import { vipOutboundsCases } from './cases/vip-outbounds';
import { listenerFiltersCases } from './cases/listener-filters';
import { meshServiceOutboundsCases } from './cases/mesh-service-outbounds';
import { meshTraceCases } from './cases/mesh-trace';
import { meshAccessLogOtelCases } from './cases/mesh-access-log-otel';
import { meshExternalServicesCases } from './cases/mesh-external-services';
import { meshMetricCases } from './cases/mesh-metric';
import { meshPassthroughCases } from './cases/mesh-passthrough';
import { meshProxyPatchCases } from './cases/mesh-proxy-patch';
import type { Case } from './golden';

export const CASES: Record<string, readonly Case[]> = {
  'inbound-listeners': inboundListenersCases,
  'inbound-clusters': inboundClustersCases,
  'outbound-listeners': outboundListenersCases,
  'outbound-clusters': outboundClustersCases,
  'outbound-endpoints': outboundEndpointsCases,
  'secrets': secretsCases,
  'admin': adminCases,
  'vip-outbounds': vipOutboundsCases,
  'mesh-service-outbounds': meshServiceOutboundsCases,
  'mesh-external-services': meshExternalServicesCases,
  'listener-filters': listenerFiltersCases,
  'mesh-trace': meshTraceCases,
  'mesh-access-log-otel': meshAccessLogOtelCases,
  'mesh-metric': meshMetricCases,
  'mesh-passthrough': meshPassthroughCases,
  'mesh-proxy-patch': meshProxyPatchCases,
};
