/**
 * The transparent-proxy outbound passthrough (spec kuma-kds-xds.md §3.2, §3.9) and MeshPassthrough
 * (Kuma pkg/plugins/policies/meshpassthrough). iptables redirects the application's outbound TCP to
 * `outbound:passthrough:ipv4` on redirectPortOutbound (15001); `use_original_dst` hands a connection
 * to the listener of its original destination (a mesh outbound) and keeps the rest, which leaves
 * through the ORIGINAL_DST cluster of the same name (Envoy connects to the address the app dialled).
 *
 * Which of the rest may leave: MeshPassthrough's passthroughMode when a policy selects the proxy
 * (All; None; Matched, only its appendMatch entries: IP/CIDR and port at L4, domains by SNI for tls
 * and by Host for the HTTP family), else the Mesh's `networking.outbound.passthrough` (default true).
 * Traffic no chain takes (None, or Matched without a match) is closed by a blackhole cluster; the
 * listener stays for the mesh hand-off. Only for a Dataplane with `networking.transparentProxying`:
 * without iptables nothing reaches port 15001.
 */
import { Cluster, Cluster_DiscoveryType, Cluster_LbPolicy } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import { TrafficDirection } from '../../../../proto/gen/envoy/config/core/v3/base';
import { Listener } from '../../../../proto/gen/envoy/config/listener/v3/listener';
import type { FilterChain, ListenerFilter } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import { HttpInspector } from '../../../../proto/gen/envoy/extensions/filters/listener/http_inspector/v3/http_inspector';
import { TlsInspector } from '../../../../proto/gen/envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector';
import { HttpConnectionManager } from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import { TcpProxy } from '../../../../proto/gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy';
import { pack } from '../../../proto/any';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { Resource } from '../../../resources/model';
import { DEFAULT_PASSTHROUGH_MODE } from '../../../resources/types/mesh-passthrough';
import type { MeshContext, ProxyContext } from '../../context/types';
import { proxyPolicies } from '../../policies/proxy-policies';
import { networkFilter, routerFilter, socketAddress } from '../envoy/common';
import { statName } from '../envoy/names';
import { SECOND_MS, duration } from '../envoy/values';
import { ORIGIN, type TaggedResource, cluster, listener } from '../types';

type Obj = Record<string, unknown>;

export const MESH_PASSTHROUGH = 'MeshPassthrough';
export const PASSTHROUGH_NAME = 'outbound:passthrough:ipv4';
export const DEFAULT_REDIRECT_PORT_OUTBOUND = 15001;
export const BLACKHOLE_NAME = 'outbound:passthrough:blackhole';
const CONNECT_TIMEOUT_MS = 10 * SECOND_MS;
const HTTP_FAMILY = new Set(['http', 'http2', 'grpc']);

export type PassthroughMode = 'All' | 'Matched' | 'None';

export interface PassthroughMatch {
  type: 'Domain' | 'IP' | 'CIDR';
  value: string;
  port?: number;
  protocol: string;
}

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

function transparentProxying(dataplane: Resource): Obj | undefined {
  const tp = obj(dataplane.spec).networking;
  const v = obj(tp).transparentProxying;
  return typeof v === 'object' && v !== null ? (v as Obj) : undefined;
}

/** The proxy's effective mode and matches (policy first, then the Mesh flag). */
export function passthroughOf(proxy: ProxyContext, ctx: MeshContext): { mode: PassthroughMode; matches: PassthroughMatch[] } {
  const conf = proxyPolicies(proxy.dataplane, ctx).single(MESH_PASSTHROUGH);
  if (conf) {
    const mode = (typeof conf.passthroughMode === 'string' ? conf.passthroughMode : DEFAULT_PASSTHROUGH_MODE) as PassthroughMode;
    const matches = (Array.isArray(conf.appendMatch) ? conf.appendMatch : []).map(obj).map((m) => ({
      type: m.type as PassthroughMatch['type'],
      value: String(m.value),
      ...(typeof m.port === 'number' ? { port: m.port } : {}),
      protocol: String(m.protocol),
    }));
    return { mode, matches };
  }
  const flag = obj(obj(obj(ctx.mesh.spec).networking).outbound).passthrough;
  return { mode: flag === false ? 'None' : 'All', matches: [] };
}

function tcpProxy(stat: string, to = PASSTHROUGH_NAME): DeepPartial<FilterChain>['filters'] {
  return [networkFilter('envoy.filters.network.tcp_proxy', TcpProxy, { statPrefix: statName(stat), clusterSpecifier: { $case: 'cluster', value: to } })];
}

function prefixRange(m: PassthroughMatch): { addressPrefix: string; prefixLen: number } {
  if (m.type === 'IP') return { addressPrefix: m.value, prefixLen: m.value.includes(':') ? 128 : 32 };
  const [ip, bits] = m.value.split('/');
  return { addressPrefix: ip!, prefixLen: Number(bits) };
}

/** Matched: L4 chains per port (IP/CIDR), SNI chains per port (tls domains), one HCM chain per port (HTTP domains). */
function matchedChains(matches: readonly PassthroughMatch[]): { chains: DeepPartial<FilterChain>[]; tls: boolean; http: boolean } {
  const l4 = new Map<string, { port?: number; ranges: ReturnType<typeof prefixRange>[] }>();
  const sni = new Map<string, { port?: number; names: string[] }>();
  const hosts = new Map<string, { port?: number; domains: string[] }>();
  for (const m of matches) {
    const key = String(m.port ?? '*');
    if (m.type !== 'Domain') {
      const e = l4.get(key) ?? { ...(m.port ? { port: m.port } : {}), ranges: [] };
      e.ranges.push(prefixRange(m));
      l4.set(key, e);
    } else if (HTTP_FAMILY.has(m.protocol)) {
      const e = hosts.get(key) ?? { ...(m.port ? { port: m.port } : {}), domains: [] };
      e.domains.push(m.value, ...(m.port ? [`${m.value}:${m.port}`] : []));
      hosts.set(key, e);
    } else {
      const e = sni.get(key) ?? { ...(m.port ? { port: m.port } : {}), names: [] };
      e.names.push(m.value);
      sni.set(key, e);
    }
  }
  const port = (p?: number) => (p ? { destinationPort: p } : {});
  const chains: DeepPartial<FilterChain>[] = [];
  for (const [key, e] of l4) {
    chains.push({ name: `${PASSTHROUGH_NAME}:ip:${key}`, filterChainMatch: { ...port(e.port), prefixRanges: e.ranges }, filters: tcpProxy(`${PASSTHROUGH_NAME}:ip:${key}`) });
  }
  for (const [key, e] of sni) {
    chains.push({
      name: `${PASSTHROUGH_NAME}:tls:${key}`,
      filterChainMatch: { ...port(e.port), transportProtocol: 'tls', serverNames: e.names },
      filters: tcpProxy(`${PASSTHROUGH_NAME}:tls:${key}`),
    });
  }
  for (const [key, e] of hosts) {
    const name = `${PASSTHROUGH_NAME}:http:${key}`;
    chains.push({
      name,
      filterChainMatch: { ...port(e.port), transportProtocol: 'raw_buffer', applicationProtocols: ['http/1.1', 'h2c'] },
      filters: [
        networkFilter('envoy.filters.network.http_connection_manager', HttpConnectionManager, {
          statPrefix: statName(name),
          routeSpecifier: {
            $case: 'routeConfig',
            value: {
              name,
              validateClusters: false,
              virtualHosts: [{ name, domains: e.domains, routes: [{ match: { pathSpecifier: { $case: 'prefix', value: '/' } }, action: { $case: 'route', value: { clusterSpecifier: { $case: 'cluster', value: PASSTHROUGH_NAME } } } }] }],
            },
          },
          httpFilters: [routerFilter()],
        }),
      ],
    });
  }
  return { chains, tls: sni.size > 0, http: hosts.size > 0 };
}

/** A STATIC cluster without endpoints: tcp_proxy closes what it gets (Kuma/Istio's blackhole). */
function blackhole(): Cluster {
  return Cluster.fromPartial({
    name: BLACKHOLE_NAME,
    altStatName: statName(BLACKHOLE_NAME),
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.STATIC },
    connectTimeout: duration(CONNECT_TIMEOUT_MS),
    loadAssignment: { clusterName: BLACKHOLE_NAME, endpoints: [] },
  });
}

function originalDst(): Cluster {
  return Cluster.fromPartial({
    name: PASSTHROUGH_NAME,
    altStatName: statName(PASSTHROUGH_NAME),
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.ORIGINAL_DST },
    lbPolicy: Cluster_LbPolicy.CLUSTER_PROVIDED,
    connectTimeout: duration(CONNECT_TIMEOUT_MS),
  });
}

export function passthrough(proxy: ProxyContext, ctx: MeshContext): TaggedResource[] {
  const tp = transparentProxying(proxy.dataplane);
  if (!tp) return [];
  const { mode, matches } = passthroughOf(proxy, ctx);
  const port = typeof tp.redirectPortOutbound === 'number' ? tp.redirectPortOutbound : DEFAULT_REDIRECT_PORT_OUTBOUND;
  const listenerFilters: DeepPartial<ListenerFilter>[] = [];
  let chains: DeepPartial<FilterChain>[] = [];
  if (mode === 'All') chains = [{ name: PASSTHROUGH_NAME, filters: tcpProxy(PASSTHROUGH_NAME, PASSTHROUGH_NAME) }];
  else if (mode === 'Matched') {
    const m = matchedChains(matches);
    chains = m.chains;
    if (m.tls) listenerFilters.push({ name: 'envoy.filters.listener.tls_inspector', configType: { $case: 'typedConfig', value: pack(TlsInspector, {}) } });
    if (m.http) listenerFilters.push({ name: 'envoy.filters.listener.http_inspector', configType: { $case: 'typedConfig', value: pack(HttpInspector, {}) } });
  }
  // None and Matched still keep the listener: use_original_dst hands mesh traffic to its outbound
  // listener from here; what stays (no chain matched) goes to the blackhole and is closed.
  const closed = mode !== 'All';
  const l = Listener.fromPartial({
    name: PASSTHROUGH_NAME,
    address: socketAddress('0.0.0.0', port),
    trafficDirection: TrafficDirection.OUTBOUND,
    useOriginalDst: true,
    listenerFilters,
    filterChains: chains,
    ...(closed ? { defaultFilterChain: { name: BLACKHOLE_NAME, filters: tcpProxy(BLACKHOLE_NAME, BLACKHOLE_NAME) } } : {}),
  });
  const out = [listener(PASSTHROUGH_NAME, ORIGIN.transparent, l)];
  if (chains.length > 0) out.push(cluster(PASSTHROUGH_NAME, ORIGIN.transparent, originalDst()));
  if (closed) out.push(cluster(BLACKHOLE_NAME, ORIGIN.transparent, blackhole()));
  return out;
}
