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
 * listener stays for the mesh hand-off. With `ipFamilyMode` DualStack (or IPv6) the same stands on
 * `outbound:passthrough:ipv6` at [::]:15001, with the IPv6 IP/CIDR matches.
 *
 * Inbound: iptables redirects what arrives for the workload to redirectPortInbound (15006), where
 * `inbound:passthrough:ipv4|ipv6` hands a connection to the inbound listener of its original
 * destination (those do not bind their port: the application has it) and sends the rest straight to
 * the application through an ORIGINAL_DST cluster bound to 127.0.0.6 / ::6, the source the iptables
 * rules let through without redirecting it again.
 *
 * Only for a Dataplane with `networking.transparentProxying`: without iptables nothing reaches the
 * redirect ports.
 */
import { Cluster, Cluster_DiscoveryType, Cluster_LbPolicy } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import { TrafficDirection } from '../../../../proto/gen/envoy/config/core/v3/base';
import { Listener } from '../../../../proto/gen/envoy/config/listener/v3/listener';
import type { FilterChain, ListenerFilter } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import { HttpInspector } from '../../../../proto/gen/envoy/extensions/filters/listener/http_inspector/v3/http_inspector';
import { TlsInspector } from '../../../../proto/gen/envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector';
import { pack } from '../../../proto/any';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { Resource } from '../../../resources/model';
import { DEFAULT_PASSTHROUGH_MODE } from '../../../resources/types/mesh-passthrough';
import type { MeshContext, ProxyContext } from '../../context/types';
import { proxyPolicies } from '../../policies/proxy-policies';
import { socketAddress, tcpProxyFilter } from '../envoy/common';
import { statName } from '../envoy/names';
import { SECOND_MS, duration } from '../envoy/values';
import { ORIGIN, type TaggedResource, cluster, listener } from '../types';
import { type IpFamily, type PassthroughMatch, matchedChains } from './mesh-passthrough-chains';

type Obj = Record<string, unknown>;

export const MESH_PASSTHROUGH = 'MeshPassthrough';
export const PASSTHROUGH_NAME = 'outbound:passthrough:ipv4';
export const DEFAULT_REDIRECT_PORT_OUTBOUND = 15001;
export const DEFAULT_REDIRECT_PORT_INBOUND = 15006;
export const BLACKHOLE_NAME = 'outbound:passthrough:blackhole';
const CONNECT_TIMEOUT_MS = 10 * SECOND_MS;

export type PassthroughMode = 'All' | 'Matched' | 'None';
export type { PassthroughMatch };

const FAMILY: Record<IpFamily, { any: string; inboundSource: string }> = {
  ipv4: { any: '0.0.0.0', inboundSource: '127.0.0.6' },
  ipv6: { any: '::', inboundSource: '::6' },
};
const outboundName = (f: IpFamily) => `outbound:passthrough:${f}`;
const inboundName = (f: IpFamily) => `inbound:passthrough:${f}`;

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

export function transparentProxying(dataplane: Resource): Obj | undefined {
  const tp = obj(dataplane.spec).networking;
  const v = obj(tp).transparentProxying;
  return typeof v === 'object' && v !== null ? (v as Obj) : undefined;
}

/** The families the transparent proxy redirects: IPv6 too under DualStack (or IPv6). */
export function ipFamilies(tp: Obj): IpFamily[] {
  return tp.ipFamilyMode === 'DualStack' || tp.ipFamilyMode === 'IPv6' ? ['ipv4', 'ipv6'] : ['ipv4'];
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

function originalDst(name: string, source?: string): Cluster {
  return Cluster.fromPartial({
    name,
    altStatName: statName(name),
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.ORIGINAL_DST },
    lbPolicy: Cluster_LbPolicy.CLUSTER_PROVIDED,
    connectTimeout: duration(CONNECT_TIMEOUT_MS),
    ...(source ? { upstreamBindConfig: { sourceAddress: { address: source, portSpecifier: { $case: 'portValue', value: 0 } } } } : {}),
  });
}

const inspector = (name: string, typed: ReturnType<typeof pack>): DeepPartial<ListenerFilter> => ({ name, configType: { $case: 'typedConfig', value: typed } });

function outboundPassthrough(family: IpFamily, port: number, mode: PassthroughMode, matches: readonly PassthroughMatch[], ipv6: boolean): TaggedResource[] {
  const name = outboundName(family);
  const listenerFilters: DeepPartial<ListenerFilter>[] = [];
  let chains: DeepPartial<FilterChain>[] = [];
  let clusters: Cluster[] = [];
  if (mode === 'All') {
    chains = [{ name, filters: [tcpProxyFilter(name, name)] }];
    clusters = [originalDst(name)];
  } else if (mode === 'Matched') {
    const m = matchedChains(matches, family, ipv6);
    chains = m.chains;
    clusters = m.clusters;
    if (m.tls) listenerFilters.push(inspector('envoy.filters.listener.tls_inspector', pack(TlsInspector, {})));
    if (m.http) listenerFilters.push(inspector('envoy.filters.listener.http_inspector', pack(HttpInspector, {})));
  }
  // None and Matched still keep the listener: use_original_dst hands mesh traffic to its outbound
  // listener from here; what stays (no chain matched) goes to the blackhole and is closed.
  const l = Listener.fromPartial({
    name,
    address: socketAddress(FAMILY[family].any, port),
    trafficDirection: TrafficDirection.OUTBOUND,
    useOriginalDst: true,
    listenerFilters,
    filterChains: chains,
    ...(mode !== 'All' ? { defaultFilterChain: { name: BLACKHOLE_NAME, filters: [tcpProxyFilter(BLACKHOLE_NAME, BLACKHOLE_NAME)] } } : {}),
  });
  return [listener(name, ORIGIN.transparent, l), ...clusters.map((c) => cluster(c.name, ORIGIN.transparent, c))];
}

function inboundPassthrough(family: IpFamily, port: number): TaggedResource[] {
  const name = inboundName(family);
  const l = Listener.fromPartial({
    name,
    address: socketAddress(FAMILY[family].any, port),
    trafficDirection: TrafficDirection.INBOUND,
    useOriginalDst: true,
    filterChains: [{ name, filters: [tcpProxyFilter(name, name)] }],
  });
  return [listener(name, ORIGIN.transparent, l), cluster(name, ORIGIN.transparent, originalDst(name, FAMILY[family].inboundSource))];
}

export function passthrough(proxy: ProxyContext, ctx: MeshContext): TaggedResource[] {
  const tp = transparentProxying(proxy.dataplane);
  if (!tp) return [];
  const { mode, matches } = passthroughOf(proxy, ctx);
  const families = ipFamilies(tp);
  const ipv6 = families.includes('ipv6');
  const outPort = typeof tp.redirectPortOutbound === 'number' ? tp.redirectPortOutbound : DEFAULT_REDIRECT_PORT_OUTBOUND;
  const inPort = typeof tp.redirectPortInbound === 'number' ? tp.redirectPortInbound : DEFAULT_REDIRECT_PORT_INBOUND;
  // A domain match sends both families to the same cluster: keep one of each name.
  const seen = new Set<string>();
  const out = families.flatMap((f) => outboundPassthrough(f, outPort, mode, matches, ipv6)).filter((r) => {
    const key = `${r.kind}|${r.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (mode !== 'All') out.push(cluster(BLACKHOLE_NAME, ORIGIN.transparent, blackhole()));
  out.push(...families.flatMap((f) => inboundPassthrough(f, inPort)));
  return out;
}
