/**
 * Load-balancer algorithm of an outbound cluster and the route hash policies it needs (spec
 * kuma-kds-xds.md §3.6; Kuma meshloadbalancingstrategy plugin, legacy TrafficRoute loadBalancer).
 * Locality awareness (priorities, affinity, cross-zone failover) is in locality.ts.
 *
 * Hash policies are route settings, the algorithm a cluster one. Since Kuma 2.10 they live at
 * `default.hashPolicies` (MADR "move HashPolicies out of LB specific structs"); the older
 * `loadBalancer.ringHash|maglev.hashPolicies` still count, for the type in use only. When the
 * merged conf holds both, the root list wins, even empty (Kuma's getHashPolicies); it applies
 * whatever the algorithm, as Kuma's route configurer does.
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

/**
 * The hash policies of a MeshLoadBalancingStrategy conf, as Envoy route hash policies:
 * `hashPolicies` when set, else those of `loadBalancer.ringHash` (type RingHash) or
 * `loadBalancer.maglev` (type Maglev); undefined when the conf names none.
 */
export function meshHashPolicies(conf: Obj | undefined): DeepPartial<RouteAction_HashPolicy>[] | undefined {
  if (!conf) return undefined;
  if (conf.hashPolicies !== undefined && conf.hashPolicies !== null) return hashPolicies(listAt(conf, 'hashPolicies'));
  const lb = objAt(conf, 'loadBalancer');
  const legacy = strAt(lb, 'type') === 'RingHash' ? objAt(lb, 'ringHash') : strAt(lb, 'type') === 'Maglev' ? objAt(lb, 'maglev') : undefined;
  const list = legacy?.hashPolicies;
  return list === undefined || list === null ? undefined : hashPolicies(listAt(legacy, 'hashPolicies'));
}

/** `lb` for a route: with the hash policies when there are any (an empty list puts none on the route). */
function withHashPolicies(lb: LoadBalancing, hp: DeepPartial<RouteAction_HashPolicy>[] | undefined): LoadBalancing {
  const { hashPolicies: _, ...cluster } = lb;
  return hp?.length ? { ...cluster, hashPolicies: hp } : cluster;
}

/** MeshLoadBalancingStrategy `loadBalancer`: the cluster's algorithm (hash policies: meshHashPolicies). */
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
      return ringHash(rh, strAt(rh, 'hashFunction') === 'MurmurHash2');
    }
    case 'Maglev': {
      const mg = objAt(lb, 'maglev');
      const size = uintAt(mg, 'tableSize');
      return { lbPolicy: Cluster_LbPolicy.MAGLEV, ...(size !== undefined ? { lbConfig: { $case: 'maglevLbConfig', value: { tableSize: String(size) } } } : {}) };
    }
    case 'Random':
      return { lbPolicy: Cluster_LbPolicy.RANDOM };
    default:
      return ROUND_ROBIN;
  }
}

/** A RING_HASH cluster from `minRingSize` / `maxRingSize` (both APIs name them so). */
function ringHash(conf: Obj | undefined, murmur: boolean): LoadBalancing {
  const min = uintAt(conf, 'minRingSize');
  const max = uintAt(conf, 'maxRingSize');
  return {
    lbPolicy: Cluster_LbPolicy.RING_HASH,
    lbConfig: {
      $case: 'ringHashLbConfig',
      value: {
        hashFunction: murmur ? Cluster_RingHashLbConfig_HashFunction.MURMUR_HASH_2 : Cluster_RingHashLbConfig_HashFunction.XX_HASH,
        ...(min !== undefined ? { minimumRingSize: String(min) } : {}),
        ...(max !== undefined ? { maximumRingSize: String(max) } : {}),
      },
    },
  };
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
    // The legacy API spells the hash function as Envoy's enum.
    return ringHash(ring, strAt(ring, 'hashFunction') === 'MURMUR_HASH_2');
  }
  if (objAt(lb, 'random')) return { lbPolicy: Cluster_LbPolicy.RANDOM };
  if (objAt(lb, 'maglev')) return { lbPolicy: Cluster_LbPolicy.MAGLEV };
  return ROUND_ROBIN;
}

/**
 * The balancing of traffic to `service`: the MeshLoadBalancingStrategy `loadBalancer` when one
 * sets it, else `fallback` (the TrafficRoute's, or round robin); with its hash policies.
 */
export function meshLoadBalancing(pp: ProxyPolicies, service: string, fallback: LoadBalancing): LoadBalancing {
  const conf = pp.to('MeshLoadBalancingStrategy', service);
  const lb = objAt(conf, 'loadBalancer');
  return withHashPolicies(lb ? fromMeshLoadBalancer(lb) : fallback, meshHashPolicies(conf));
}
