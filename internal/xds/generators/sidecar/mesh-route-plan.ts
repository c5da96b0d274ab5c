/**
 * The outbound plan of a service routed by MeshHTTPRoute or MeshTCPRoute (policies/route-policies.ts
 * resolves them). backendRefs become destination clusters the way TrafficRoute splits do: kind
 * MeshService is the service's cluster, kind MeshServiceSubset a `<service>-<hash>` cluster whose
 * endpoints keep only those carrying the subset's tags (outbound-endpoints.ts) and whose SNI
 * carries them (outbound-clusters.ts), so the same clusters serve local and remote zones.
 *
 * - An HTTP-family outbound with a MeshHTTPRoute gets one RoutePlan per resolved route; a
 *   MeshTCPRoute for it is ignored (Kuma docs "Interactions with MeshTCPRoute").
 * - Otherwise a MeshTCPRoute's backendRefs are the outbound's single weighted route, spoken as TCP
 *   (a tcp_proxy, whatever the service's protocol).
 * - RequestMirror backends get clusters too (mirrors are sent to a cluster of their own).
 * - kind MeshExternalService is its destination's cluster (through the zone egress,
 *   context/mesh-external-services.ts); one the proxy cannot reach is left out of the split.
 */
import { TAG } from '../../../resources/model';
import type { OutboundView, Tags } from '../../context/dataplane-view';
import { commonProtocol, isHttpFamily } from '../../context/protocol';
import type { MeshServiceDestination } from '../../context/mesh-services';
import type { MeshContext } from '../../context/types';
import type { ProxyPolicies } from '../../policies/proxy-policies';
import { type BackendRef, type HttpMatch, backendRefOf, resolveHttpRoutes, resolveTcpRoute } from '../../policies/route-policies';
import { destinationClusterName } from '../envoy/names';
import type { Obj } from '../envoy/values';
import type { DestinationCluster, OutboundPlan, RoutePlan, WeightedTarget } from './outbound-plan';

export interface MeshRouteDetails {
  match: HttpMatch;
  /** The MeshHTTPRoute rule the route comes from (route-policies.ts ruleKeyOf); undefined for the appended catch-all. */
  ruleKey?: string;
  /** Every filter but RequestMirror, in order. */
  filters: Obj[];
  mirrors: { cluster: string; /** 0-100; undefined: every request. */ percentage?: number }[];
}

/** The MeshExternalService destination a backendRef names (resource name, else display name). */
function externalDestination(ctx: MeshContext, name: string): MeshServiceDestination | undefined {
  let byDisplay: MeshServiceDestination | undefined;
  for (const d of ctx.meshServices?.values() ?? []) {
    if (d.kind !== 'MeshExternalService') continue;
    if (d.name === name) return d;
    if (!byDisplay && d.displayName === name) byDisplay = d;
  }
  return byDisplay;
}

/** The cluster of a backendRef; undefined for a MeshExternalService this proxy cannot reach (none, or no mTLS). */
function clusterOf(ref: Pick<BackendRef, 'kind' | 'name' | 'tags'>, clusters: Map<string, DestinationCluster>, ctx: MeshContext): string | undefined {
  if (ref.kind === 'MeshExternalService') {
    const dest = externalDestination(ctx, ref.name);
    if (!dest) return undefined;
    if (!clusters.has(dest.key)) clusters.set(dest.key, { name: dest.key, service: dest.key, tags: { [TAG.service]: dest.key }, meshService: dest });
    return dest.key;
  }
  const tags: Tags = { [TAG.service]: ref.name, ...ref.tags };
  const name = destinationClusterName(tags);
  if (!clusters.has(name)) clusters.set(name, { name, service: ref.name, tags });
  return name;
}

/** Weighted targets of backendRefs; weight-0 refs are left out (Envoy refuses a zero total). */
function targetsOf(refs: readonly BackendRef[], clusters: Map<string, DestinationCluster>, ctx: MeshContext): WeightedTarget[] {
  const weights = new Map<string, number>();
  for (const ref of refs) {
    if (ref.weight <= 0) continue;
    const c = clusterOf(ref, clusters, ctx);
    if (c === undefined) continue;
    weights.set(c, (weights.get(c) ?? 0) + ref.weight);
  }
  return [...weights].map(([cluster, weight]) => ({ cluster, weight }));
}

function percentageOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function details(match: HttpMatch, ruleKey: string | undefined, filters: readonly Obj[], clusters: Map<string, DestinationCluster>, ctx: MeshContext): MeshRouteDetails {
  const out: MeshRouteDetails = { match, ...(ruleKey !== undefined ? { ruleKey } : {}), filters: [], mirrors: [] };
  for (const f of filters) {
    if (f.type !== 'RequestMirror') {
      out.filters.push(f);
      continue;
    }
    const mirror = f.requestMirror as Obj | undefined;
    const ref = backendRefOf({ ...(mirror?.backendRef as Obj | undefined), weight: 1 });
    if (!ref) continue;
    const percentage = percentageOf(mirror?.percentage);
    const cluster = clusterOf(ref, clusters, ctx);
    if (cluster === undefined) continue;
    out.mirrors.push({ cluster, ...(percentage !== undefined ? { percentage } : {}) });
  }
  return out;
}

/** The plan of an outbound routed by a route policy; undefined when none applies to it. */
export function meshRoutePlan(pp: ProxyPolicies, outbound: OutboundView, ctx: MeshContext): OutboundPlan | undefined {
  const service = outbound.service;
  const protocol = commonProtocol([ctx.protocols.get(service) ?? 'tcp']);
  const clusters = new Map<string, DestinationCluster>();
  if (isHttpFamily(protocol)) {
    const resolved = resolveHttpRoutes(pp.toItems('MeshHTTPRoute'), service);
    if (resolved) {
      const routes: RoutePlan[] = resolved.map((r) => ({ meshRoute: details(r.match, r.ruleKey, r.filters, clusters, ctx), targets: targetsOf(r.backendRefs, clusters, ctx) }));
      return { outbound, service, protocol, routes, clusters: [...clusters.values()] };
    }
  }
  const tcp = resolveTcpRoute(pp.toItems('MeshTCPRoute'), service);
  if (!tcp) return undefined;
  let targets = targetsOf(tcp, clusters, ctx);
  // A tcp_proxy needs a destination: with no weighted backend the outbound keeps its own service.
  if (targets.length === 0) targets = targetsOf([{ kind: 'MeshService', name: service, tags: {}, weight: 1 }], clusters, ctx);
  return { outbound, service, protocol: 'tcp', routes: [{ targets }], clusters: [...clusters.values()] };
}
