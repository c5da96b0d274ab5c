/**
 * The zone egress side of MeshExternalServices (context/mesh-external-services.ts): per
 * MeshExternalService of a mesh with mTLS, a filter chain on its hashed SNI
 * (`a<hash>.<name>.<port>.<mesh>.mes`) that terminates the sidecar's mesh mTLS with the egress
 * identity and proxies to a cluster named like the sidecar's, whose hosts are `spec.endpoints[]`
 * (STRICT_DNS when one is a name, else STATIC) with the TLS origination of `spec.tls`
 * (envoy/mes-tls.ts). `match.protocol` http/http2/grpc: an http_connection_manager routing to the
 * cluster (mesh-external-http.ts), which speaks HTTP/1.1 or HTTP/2 (http2, grpc) upstream; tcp and
 * tls: tcp_proxy.
 *
 * MeshCircuitBreaker, MeshHealthCheck and MeshLoadBalancingStrategy towards it apply to that cluster
 * (mesh-external-policies.ts).
 *
 * Access: everyone in the mesh, unless the Mesh sets `routing.defaultForbidMeshExternalServiceAccess`
 * (then an RBAC that allows no one; MeshTrafficPermissions for MeshExternalServices are not read).
 */
import { Cluster, Cluster_DiscoveryType, Cluster_DnsLookupFamily } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import type { FilterChain } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import type { Filter } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { MeshServiceDestination } from '../../context/mesh-services';
import type { MeshContext } from '../../context/types';
import { isHttp2, isHttpFamily } from '../../context/protocol';
import { httpProtocolOptions, socketAddress } from '../envoy/common';
import { meshExternalTlsSocket } from '../envoy/mes-tls';
import { statName } from '../envoy/names';
import { networkRbacFilter } from '../envoy/rbac';
import { downstreamTlsSocket } from '../envoy/tls';
import { duration, field } from '../envoy/values';
import { meshExternalHttpFilter } from './mesh-external-http';
import type { MesEgressPolicies } from './mesh-external-policies';

const CONNECT_TIMEOUT_MS = 5_000;

/** The MeshExternalService destinations of a mesh that have something to dial. */
export function meshExternalDestinations(ctx: MeshContext): MeshServiceDestination[] {
  const out: MeshServiceDestination[] = [];
  for (const d of ctx.meshServices?.values() ?? []) if (d.kind === 'MeshExternalService' && d.upstream && d.upstream.endpoints.length > 0) out.push(d);
  return out;
}

/** `policies`: what MeshCircuitBreaker, MeshHealthCheck and MeshLoadBalancingStrategy say for it on the egress. */
export function meshExternalCluster(dest: MeshServiceDestination, systemCaPath?: string, policies?: MesEgressPolicies): Cluster {
  const up = dest.upstream!;
  const dns = up.endpoints.some((e) => !e.ip);
  const { breaking, health, lb } = policies ?? { breaking: {}, health: { healthChecks: [] } };
  const panic = breaking.healthyPanicThreshold ?? health.healthyPanicThreshold;
  const commonLbConfig: DeepPartial<Cluster>['commonLbConfig'] = {
    ...(panic !== undefined ? { healthyPanicThreshold: { value: Math.min(Math.max(panic, 0), 100) } } : {}),
    ...(health.failTrafficOnPanic !== undefined ? { localityConfigSpecifier: { $case: 'zoneAwareLbConfig' as const, value: { failTrafficOnPanic: health.failTrafficOnPanic } } } : {}),
  };
  return Cluster.fromPartial({
    name: dest.key,
    altStatName: statName(dest.key),
    connectTimeout: duration(CONNECT_TIMEOUT_MS),
    clusterDiscoveryType: { $case: 'type', value: dns ? Cluster_DiscoveryType.STRICT_DNS : Cluster_DiscoveryType.STATIC },
    ...(dns ? { dnsLookupFamily: Cluster_DnsLookupFamily.V4_ONLY } : {}),
    loadAssignment: {
      clusterName: dest.key,
      endpoints: [
        {
          lbEndpoints: up.endpoints.map((e) => ({
            hostIdentifier: { $case: 'endpoint' as const, value: { address: socketAddress(e.address, e.port) } },
            loadBalancingWeight: 1,
          })),
        },
      ],
    },
    ...(lb ? { lbPolicy: lb.lbPolicy, ...(lb.lbConfig ? { lbConfig: lb.lbConfig } : {}) } : {}),
    ...(breaking.circuitBreakers ? { circuitBreakers: breaking.circuitBreakers } : {}),
    ...(breaking.outlierDetection ? { outlierDetection: breaking.outlierDetection } : {}),
    ...(health.healthChecks.length > 0 ? { healthChecks: health.healthChecks } : {}),
    ...(Object.keys(commonLbConfig).length > 0 ? { commonLbConfig } : {}),
    ...(up.tls ? { transportSocket: meshExternalTlsSocket(up.tls, systemCaPath) } : {}),
    ...(isHttpFamily(dest.protocol) ? { typedExtensionProtocolOptions: httpProtocolOptions(isHttp2(dest.protocol)) } : {}),
  });
}

function forbidden(ctx: MeshContext): boolean {
  return field(field(ctx.mesh.spec, 'routing'), 'defaultForbidMeshExternalServiceAccess') === true;
}

export function meshExternalChain(
  ctx: MeshContext,
  dest: MeshServiceDestination,
  listenerName: string,
  tcpProxy: (cluster: string) => DeepPartial<Filter>,
  policies?: MesEgressPolicies,
): DeepPartial<FilterChain> {
  const deny = forbidden(ctx) ? [networkRbacFilter({ rules: { policies: {} } }, `${listenerName}:${dest.key}`)] : [];
  return {
    name: dest.key,
    filterChainMatch: { serverNames: [dest.sni], transportProtocol: 'tls' },
    filters: [...deny, isHttpFamily(dest.protocol) ? meshExternalHttpFilter(dest, policies?.hashPolicies) : tcpProxy(dest.key)],
    transportSocket: downstreamTlsSocket(ctx.meshName),
  };
}
