/**
 * Where each endpoint of an outbound cluster goes in the ClusterLoadAssignment: its locality
 * (zone, sub-zone), priority and locality weight (spec kuma-kds-xds.md §2.5, §3.6; Kuma
 * pkg/xds/topology/outbound.go GetLocality, meshloadbalancingstrategy plugin locality_aware.go /
 * priority.go).
 *
 * For traffic from a proxy to a service the first that applies decides:
 *
 * 1. A MeshLoadBalancingStrategy `to` conf for the service with `localityAwareness.localZone` or
 *    `.crossZone` (these win over `disabled`): **failover** plan.
 *    - Local endpoints: priority 0, locality zone = this zone. With `localZone.affinityTags`, an
 *      endpoint whose tag equals the *client's* value of the first matching key goes to sub-zone
 *      `key=value` with the tag's weight (default 9·10^(n-i-1) for the i-th of n tags), the others
 *      to the plain zone locality with weight 1; the cluster then uses locality-weighted LB.
 *    - Remote endpoints: the `crossZone.failover` entries whose `from.zones` include this zone (or
 *      have no `from`) are tried in order; entry i gives priority i+1 (Kuma numbers by position,
 *      also counting entries whose `from` does not match). `Any` takes every zone, `Only` the listed
 *      ones, `AnyExcept` the others; `None` takes nothing (the next entry is tried, as in Kuma). A
 *      remote endpoint no entry takes is dropped, so `localZone` alone means no cross-zone traffic.
 *    - overprovisioning factor 200, or trunc(100 / failoverThreshold.percentage) * 100.
 * 2. Such a conf with `localityAwareness.disabled: true`: **flat** (everything priority 0).
 * 3. Any other MeshLoadBalancingStrategy conf for the service (locality awareness is on by default
 *    with the policy; the Mesh flag is then ignored): **localFirst**.
 * 4. No MeshLoadBalancingStrategy, a MeshService-mode destination (MeshContext.meshServices):
 *    **localFirst** (Kuma gives remote MeshService endpoints priority 1 whatever the Mesh says).
 * 5. No MeshLoadBalancingStrategy: Mesh `routing.localityAwareLoadBalancing: true` gives
 *    **localFirst** (other zones priority 1), else **flat**.
 *
 * Not implemented: the zone-egress locality (egress_<hash>) Kuma uses with `routing.zoneEgress`.
 */
import { TAG } from '../../../resources/model';
import type { Endpoint, MeshContext } from '../../context/types';
import type { ProxyPolicies } from '../../policies/proxy-policies';
import { type Obj, boolAt, field, listAt, numberAt, objAt, strAt, uintAt } from './values';

export interface AffinityGroup {
  key: string;
  /** The client's value of `key`. */
  value: string;
  weight: number;
}

export interface CrossZoneGroup {
  type: 'Any' | 'Only' | 'AnyExcept' | 'None';
  zones: string[];
  priority: number;
}

export type LocalityPlan =
  | { kind: 'flat' }
  | { kind: 'localFirst' }
  | {
      kind: 'failover';
      /** This zone (locality of local endpoints). */
      zone: string;
      affinity: AffinityGroup[];
      crossZone: CrossZoneGroup[];
      /** locality_weighted_lb_config on the cluster (affinity tags configured). */
      localityWeighted: boolean;
      overprovisioningFactor: number;
    };

export const FLAT: LocalityPlan = { kind: 'flat' };
export const LOCAL_FIRST: LocalityPlan = { kind: 'localFirst' };
const DEFAULT_OVERPROVISIONING_FACTOR = 200;

/** Where one endpoint goes; undefined = dropped. */
export interface Placement {
  zone?: string;
  subZone?: string;
  priority: number;
  /** Locality load-balancing weight (only in a failover plan with locality-weighted LB). */
  localityWeight?: number;
}

/** The sorted distinct values of `key` across the client's tag sets. */
function clientValues(pp: ProxyPolicies, key: string): string[] {
  const out = new Set<string>();
  for (const t of pp.dp.tagSets) if (t[key] !== undefined && t[key] !== '') out.add(t[key]!);
  return [...out].sort();
}

function failoverPlan(pp: ProxyPolicies, la: Obj, zone: string): LocalityPlan {
  const affinityTags = listAt(objAt(la, 'localZone'), 'affinityTags');
  const affinity: AffinityGroup[] = [];
  affinityTags.forEach((t, i) => {
    const key = strAt(t, 'key');
    if (!key) return;
    const weight = uintAt(t, 'weight') ?? 9 * 10 ** (affinityTags.length - i - 1);
    const value = clientValues(pp, key)[0];
    if (value !== undefined) affinity.push({ key, value, weight });
  });

  const crossZone: CrossZoneGroup[] = [];
  const cz = objAt(la, 'crossZone');
  listAt(cz, 'failover').forEach((rule, i) => {
    const from = objAt(rule, 'from');
    if (from && !listAt(from, 'zones').includes(zone)) return;
    const to = objAt(rule, 'to');
    const type = strAt(to, 'type');
    const zones = listAt(to, 'zones').filter((z): z is string => typeof z === 'string');
    if (type === 'Any') crossZone.push({ type, zones: [], priority: i + 1 });
    else if (type === 'Only' || type === 'AnyExcept') crossZone.push({ type, zones: [...zones].sort(), priority: i + 1 });
    else crossZone.push({ type: 'None', zones: [], priority: 0 });
  });

  let overprovisioningFactor = DEFAULT_OVERPROVISIONING_FACTOR;
  const pct = numberAt(objAt(cz, 'failoverThreshold'), 'percentage');
  if (pct !== undefined && pct > 0) overprovisioningFactor = Math.trunc(100 / pct) * 100;

  return { kind: 'failover', zone, affinity, crossZone, localityWeighted: affinityTags.length > 0, overprovisioningFactor };
}

/** The locality plan for traffic from the proxy of `pp` to `service`. */
export function localityPlan(pp: ProxyPolicies, service: string, ctx: MeshContext): LocalityPlan {
  const conf = pp.to('MeshLoadBalancingStrategy', service);
  if (conf) {
    const la = objAt(conf, 'localityAwareness');
    if (la && (field(la, 'localZone') !== undefined || field(la, 'crossZone') !== undefined)) return failoverPlan(pp, la, ctx.zone);
    if (la && boolAt(la, 'disabled') === true) return FLAT;
    return LOCAL_FIRST;
  }
  if (ctx.meshServices?.has(service)) return LOCAL_FIRST;
  return boolAt(objAt(ctx.mesh.spec, 'routing'), 'localityAwareLoadBalancing') === true ? LOCAL_FIRST : FLAT;
}

function crossZonePriority(groups: readonly CrossZoneGroup[], zone: string): number | undefined {
  for (const g of groups) {
    switch (g.type) {
      case 'Any':
        return g.priority;
      case 'Only':
        if (g.zones.includes(zone)) return g.priority;
        break;
      case 'AnyExcept':
        if (!g.zones.includes(zone)) return g.priority;
        break;
      case 'None':
        break;
    }
  }
  return undefined;
}

/** The locality of one endpoint under a plan; undefined when the plan drops it. */
export function placeEndpoint(ep: Endpoint, plan: LocalityPlan): Placement | undefined {
  switch (plan.kind) {
    case 'flat':
      return { ...(ep.zone ? { zone: ep.zone } : {}), priority: 0 };
    case 'localFirst':
      return { ...(ep.zone ? { zone: ep.zone } : {}), priority: ep.remote ? 1 : 0 };
    case 'failover': {
      if (!ep.remote) {
        const w = plan.localityWeighted ? { localityWeight: 1 } : {};
        for (const a of plan.affinity) {
          if (ep.tags[a.key] === a.value) {
            return { zone: plan.zone, subZone: `${a.key}=${a.value}`, priority: 0, ...(plan.localityWeighted ? { localityWeight: a.weight } : {}) };
          }
        }
        return { zone: plan.zone, priority: 0, ...w };
      }
      const zone = ep.zone ?? ep.tags[TAG.zone] ?? '';
      const priority = crossZonePriority(plan.crossZone, zone);
      return priority === undefined ? undefined : { zone, priority };
    }
  }
}
