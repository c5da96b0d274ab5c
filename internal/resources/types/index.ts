/**
 * Every resource type, listed explicitly (no registration by import side
 * effect). The order is the order `/_resources` and `kuma get --help` show.
 */
import { Registry } from '../registry';
import { circuitBreaker } from './circuit-breaker';
import { dataplane } from './dataplane';
import { dataplaneInsight } from './dataplane-insight';
import { externalService } from './external-service';
import { globalSecret } from './global-secret';
import { healthCheck } from './health-check';
import { hostnameGenerator } from './hostname-generator';
import { mesh } from './mesh';
import { meshAccessLog } from './mesh-access-log';
import { meshCircuitBreaker } from './mesh-circuit-breaker';
import { meshExternalService } from './mesh-external-service';
import { faultInjection } from './fault-injection';
import { meshFaultInjection } from './mesh-fault-injection';
import { rateLimit } from './rate-limit';
import { meshHealthCheck } from './mesh-health-check';
import { meshHttpRoute } from './mesh-http-route';
import { meshInsight } from './mesh-insight';
import { meshLoadBalancingStrategy } from './mesh-load-balancing-strategy';
import { meshMetric } from './mesh-metric';
import { meshPassthrough } from './mesh-passthrough';
import { meshMultiZoneService } from './mesh-multi-zone-service';
import { meshProxyPatch } from './mesh-proxy-patch';
import { meshRateLimit } from './mesh-rate-limit';
import { meshRetry } from './mesh-retry';
import { meshService } from './mesh-service';
import { meshTcpRoute } from './mesh-tcp-route';
import { meshTimeout } from './mesh-timeout';
import { meshTls } from './mesh-tls';
import { meshTrace } from './mesh-trace';
import { meshTrafficPermission } from './mesh-traffic-permission';
import { retry } from './retry';
import { secret } from './secret';
import { serviceInsight } from './service-insight';
import { timeout } from './timeout';
import { trafficPermission } from './traffic-permission';
import { trafficRoute } from './traffic-route';
import { virtualOutbound } from './virtual-outbound';
import { zone } from './zone';
import { zoneEgress } from './zone-egress';
import { zoneEgressInsight } from './zone-egress-insight';
import { zoneIngress } from './zone-ingress';
import { zoneIngressInsight } from './zone-ingress-insight';
import { zoneInsight } from './zone-insight';

export const ALL_TYPES = [
  mesh,
  meshInsight,
  dataplane,
  dataplaneInsight,
  zoneIngress,
  zoneIngressInsight,
  zoneEgress,
  zoneEgressInsight,
  zone,
  zoneInsight,
  serviceInsight,
  externalService,
  secret,
  globalSecret,
  // legacy (selector-based) policies
  trafficPermission,
  trafficRoute,
  healthCheck,
  circuitBreaker,
  retry,
  timeout,
  virtualOutbound,
  faultInjection,
  rateLimit,
  // targetRef policies
  meshTrafficPermission,
  meshRetry,
  meshTimeout,
  meshCircuitBreaker,
  meshHealthCheck,
  meshLoadBalancingStrategy,
  // the MeshService family
  meshService,
  meshMultiZoneService,
  meshExternalService,
  hostnameGenerator,
  meshFaultInjection,
  meshRateLimit,
  meshAccessLog,
  meshHttpRoute,
  meshTcpRoute,
  meshTls,
  meshTrace,
  meshMetric,
  meshPassthrough,
  meshProxyPatch,
] as const;

export function registerAll(registry: Registry = new Registry()): Registry {
  for (const d of ALL_TYPES) registry.register(d);
  return registry;
}

/** The process-wide registry; tests may build their own with registerAll(). */
export const registry = registerAll();
