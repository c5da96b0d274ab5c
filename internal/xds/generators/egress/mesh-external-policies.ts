/**
 * The policies Kuma applies on the zone egress to a MeshExternalService (MADR 056 "MeshExternalService
 * and ZoneEgress", placement "Egress (to)"): MeshCircuitBreaker, MeshHealthCheck and
 * MeshLoadBalancingStrategy (`loadBalancer` only). They act on the real endpoints, which only the
 * egress sees: the sidecar's MES cluster has the egresses as hosts. MeshTimeout, MeshRetry and the
 * routes stay on the sidecar (see mesh-external-http.ts).
 *
 * The egress is matched as a proxy of the mesh with no tags of its own (Kuma's egress matching
 * takes the `to` rules of policies whose top-level targetRef is the Mesh), so `to` items of kind
 * Mesh or MeshExternalService apply, merged as for a sidecar.
 *
 * Pure.
 */
import { type Resource, ZERO_TIME } from '../../../resources/model';
import type { MeshServiceDestination } from '../../context/mesh-services';
import type { MeshContext } from '../../context/types';
import { ZONE_EGRESS_SERVICE } from '../../context/zone-egress';
import { type ProxyPolicies, proxyPolicies } from '../../policies/proxy-policies';
import { type CircuitBreaking, outboundCircuitBreaking } from '../envoy/circuit-breakers';
import { type HealthChecking, outboundHealthChecking } from '../envoy/health-checks';
import { type LoadBalancing, meshLoadBalancing } from '../envoy/load-balancing';

export interface MesEgressPolicies {
  breaking: CircuitBreaking;
  health: HealthChecking;
  lb?: LoadBalancing;
}

const pseudoEgress = new WeakMap<MeshContext, Resource>();

/** The egress as policies see it in one mesh (one object per MeshContext, so proxyPolicies memoizes). */
function egressPolicies(ctx: MeshContext): ProxyPolicies {
  let dp = pseudoEgress.get(ctx);
  if (!dp) {
    dp = {
      type: 'Dataplane',
      mesh: ctx.meshName,
      name: ZONE_EGRESS_SERVICE,
      labels: {},
      version: 1,
      creationTime: ZERO_TIME,
      modificationTime: ZERO_TIME,
      spec: { networking: { address: '0.0.0.0', inbound: [] } },
    };
    pseudoEgress.set(ctx, dp);
  }
  return proxyPolicies(dp, ctx);
}

export function meshExternalEgressPolicies(ctx: MeshContext, dest: MeshServiceDestination): MesEgressPolicies {
  const pp = egressPolicies(ctx);
  const lb = meshLoadBalancing(pp, dest.key);
  return { breaking: outboundCircuitBreaking(pp, dest.key), health: outboundHealthChecking(pp, dest.key, dest.protocol), ...(lb ? { lb } : {}) };
}
