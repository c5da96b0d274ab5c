/**
 * The policies Kuma 2.14 applies on the zone egress to a MeshExternalService (MADR 056
 * "MeshExternalService and ZoneEgress", placement "Egress (to)"; Kuma's plugins, release-2.14):
 *
 * | policy                                   | for MES traffic on the (global-scoped) ZoneEgress      |
 * |------------------------------------------|--------------------------------------------------------|
 * | MeshCircuitBreaker, MeshHealthCheck      | egress cluster of the real endpoints (here)             |
 * | MeshLoadBalancingStrategy                | egress cluster, `loadBalancer` only (here)              |
 * | MeshTrafficPermission                    | not read: allow all, deny all with the Mesh's           |
 * |                                          | `routing.defaultForbidMeshExternalServiceAccess`        |
 * | MeshTimeout, MeshRetry, MeshHTTPRoute,   | the client's sidecar (mesh-external-http.ts)            |
 * | MeshTCPRoute, MeshAccessLog (to)         |                                                        |
 * | MeshFaultInjection, MeshRateLimit,       | egress `from` rules for legacy ExternalService chains   |
 * | MeshAccessLog (from)                     | only; none on a MeshExternalService chain               |
 * | MeshMetric, MeshTrace, MeshProxyPatch,   | not on this egress                                      |
 * | MeshTLS                                  |                                                        |
 *
 * (2.14's mesh-scoped zone proxies, Dataplanes with `networking.listeners`, take ten policies by
 * top-level targetRef and `sni` matches; that proxy model is not implemented here.)
 *
 * They act on the real endpoints, which only the egress sees: the sidecar's MES cluster has the
 * egresses as hosts. Which policies count is egress-to-conf.ts: every policy of the type whose
 * `to[]` reaches the MeshExternalService, whatever its top-level targetRef. Legacy CircuitBreaker
 * and HealthCheck select kuma.io/service destinations, which a MeshExternalService is not.
 *
 * Pure.
 */
import type { MeshServiceDestination } from '../../context/mesh-services';
import type { MeshContext } from '../../context/types';
import { egressToConf } from '../../policies/egress-to-conf';
import { type CircuitBreaking, fromMeshCircuitBreaker } from '../envoy/circuit-breakers';
import { type HealthChecking, fromMeshHealthCheck } from '../envoy/health-checks';
import type { RouteAction_HashPolicy } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { type LoadBalancing, fromMeshLoadBalancer, meshHashPolicies } from '../envoy/load-balancing';
import { objAt } from '../envoy/values';

export interface MesEgressPolicies {
  breaking: CircuitBreaking;
  health: HealthChecking;
  lb?: LoadBalancing;
  /** The route's hash policies (MeshLoadBalancingStrategy `hashPolicies`, else RingHash/Maglev's). */
  hashPolicies?: DeepPartial<RouteAction_HashPolicy>[];
}

export function meshExternalEgressPolicies(ctx: MeshContext, dest: MeshServiceDestination): MesEgressPolicies {
  const cb = egressToConf(ctx, 'MeshCircuitBreaker', dest);
  const hc = egressToConf(ctx, 'MeshHealthCheck', dest);
  const lbConf = egressToConf(ctx, 'MeshLoadBalancingStrategy', dest);
  const lb = objAt(lbConf, 'loadBalancer');
  const hashPolicies = meshHashPolicies(lbConf);
  return {
    breaking: cb ? fromMeshCircuitBreaker(cb) : {},
    health: hc ? fromMeshHealthCheck(hc, dest.protocol) : { healthChecks: [] },
    ...(lb ? { lb: fromMeshLoadBalancer(lb) } : {}),
    ...(hashPolicies?.length ? { hashPolicies } : {}),
  };
}
