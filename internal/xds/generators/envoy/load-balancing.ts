/**
 * Load-balancer algorithm of an outbound cluster and the route hash policies it needs (spec
 * kuma-kds-xds.md §3.6; Kuma meshloadbalancingstrategy plugin, legacy TrafficRoute loadBalancer).
 * Locality awareness (priorities, affinity, cross-zone failover) is in locality.ts.
 */
import type { Cluster } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import { Cluster_LbPolicy, Cluster_RingHashLbConfig_HashFunction } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import type { RouteAction_HashPolicy } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { ProxyPolicies } from '../../policies/proxy-policies';
import { type Obj, boolAt, duration, listAt, msAt, objAt, strAt, uintAt } from './values';

export interface LoadBalancing {
  lbPolicy: Cluster_LbPolicy;
  lbConfig?: DeepPartial<Cluster>['lbConfig'];
  /** Route hash policies (RingHash / Maglev). */
  hashPolicies?: DeepPartial<RouteAction_HashPolicy>[];
}

export const ROUND_ROBIN: LoadBalancing = { lbPolicy: Cluster_LbPolicy.ROUND_ROBIN };

function hashPolicies(list: unknown[]): DeepPartial<RouteAction_HashPolicy>[] {
  const out: DeepPartial<RouteAction_HashPolicy>[] = [];
  for (const hp of list) {
    const terminal = boolAt(hp, 'terminal') === true;
    const t = terminal ? { terminal } : {};
    switch (strAt(hp, 'type')) {
      case 'Header': {
        const name = strAt(objAt(hp, 'header'), 'name');
        if (name) out.push({ ...t, policySpecifier: { $case: 'header', value: { headerName: name } } });
        break;
      }
      case 'Cookie': {
        const c = objAt(hp, 'cookie');
        const name = strAt(c, 'name');
        if (!name) break;
        const ttl = msAt(c, 'ttl');
        const path = strAt(c, 'path');
        out.push({ ...t, policySpecifier: { $case: 'cookie', value: { name, ...(ttl !== undefined ? { ttl: duration(ttl) } : {}), ...(path ? { path } : {}) } } });
        break;
      }
      case 'Connection':
      case 'SourceIP':
        out.push({ ...t, policySpecifier: { $case: 'connectionProperties', value: { sourceIp: true } } });
        break;
      case 'QueryParameter': {
        const name = strAt(objAt(hp, 'queryParameter'), 'name');
        if (name) out.push({ ...t, policySpecifier: { $case: 'queryParameter', value: { name } } });
        break;
      }
      case 'FilterState': {
        const key = strAt(objAt(hp, 'filterState'), 'key');
        if (key) out.push({ ...t, policySpecifier: { $case: 'filterState', value: { key } } });
        break;
      }
    }
  }
  return out;
}

function withHashPolicies(lb: LoadBalancing, list: unknown[]): LoadBalancing {
  const hp = hashPolicies(list);
  return hp.length > 0 ? { ...lb, hashPolicies: hp } : lb;
}

/** MeshLoadBalancingStrategy `loadBalancer`. */
export function fromMeshLoadBalancer(lb: Obj): LoadBalancing {
  switch (strAt(lb, 'type')) {
    case 'LeastRequest': {
      const choiceCount = uintAt(objAt(lb, 'leastRequest'), 'choiceCount');
      return {
        lbPolicy: Cluster_LbPolicy.LEAST_REQUEST,
        ...(choiceCount !== undefined && choiceCount >= 2 ? { lbConfig: { $case: 'leastRequestLbConfig', value: { choiceCount } } } : {}),
      };
    }
    case 'RingHash': {
      const rh = objAt(lb, 'ringHash');
      const min = uintAt(rh, 'minRingSize');
      const max = uintAt(rh, 'maxRingSize');
      return withHashPolicies(
        {
          lbPolicy: Cluster_LbPolicy.RING_HASH,
          lbConfig: {
            $case: 'ringHashLbConfig',
            value: {
              hashFunction: strAt(rh, 'hashFunction') === 'MurmurHash2' ? Cluster_RingHashLbConfig_HashFunction.MURMUR_HASH_2 : Cluster_RingHashLbConfig_HashFunction.XX_HASH,
              ...(min !== undefined ? { minimumRingSize: String(min) } : {}),
              ...(max !== undefined ? { maximumRingSize: String(max) } : {}),
            },
          },
        },
        listAt(rh, 'hashPolicies'),
      );
    }
    case 'Maglev': {
      const mg = objAt(lb, 'maglev');
      const size = uintAt(mg, 'tableSize');
      return withHashPolicies(
        { lbPolicy: Cluster_LbPolicy.MAGLEV, ...(size !== undefined ? { lbConfig: { $case: 'maglevLbConfig', value: { tableSize: String(size) } } } : {}) },
        listAt(mg, 'hashPolicies'),
      );
    }
    case 'Random':
      return { lbPolicy: Cluster_LbPolicy.RANDOM };
    default:
      return ROUND_ROBIN;
  }
}

/** Legacy TrafficRoute `conf.loadBalancer` (one of roundRobin / leastRequest / ringHash / random / maglev). */
export function fromLegacyLoadBalancer(lb: Obj | undefined): LoadBalancing {
  if (!lb) return ROUND_ROBIN;
  const least = objAt(lb, 'leastRequest');
  if (least) {
    const choiceCount = uintAt(least, 'choiceCount');
    return {
      lbPolicy: Cluster_LbPolicy.LEAST_REQUEST,
      ...(choiceCount !== undefined && choiceCount >= 2 ? { lbConfig: { $case: 'leastRequestLbConfig', value: { choiceCount } } } : {}),
    };
  }
  const ring = objAt(lb, 'ringHash');
  if (ring) {
    const min = uintAt(ring, 'minRingSize');
    const max = uintAt(ring, 'maxRingSize');
    return {
      lbPolicy: Cluster_LbPolicy.RING_HASH,
      lbConfig: {
        $case: 'ringHashLbConfig',
        value: {
          hashFunction: strAt(ring, 'hashFunction') === 'MURMUR_HASH_2' ? Cluster_RingHashLbConfig_HashFunction.MURMUR_HASH_2 : Cluster_RingHashLbConfig_HashFunction.XX_HASH,
          ...(min !== undefined ? { minimumRingSize: String(min) } : {}),
          ...(max !== undefined ? { maximumRingSize: String(max) } : {}),
        },
      },
    };
  }
  if (objAt(lb, 'random')) return { lbPolicy: Cluster_LbPolicy.RANDOM };
  if (objAt(lb, 'maglev')) return { lbPolicy: Cluster_LbPolicy.MAGLEV };
  return ROUND_ROBIN;
}

/** The MeshLoadBalancingStrategy load balancer for traffic to `service`, when one applies. */
export function meshLoadBalancing(pp: ProxyPolicies, service: string): LoadBalancing | undefined {
  const lb = objAt(pp.to('MeshLoadBalancingStrategy', service), 'loadBalancer');
  return lb ? fromMeshLoadBalancer(lb) : undefined;
}
