/**
 * One EDS cluster per destination of the declared outbounds: `<service>`, or `<service>-<16hex>`
 * for a TrafficRoute split subset (spec kuma-kds-xds.md §3.2, §3.3, §3.6, §3.7).
 *
 * Settings come from policies on traffic to the destination service: connect timeout and HTTP
 * idleness (MeshTimeout / Timeout; not MeshTimeout's on grpc, envoy/timeouts.ts), circuit breakers and outlier detection (MeshCircuitBreaker /
 * CircuitBreaker), active health checks (MeshHealthCheck / HealthCheck), LB algorithm
 * (MeshLoadBalancingStrategy, else the routing TrafficRoute's loadBalancer). HTTP/2 and gRPC
 * destinations are spoken to over HTTP/2. With mTLS, Kuma's client TLS: SNI from the destination
 * tags, exact SPIFFE ID of the destination service.
 *
 * Cross-zone (spec kuma-kds-xds.md §2.4, §2.5): remote endpoints are the other zones' ingresses,
 * which route by SNI without terminating TLS, so the same TLS serves both: SNI
 * `<service>{mesh=<mesh>[,k=v...]}` (the split subset's tags, keys sorted), ALPN `kuma`, exact SAN
 * `spiffe://<mesh>/<service>`. MeshTLS versions and ciphers (envoy/mesh-tls.ts) go on that TLS too,
 * never on an ExternalService's. A MeshLoadBalancingStrategy with `localityAwareness.localZone.affinityTags`
 * switches the cluster to locality-weighted LB (envoy/locality.ts); this replaces the zone-aware
 * `fail_traffic_on_panic` of a health check (the two share one oneof in Envoy, as in Kuma).
 *
 * Identical clusters are built once per MeshContext (memo.ts) and shared by every proxy.
 */
import { Cluster, Cluster_DiscoveryType } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { isHttp2, isHttpFamily } from '../../context/protocol';
import type { MeshContext, ProxyContext } from '../../context/types';
import { proxyPolicies } from '../../policies/proxy-policies';
import { outboundCircuitBreaking } from '../envoy/circuit-breakers';
import { adsConfigSource, httpProtocolOptions } from '../envoy/common';
import { outboundHealthChecking } from '../envoy/health-checks';
import { type LoadBalancing, ROUND_ROBIN, fromLegacyLoadBalancer, meshLoadBalancing } from '../envoy/load-balancing';
import { localityPlan } from '../envoy/locality';
import { sniFromTags, statName } from '../envoy/names';
import { type ClusterHttpTimeouts, outboundClusterHttpTimeouts, outboundTimeouts } from '../envoy/timeouts';
import { outboundTlsParams } from '../envoy/mesh-tls';
import { meshMtls, upstreamTlsSocket, upstreamTlsSocketForSans } from '../envoy/tls';
import { duration } from '../envoy/values';
import { type SidecarMemo, meshMemo, sameValue } from '../memo';
import { ORIGIN, type TaggedResource, cluster } from '../types';
import { type ExternalTarget, externalClusterOverrides, externalTarget } from './external-services';
import { type DestinationCluster, outboundPlans } from './outbound-plan';

interface ClusterInputs {
  dest: DestinationCluster;
  protocol: string;
  connectMs: number;
  /** Upstream HTTP options (HTTP-family destinations). */
  http: ClusterHttpTimeouts;
  breaking: ReturnType<typeof outboundCircuitBreaking>;
  health: ReturnType<typeof outboundHealthChecking>;
  lb: LoadBalancing;
  mtlsMesh?: string;
  /** MeshTLS versions and ciphers of the client side. */
  tlsParams?: ReturnType<typeof outboundTlsParams>;
  /** locality_weighted_lb_config (MeshLoadBalancingStrategy affinity tags). */
  localityWeighted?: true;
  /** An ExternalService destination (external-services.ts): direct to its host, or through zone egress. */
  external?: ExternalTarget;
}

function build(i: ClusterInputs): Cluster {
  const { dest, protocol, breaking, health, lb } = i;
  const panic = breaking.healthyPanicThreshold ?? health.healthyPanicThreshold;
  const commonLbConfig: DeepPartial<Cluster>['commonLbConfig'] = {};
  if (panic !== undefined) commonLbConfig.healthyPanicThreshold = { value: Math.min(Math.max(panic, 0), 100) };
  if (i.localityWeighted) {
    commonLbConfig.localityConfigSpecifier = { $case: 'localityWeightedLbConfig', value: {} };
  } else if (health.failTrafficOnPanic !== undefined) {
    commonLbConfig.localityConfigSpecifier = { $case: 'zoneAwareLbConfig', value: { failTrafficOnPanic: health.failTrafficOnPanic } };
  }
  const partial: DeepPartial<Cluster> = {
    name: dest.name,
    altStatName: statName(dest.name),
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.EDS },
    edsClusterConfig: { edsConfig: adsConfigSource() },
    connectTimeout: duration(i.connectMs),
    lbPolicy: lb.lbPolicy,
    ...(lb.lbConfig ? { lbConfig: lb.lbConfig } : {}),
    ...(breaking.circuitBreakers ? { circuitBreakers: breaking.circuitBreakers } : {}),
    ...(breaking.outlierDetection ? { outlierDetection: breaking.outlierDetection } : {}),
    ...(health.healthChecks.length > 0 ? { healthChecks: health.healthChecks } : {}),
    ...(Object.keys(commonLbConfig).length > 0 ? { commonLbConfig } : {}),
    ...(isHttpFamily(protocol)
      ? {
          typedExtensionProtocolOptions: httpProtocolOptions(isHttp2(protocol), i.http),
        }
      : {}),
    ...(i.mtlsMesh
      ? {
          transportSocket: dest.meshService
            ? upstreamTlsSocketForSans(i.mtlsMesh, dest.meshService.sni, dest.meshService.sans, i.tlsParams)
            : upstreamTlsSocket(i.mtlsMesh, sniFromTags(dest.tags, i.mtlsMesh), dest.service, i.tlsParams),
        }
      : {}),
    ...(i.external ? externalClusterOverrides(dest.name, i.external) : {}),
  };
  return Cluster.fromPartial(partial);
}

export function outboundClusters(proxy: ProxyContext, ctx: MeshContext, memo?: SidecarMemo): TaggedResource[] {
  const pp = proxyPolicies(proxy.dataplane, ctx);
  const mtls = meshMtls(proxy, ctx);
  const tlsParams = mtls ? outboundTlsParams(pp) : undefined;
  const cache = meshMemo(ctx, memo).clusters;
  const out: TaggedResource[] = [];
  const seen = new Set<string>();
  for (const plan of outboundPlans(proxy.dataplane, ctx, proxy)) {
    for (const dest of plan.clusters) {
      if (seen.has(dest.name)) continue;
      seen.add(dest.name);
      const protocol = ctx.protocols.get(dest.service) ?? 'tcp';
      const locality = localityPlan(pp, dest.service, ctx);
      const external = dest.meshService ? undefined : externalTarget(ctx, dest, mtls);
      const inputs: ClusterInputs = {
        dest,
        protocol,
        connectMs: outboundTimeouts(pp, dest.service, protocol).connectMs,
        http: outboundClusterHttpTimeouts(pp, dest.service, protocol),
        breaking: outboundCircuitBreaking(pp, dest.service),
        health: outboundHealthChecking(pp, dest.service, protocol),
        lb: meshLoadBalancing(pp, dest.service, plan.loadBalancer ? fromLegacyLoadBalancer(plan.loadBalancer) : ROUND_ROBIN),
        ...(mtls ? { mtlsMesh: mtls.mesh } : {}),
        ...(tlsParams && !external ? { tlsParams } : {}),
        ...(locality.kind === 'failover' && locality.localityWeighted && !external ? { localityWeighted: true as const } : {}),
        ...(external ? { external } : {}),
      };
      // Proxies with equal inputs share one cluster object (encoded once); compared by value.
      let built = cache.get(dest.name);
      if (!built) cache.set(dest.name, (built = []));
      let c = built.find((b) => sameValue(b.inputs, inputs))?.cluster;
      if (!c) built.push({ inputs, cluster: (c = build(inputs)) });
      out.push(cluster(dest.name, ORIGIN.outbound, c));
    }
  }
  return out;
}
