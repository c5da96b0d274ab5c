/**
 * The collector cluster of the proxy's MeshTrace backend (`meshtrace:zipkin`, `meshtrace:datadog`,
 * `meshtrace:opentelemetry`; Kuma's meshtrace plugin applyToClusters). The HCM tracing that sends
 * spans through it is added by listener-policies/mesh-trace.ts.
 */
import type { MeshContext, ProxyContext } from '../../context/types';
import { proxyPolicies } from '../../policies/proxy-policies';
import { collectorCluster } from '../envoy/trace-backend';
import { ORIGIN, type TaggedResource, cluster } from '../types';
import { proxyTrace } from './listener-policies/mesh-trace';

export function meshTraceClusters(proxy: ProxyContext, ctx: MeshContext): TaggedResource[] {
  const trace = proxyTrace(proxyPolicies(proxy.dataplane, ctx));
  if (!trace) return [];
  return [cluster(trace.backend.cluster, ORIGIN.meshTrace, collectorCluster(trace.backend))];
}
