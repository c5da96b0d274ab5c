/**
 * Where each declared outbound of a sidecar sends its traffic: routes with weighted destination
 * clusters, from legacy TrafficRoute or the default route (spec kuma-api-cli.md §1.10 behaviour
 * notes; Kuma pkg/xds/generator/outbound_proxy_generator.go, pkg/xds/topology/route.go).
 *
 * - No TrafficRoute in the mesh: every outbound goes to the cluster of its own service.
 * - TrafficRoutes exist: the best one by selector rank applies (sources match the proxy,
 *   destinations match the outbound's service); an outbound no TrafficRoute matches gets no
 *   listener and no clusters, as in Kuma (traffic only flows where a route says so).
 * - `destination: {kuma.io/service: '*'}` means the outbound's own service.
 *
 * Computed once per (MeshContext, Dataplane) and shared by the outbound listener, cluster and
 * endpoint generators.
 */
import { TAG, type Resource } from '../../../resources/model';
import type { OutboundView, Tags } from '../../context/dataplane-view';
import { type Protocol, commonProtocol, isHttpFamily } from '../../context/protocol';
import type { MeshContext, ProxyContext } from '../../context/types';
import { type ProxyPolicies, forgetProxyPolicies, proxyPolicies } from '../../policies/proxy-policies';
import { MATCH_ALL } from '../../policies/selectors';
import { destinationClusterName } from '../envoy/names';
import type { MeshServiceDestination } from '../../context/mesh-services';
import { type MeshRouteDetails, meshRoutePlan } from './mesh-route-plan';
import { meshServicePlans } from './mesh-service-outbounds';
import { type Obj, field, listAt, objAt } from '../envoy/values';

export interface DestinationCluster {
  name: string;
  /** kuma.io/service of the destination. */
  service: string;
  /** Destination tags, kuma.io/service included; endpoints must carry all of them. */
  tags: Tags;
  /** A MeshService-mode destination (mesh-service-outbounds.ts): its SNI, SANs and locality rules apply. */
  meshService?: MeshServiceDestination;
}

export interface WeightedTarget {
  cluster: string;
  weight: number;
}

export interface RoutePlan {
  /** TrafficRoute `http[].match` ({path, method, headers}); undefined for the catch-all route. */
  match?: Obj;
  /** A MeshHTTPRoute route (match and filters; outbound-http-route.ts renders it), instead of `match`/`modify`. */
  meshRoute?: MeshRouteDetails;
  /** TrafficRoute `http[].modify`. */
  modify?: Obj;
  targets: WeightedTarget[];
}

export interface OutboundPlan {
  outbound: OutboundView;
  /** A Kuma DNS outbound on a VIP (MeshContext.vips), not one the Dataplane declares. */
  vip?: true;
  service: string;
  /** Common protocol of every destination the outbound can reach. */
  protocol: Protocol;
  /** HTTP: every route, catch-all last. TCP: only the catch-all route. */
  routes: RoutePlan[];
  /** Clusters the used routes reference, deduplicated, in first-use order. */
  clusters: DestinationCluster[];
  /** TrafficRoute `conf.loadBalancer`, when a TrafficRoute routes this outbound. */
  loadBalancer?: Obj;
}

function destinationTags(raw: unknown, outboundService: string): Tags | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Obj)) {
    if (typeof v !== 'string') continue;
    if (k === TAG.service) tags[k] = v === MATCH_ALL ? outboundService : v;
    else if (v !== MATCH_ALL) tags[k] = v;
  }
  return tags[TAG.service] ? tags : undefined;
}

/** `split` or `destination` of a TrafficRoute conf (or of one of its http[] entries) as clusters with weights. */
function targetsOf(o: unknown, outboundService: string, clusters: Map<string, DestinationCluster>): WeightedTarget[] {
  const weights = new Map<string, number>();
  const add = (tags: Tags | undefined, weight: number) => {
    if (!tags || weight <= 0) return;
    const name = destinationClusterName(tags);
    if (!clusters.has(name)) clusters.set(name, { name, service: tags[TAG.service]!, tags });
    weights.set(name, (weights.get(name) ?? 0) + weight);
  };
  const split = field(o, 'split');
  if (Array.isArray(split)) {
    for (const s of split) {
      const w = field(s, 'weight');
      add(destinationTags(field(s, 'destination'), outboundService), typeof w === 'number' ? w : 0);
    }
  } else {
    add(destinationTags(field(o, 'destination'), outboundService), 1);
  }
  return [...weights].map(([cluster, weight]) => ({ cluster, weight }));
}

function defaultPlan(outbound: OutboundView, ctx: MeshContext, vip = false): OutboundPlan {
  const service = outbound.service;
  if (vip && Object.keys(outbound.tags).some((k) => k !== TAG.service)) {
    // A VirtualOutbound VIP naming more tags than the service routes to that subset.
    const name = destinationClusterName(outbound.tags);
    return {
      outbound,
      service,
      protocol: commonProtocol([ctx.protocols.get(service) ?? 'tcp']),
      routes: [{ targets: [{ cluster: name, weight: 1 }] }],
      clusters: [{ name, service, tags: outbound.tags }],
    };
  }
  return {
    outbound,
    service,
    protocol: commonProtocol([ctx.protocols.get(service) ?? 'tcp']),
    routes: [{ targets: [{ cluster: service, weight: 1 }] }],
    clusters: [{ name: service, service, tags: { [TAG.service]: service } }],
  };
}

function routedPlan(outbound: OutboundView, ctx: MeshContext, route: Resource): OutboundPlan {
  const service = outbound.service;
  const conf = field(route.spec, 'conf');
  const all = new Map<string, DestinationCluster>();
  const httpRoutes: RoutePlan[] = [];
  for (const h of listAt(conf, 'http')) {
    const targets = targetsOf(h, service, all);
    if (targets.length === 0) continue;
    const match = objAt(h, 'match');
    const modify = objAt(h, 'modify');
    httpRoutes.push({ targets, ...(match ? { match } : {}), ...(modify ? { modify } : {}) });
  }
  let fallback = targetsOf(conf, service, all);
  if (fallback.length === 0) {
    all.set(service, { name: service, service, tags: { [TAG.service]: service } });
    fallback = [{ cluster: service, weight: 1 }];
  }
  const services = [...new Set([...all.values()].map((c) => c.service))];
  const protocol = commonProtocol(services.map((s) => ctx.protocols.get(s) ?? 'tcp'));
  const routes = isHttpFamily(protocol) ? [...httpRoutes, { targets: fallback }] : [{ targets: fallback }];
  const used = new Set(routes.flatMap((r) => r.targets.map((t) => t.cluster)));
  const lb = objAt(conf, 'loadBalancer');
  return {
    outbound,
    service,
    protocol,
    routes,
    clusters: [...all.values()].filter((c) => used.has(c.name)),
    ...(lb ? { loadBalancer: lb } : {}),
  };
}

/**
 * Whether a proxy gets Kuma DNS outbounds on the mesh's VIPs (spec kuma-kds-xds.md §3.8, §3.9).
 * Kuma generates them with transparent proxying (`networking.transparentProxying`); this kuma-dp
 * intercepts nothing with iptables, so they are also generated when kuma-dp runs its DNS resolver
 * (`kuma dp run --dns-enabled`: bootstrap metadata `dataplane.dns.port` > 0, ProxyContext.dnsPort).
 */
export function vipOutboundsEnabled(dataplane: Resource, proxy?: Pick<ProxyContext, 'dnsPort'>): boolean {
  const net = field(dataplane.spec, 'networking');
  const tp = field(net, 'transparentProxying');
  return (typeof tp === 'object' && tp !== null) || (proxy?.dnsPort ?? 0) > 0;
}

function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * One outbound per distinct VIP and port of MeshContext.vips (a service's `<svc>.mesh` and its
 * RFC 1123 form share one), sorted by address then port; none where the Dataplane declares an
 * outbound on the same address and port.
 */
function vipOutbounds(ctx: MeshContext, declared: readonly OutboundView[]): OutboundView[] {
  const taken = new Set(declared.map((o) => `${o.address}:${o.port}`));
  const byAddress = new Map<string, OutboundView>();
  for (const host of [...(ctx.vips?.keys() ?? [])].sort()) {
    const v = ctx.vips!.get(host)!;
    const at = `${v.ip}:${v.port}`;
    if (taken.has(at) || byAddress.has(at) || !v.service) continue;
    byAddress.set(at, { address: v.ip, port: v.port, tags: v.tags ?? { [TAG.service]: v.service }, service: v.service });
  }
  return [...byAddress.values()].sort((a, b) => compareIp(a.address, b.address) || a.port - b.port);
}

/** Mesh `meshServices.mode: Exclusive` (spec kuma-kds-xds.md §2.2): MeshServices replace kuma.io/service VIPs. */
function meshServicesExclusive(ctx: MeshContext): boolean {
  return field(field(ctx.mesh.spec, 'meshServices'), 'mode') === 'Exclusive';
}

function plan(pp: ProxyPolicies, ctx: MeshContext, withVips: boolean): OutboundPlan[] {
  const routes = ctx.resources.get('TrafficRoute') ?? [];
  const out: OutboundPlan[] = [];
  const add = (outbound: OutboundView, vip: boolean) => {
    // MeshHTTPRoute / MeshTCPRoute take precedence over TrafficRoute (Kuma docs "Interactions with TrafficRoute").
    let p: OutboundPlan | undefined = meshRoutePlan(pp, outbound, ctx);
    if (!p && routes.length === 0) p = defaultPlan(outbound, ctx, vip);
    else if (!p) {
      const route = pp.legacy('TrafficRoute').select({ [TAG.service]: outbound.service });
      if (route) p = routedPlan(outbound, ctx, route);
    }
    if (p) out.push(vip ? { ...p, vip: true } : p);
  };
  for (const outbound of pp.dp.outbounds) {
    // backendRef outbounds (MeshService mode) are planned by meshServicePlans.
    if (!outbound.service || !outbound.port) continue;
    add(outbound, false);
  }
  // Exclusive: kuma.io/service destinations are reached only through outbounds the Dataplane declares.
  if (withVips && !meshServicesExclusive(ctx)) for (const outbound of vipOutbounds(ctx, pp.dp.outbounds)) add(outbound, true);
  out.push(...meshServicePlans(ctx, pp.dp.outbounds, withVips));
  return out;
}

const memo = new WeakMap<MeshContext, WeakMap<Resource, { plain?: OutboundPlan[]; withVips?: OutboundPlan[] }>>();

/**
 * The plans of a proxy's outbounds (memoized per MeshContext, Dataplane resource and whether VIP
 * outbounds are on): the declared ones, then, when the mesh has VIPs and the proxy opts in
 * (vipOutboundsEnabled: its Dataplane's transparentProxying, or `proxy.dnsPort`), one per VIP and
 * port. Every generator of a proxy must pass the same `proxy`.
 */
/**
 * Drops a proxy's plans (and the policies they came from) once its config is built: they are only
 * needed while one proxy is generated, and kept for the context's life they were a good part of
 * the zone CP's memory per connected proxy.
 */
export function forgetProxyPlans(dataplane: Resource, ctx: MeshContext): void {
  memo.get(ctx)?.delete(dataplane);
  forgetProxyPolicies(dataplane, ctx);
}

export function outboundPlans(dataplane: Resource, ctx: MeshContext, proxy?: Pick<ProxyContext, 'dnsPort'>): OutboundPlan[] {
  const withVips = (!!ctx.vips || !!ctx.meshServices) && vipOutboundsEnabled(dataplane, proxy);
  let byDp = memo.get(ctx);
  if (!byDp) memo.set(ctx, (byDp = new WeakMap()));
  let entry = byDp.get(dataplane);
  if (!entry) byDp.set(dataplane, (entry = {}));
  const key = withVips ? 'withVips' : 'plain';
  let p = entry[key];
  if (!p) entry[key] = p = plan(proxyPolicies(dataplane, ctx), ctx, withVips);
  return p;
}
