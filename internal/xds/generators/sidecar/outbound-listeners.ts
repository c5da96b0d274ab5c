/**
 * One listener per declared outbound, `outbound:<address>:<port>` (spec kuma-kds-xds.md §3.2,
 * §3.4, §3.9 explicit outbounds). HTTP-family destinations get an http_connection_manager with the
 * inline route config `outbound:<service>`; others a tcp_proxy (weighted for splits). Retries,
 * timeouts and hash policies are those of traffic to the outbound's service, except on the routes of
 * a MeshHTTPRoute rule a policy aims at (envoy/route-level-policies.ts).
 *
 * Kuma DNS (§3.8): a proxy with VIP outbounds (outbound-plan.ts vipOutboundsEnabled) also gets
 * `outbound:<VIP>:<port>` for every VIP of the mesh, with `bind_to_port` and `freebind`.
 */
import { TrafficDirection } from '../../../../proto/gen/envoy/config/core/v3/base';
import { Listener } from '../../../../proto/gen/envoy/config/listener/v3/listener';
import type { Filter } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import { HttpConnectionManager } from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import { TcpProxy } from '../../../../proto/gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { TAG } from '../../../resources/model';
import { isHttpFamily } from '../../context/protocol';
import type { MeshContext, ProxyContext } from '../../context/types';
import { proxyPolicies } from '../../policies/proxy-policies';
import { kumaTagsMetadata, networkFilter, routerFilter, socketAddress } from '../envoy/common';
import { type LoadBalancing, ROUND_ROBIN, fromLegacyLoadBalancer, meshLoadBalancing } from '../envoy/load-balancing';
import { outboundListenerName, outboundRouteName, statName } from '../envoy/names';
import { outboundRetries } from '../envoy/retries';
import { type RouteLevel, routeLevelSettings } from '../envoy/route-level-policies';
import { outboundTimeouts } from '../envoy/timeouts';
import { duration } from '../envoy/values';
import { ORIGIN, type TaggedResource, listener } from '../types';
import { type ListenerAdditions, outboundAdditions } from './listener-policies';
import { type OutboundPlan, outboundPlans } from './outbound-plan';
import { httpRoutes } from './outbound-routes';
import { kumaTagsHeaderOf, serializeTagSets } from '../envoy/kuma-tags-header';
import { type SidecarMemo, meshMemo, sameValue } from '../memo';

/**
 * Everything an outbound listener is built from. Per-proxy inputs (the client's tags, what
 * listener policies contributed for this proxy) are in here, so two proxies with equal inputs get
 * byte-identical listeners and may share one (memo.ts).
 */
interface ListenerInputs {
  name: string;
  address: string;
  port: number;
  vip: boolean;
  service: string;
  http: boolean;
  routes: OutboundPlan['routes'];
  timeouts: ReturnType<typeof outboundTimeouts>;
  retries: ReturnType<typeof outboundRetries>;
  /** HTTP only, when policies aim at some of its MeshHTTPRoute rules: per route, what they set. */
  routeLevel?: (RouteLevel | undefined)[];
  /** HTTP only: MeshLoadBalancingStrategy, else the TrafficRoute's, else round robin (hash policies). */
  loadBalancing?: LoadBalancing;
  /** HTTP only: x-kuma-tags of the client (serializeTagSets). */
  kumaTags?: string;
  add: ListenerAdditions;
}

function httpFilter(i: ListenerInputs): DeepPartial<Filter> {
  const { timeouts, add } = i;
  const routes = httpRoutes(i.routes, {
    requestTimeoutMs: timeouts.requestMs,
    retries: i.retries,
    loadBalancing: i.loadBalancing!,
    ...(i.routeLevel ? { routeLevel: i.routeLevel } : {}),
  });
  const hcm: DeepPartial<HttpConnectionManager> = {
    statPrefix: statName(i.service),
    routeSpecifier: {
      $case: 'routeConfig',
      value: {
        name: outboundRouteName(i.service),
        validateClusters: false,
        virtualHosts: [{ name: i.service, domains: ['*'], routes }],
        requestHeadersToAdd: [kumaTagsHeaderOf(i.kumaTags!)],
      },
    },
    httpFilters: [...add.httpFilters, routerFilter()],
    ...(add.accessLogs.length > 0 ? { accessLog: add.accessLogs } : {}),
    ...(add.tracing ? { tracing: add.tracing } : {}),
    streamIdleTimeout: duration(timeouts.streamIdleMs),
    // MeshTimeout sets connection idleness on the cluster; the downstream one is off.
    commonHttpProtocolOptions: { idleTimeout: duration(0) },
    ...(timeouts.requestHeadersMs ? { requestHeadersTimeout: duration(timeouts.requestHeadersMs) } : {}),
  };
  return networkFilter('envoy.filters.network.http_connection_manager', HttpConnectionManager, hcm);
}

function tcpFilter(i: ListenerInputs): DeepPartial<Filter> {
  const { timeouts, retries, add } = i;
  const targets = i.routes[i.routes.length - 1]!.targets;
  return networkFilter('envoy.filters.network.tcp_proxy', TcpProxy, {
    statPrefix: statName(i.service),
    clusterSpecifier:
      targets.length === 1
        ? { $case: 'cluster', value: targets[0]!.cluster }
        : { $case: 'weightedClusters', value: { clusters: targets.map((t) => ({ name: t.cluster, weight: t.weight })) } },
    idleTimeout: duration(timeouts.idleMs),
    ...(retries.tcpMaxConnectAttempts ? { maxConnectAttempts: retries.tcpMaxConnectAttempts } : {}),
    ...(add.accessLogs.length > 0 ? { accessLog: add.accessLogs } : {}),
  });
}

function build(i: ListenerInputs): Listener {
  return Listener.fromPartial({
    name: i.name,
    address: socketAddress(i.address, i.port),
    // Kuma DNS: nothing redirects traffic here (no iptables), so the VIP listener binds itself;
    // freebind lets it bind a VIP no interface carries (a local route must still deliver it).
    ...(i.vip ? { bindToPort: true, freebind: true } : {}),
    trafficDirection: TrafficDirection.OUTBOUND,
    filterChains: [{ filters: [...i.add.networkFilters, i.http ? httpFilter(i) : tcpFilter(i)] }],
    metadata: kumaTagsMetadata({ [TAG.service]: i.service }),
  });
}

export function outboundListeners(proxy: ProxyContext, ctx: MeshContext, memo?: SidecarMemo): TaggedResource[] {
  const pp = proxyPolicies(proxy.dataplane, ctx);
  const cache = meshMemo(ctx, memo).listeners;
  let kumaTags: string | undefined;
  const out: TaggedResource[] = [];
  for (const plan of outboundPlans(proxy.dataplane, ctx, proxy)) {
    const { address, port } = plan.outbound;
    const name = outboundListenerName(address, port);
    const http = isHttpFamily(plan.protocol);
    const add = outboundAdditions({ proxy, ctx, pp, plan, listenerName: name, http });
    if (http) kumaTags ??= serializeTagSets(pp.dp.tagSets);
    const routeLevel = http ? routeLevelSettings(pp, plan) : undefined;
    const inputs: ListenerInputs = {
      name,
      address,
      port,
      vip: !!plan.vip,
      service: plan.service,
      http,
      routes: plan.routes,
      timeouts: outboundTimeouts(pp, plan.service, plan.protocol),
      retries: outboundRetries(pp, plan.service, plan.protocol),
      ...(routeLevel ? { routeLevel } : {}),
      ...(http
        ? { loadBalancing: meshLoadBalancing(pp, plan.service, plan.loadBalancer ? fromLegacyLoadBalancer(plan.loadBalancer) : ROUND_ROBIN), kumaTags }
        : {}),
      add,
    };
    // Proxies with equal inputs share one listener (encoded once). The bucket key holds what
    // usually tells proxies apart, so a bucket holds few candidates to compare by value.
    const key = http ? `${name}\u0000${plan.service}\u0000${kumaTags}` : `${name}\u0000${plan.service}`;
    let built = cache.get(key);
    if (!built) cache.set(key, (built = []));
    let l = built.find((b) => sameValue(b.inputs, inputs))?.listener;
    if (!l) built.push({ inputs, listener: (l = build(inputs)) });
    out.push(listener(name, ORIGIN.outbound, l));
  }
  return out;
}
