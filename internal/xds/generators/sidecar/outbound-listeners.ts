/**
 * One listener per declared outbound, `outbound:<address>:<port>` (spec kuma-kds-xds.md §3.2,
 * §3.4, §3.9 explicit outbounds). HTTP-family destinations get an http_connection_manager with the
 * inline route config `outbound:<service>`; others a tcp_proxy (weighted for splits). Retries,
 * timeouts and hash policies are those of traffic to the outbound's service.
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
import { ROUND_ROBIN, fromLegacyLoadBalancer, meshLoadBalancing } from '../envoy/load-balancing';
import { outboundListenerName, outboundRouteName, statName } from '../envoy/names';
import { outboundRetries } from '../envoy/retries';
import { outboundTimeouts } from '../envoy/timeouts';
import { duration } from '../envoy/values';
import { ORIGIN, type TaggedResource, listener } from '../types';
import { type ListenerAdditions, outboundAdditions } from './listener-policies';
import { type OutboundPlan, outboundPlans } from './outbound-plan';
import { httpRoutes } from './outbound-routes';
import { kumaTagsHeader } from '../envoy/kuma-tags-header';

function httpFilter(plan: OutboundPlan, pp: ReturnType<typeof proxyPolicies>, add: ListenerAdditions): DeepPartial<Filter> {
  const timeouts = outboundTimeouts(pp, plan.service, plan.protocol);
  const routes = httpRoutes(plan.routes, {
    requestTimeoutMs: timeouts.requestMs,
    retries: outboundRetries(pp, plan.service, plan.protocol),
    loadBalancing: meshLoadBalancing(pp, plan.service) ?? (plan.loadBalancer ? fromLegacyLoadBalancer(plan.loadBalancer) : ROUND_ROBIN),
  });
  const hcm: DeepPartial<HttpConnectionManager> = {
    statPrefix: statName(plan.service),
    routeSpecifier: {
      $case: 'routeConfig',
      value: {
        name: outboundRouteName(plan.service),
        validateClusters: false,
        virtualHosts: [{ name: plan.service, domains: ['*'], routes }],
        requestHeadersToAdd: [kumaTagsHeader(pp.dp.tagSets)],
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

function tcpFilter(plan: OutboundPlan, pp: ReturnType<typeof proxyPolicies>, add: ListenerAdditions): DeepPartial<Filter> {
  const timeouts = outboundTimeouts(pp, plan.service, plan.protocol);
  const retries = outboundRetries(pp, plan.service, plan.protocol);
  const targets = plan.routes[plan.routes.length - 1]!.targets;
  return networkFilter('envoy.filters.network.tcp_proxy', TcpProxy, {
    statPrefix: statName(plan.service),
    clusterSpecifier:
      targets.length === 1
        ? { $case: 'cluster', value: targets[0]!.cluster }
        : { $case: 'weightedClusters', value: { clusters: targets.map((t) => ({ name: t.cluster, weight: t.weight })) } },
    idleTimeout: duration(timeouts.idleMs),
    ...(retries.tcpMaxConnectAttempts ? { maxConnectAttempts: retries.tcpMaxConnectAttempts } : {}),
    ...(add.accessLogs.length > 0 ? { accessLog: add.accessLogs } : {}),
  });
}

export function outboundListeners(proxy: ProxyContext, ctx: MeshContext): TaggedResource[] {
  const pp = proxyPolicies(proxy.dataplane, ctx);
  const out: TaggedResource[] = [];
  for (const plan of outboundPlans(proxy.dataplane, ctx, proxy)) {
    const { address, port } = plan.outbound;
    const name = outboundListenerName(address, port);
    const http = isHttpFamily(plan.protocol);
    const add = outboundAdditions({ proxy, ctx, pp, plan, listenerName: name, http });
    const l = Listener.fromPartial({
      name,
      address: socketAddress(address, port),
      // Kuma DNS: nothing redirects traffic here (no iptables), so the VIP listener binds itself;
      // freebind lets it bind a VIP no interface carries (a local route must still deliver it).
      ...(plan.vip ? { bindToPort: true, freebind: true } : {}),
      trafficDirection: TrafficDirection.OUTBOUND,
      filterChains: [{ filters: [...add.networkFilters, http ? httpFilter(plan, pp, add) : tcpFilter(plan, pp, add)] }],
      metadata: kumaTagsMetadata({ [TAG.service]: plan.service }),
    });
    out.push(listener(name, ORIGIN.outbound, l));
  }
  return out;
}
