/**
 * MeshPassthrough `Matched`: the filter chains of one passthrough listener (IPv4 or IPv6) and the
 * per-match clusters they send to, named as Kuma names them
 * (pkg/plugins/policies/meshpassthrough/plugin/xds): `meshpassthrough_<protocol>_<value>_<port|*>`.
 *
 * - IP / CIDR: one L4 chain per (value, port), on the listener of the value's family, to an
 *   ORIGINAL_DST cluster (the address the application dialled).
 * - tls domains: one chain per (domain, port) on the SNI; HTTP-family domains: one
 *   http_connection_manager chain per port with a virtual host per domain and a `no_match` 503.
 *   Both families' listeners get them. A domain with a port and no wildcard goes to a STRICT_DNS
 *   cluster of that name and port: the client picks both the address it dials and the SNI/Host it
 *   sends, so following the original destination would let it reach any address with an allowed
 *   name. A wildcard or port-less domain has nothing to resolve and follows the original destination.
 *
 * Two matches Envoy could not tell apart (same family, port and value) keep the first.
 */
import { Cluster, Cluster_DiscoveryType, Cluster_DnsLookupFamily, Cluster_LbPolicy } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import type { FilterChain } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import type { VirtualHost } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import { HttpConnectionManager } from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { httpProtocolOptions, networkFilter, routerFilter, socketAddress, tcpProxyFilter } from '../envoy/common';
import { statName } from '../envoy/names';
import { SECOND_MS, duration } from '../envoy/values';

export interface PassthroughMatch {
  type: 'Domain' | 'IP' | 'CIDR';
  value: string;
  port?: number;
  protocol: string;
}

export type IpFamily = 'ipv4' | 'ipv6';

const CONNECT_TIMEOUT_MS = 5 * SECOND_MS;
const HTTP_FAMILY = new Set(['http', 'http2', 'grpc']);
const HTTP2 = new Set(['http2', 'grpc']);
export const NO_MATCH_BODY = 'This response comes from Kuma Sidecar. No routes matched this domain - check configuration of your MeshPassthrough policy.\n';

const portPart = (port?: number) => (port ? String(port) : '*');

export function passthroughClusterName(m: PassthroughMatch): string {
  return `meshpassthrough_${m.protocol}_${m.value}_${portPart(m.port)}`;
}

function familyOf(m: PassthroughMatch): IpFamily | undefined {
  if (m.type === 'Domain') return undefined;
  return m.value.includes(':') ? 'ipv6' : 'ipv4';
}

function prefixRange(m: PassthroughMatch): { addressPrefix: string; prefixLen: number } {
  if (m.type === 'IP') return { addressPrefix: m.value, prefixLen: m.value.includes(':') ? 128 : 32 };
  const [ip, bits] = m.value.split('/');
  return { addressPrefix: ip!, prefixLen: Number(bits) };
}

/** The cluster a match sends to: pinned to the domain when there is one to resolve, else ORIGINAL_DST. */
function passthroughCluster(m: PassthroughMatch, ipv6: boolean): Cluster {
  const name = passthroughClusterName(m);
  const pinned = m.type === 'Domain' && m.port !== undefined && !m.value.startsWith('*');
  return Cluster.fromPartial({
    name,
    altStatName: statName(name),
    connectTimeout: duration(CONNECT_TIMEOUT_MS),
    ...(pinned
      ? {
          clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.STRICT_DNS },
          ...(ipv6 ? {} : { dnsLookupFamily: Cluster_DnsLookupFamily.V4_ONLY }),
          loadAssignment: { clusterName: name, endpoints: [{ lbEndpoints: [{ hostIdentifier: { $case: 'endpoint', value: { address: socketAddress(m.value, m.port!) } } }] }] },
        }
      : { clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.ORIGINAL_DST }, lbPolicy: Cluster_LbPolicy.CLUSTER_PROVIDED }),
    ...(HTTP2.has(m.protocol) ? { typedExtensionProtocolOptions: httpProtocolOptions(true) } : {}),
  });
}

function httpChain(port: number | undefined, domains: readonly PassthroughMatch[]): DeepPartial<FilterChain> {
  const name = `meshpassthrough_http_${portPart(port)}`;
  const vhosts: DeepPartial<VirtualHost>[] = domains.map((d) => ({
    name: d.value,
    domains: [d.value, ...(port ? [`${d.value}:${port}`] : [])],
    routes: [{ match: { pathSpecifier: { $case: 'prefix', value: '/' } }, action: { $case: 'route', value: { clusterSpecifier: { $case: 'cluster', value: passthroughClusterName(d) } } } }],
  }));
  vhosts.push({
    name: 'no_match',
    domains: ['*'],
    routes: [{ match: { pathSpecifier: { $case: 'prefix', value: '/' } }, action: { $case: 'directResponse', value: { status: 503, body: { specifier: { $case: 'inlineString', value: NO_MATCH_BODY } } } } }],
  });
  return {
    name,
    filterChainMatch: { ...(port ? { destinationPort: port } : {}), transportProtocol: 'raw_buffer', applicationProtocols: ['http/1.1', 'h2c'] },
    filters: [
      networkFilter('envoy.filters.network.http_connection_manager', HttpConnectionManager, {
        statPrefix: statName(name),
        routeSpecifier: { $case: 'routeConfig', value: { name, validateClusters: false, virtualHosts: vhosts } },
        httpFilters: [routerFilter()],
      }),
    ],
  };
}

export interface MatchedChains {
  chains: DeepPartial<FilterChain>[];
  clusters: Cluster[];
  tls: boolean;
  http: boolean;
}

/** The chains and clusters of one family's passthrough listener. */
export function matchedChains(matches: readonly PassthroughMatch[], family: IpFamily, ipv6Enabled: boolean): MatchedChains {
  const seen = new Set<string>();
  const l4: DeepPartial<FilterChain>[] = [];
  const tls: DeepPartial<FilterChain>[] = [];
  const httpByPort = new Map<string, { port?: number; domains: PassthroughMatch[] }>();
  const clusters = new Map<string, Cluster>();
  for (const m of matches) {
    const f = familyOf(m);
    if (f && f !== family) continue;
    const l7 = m.type === 'Domain' && HTTP_FAMILY.has(m.protocol);
    const key = `${m.type === 'Domain' ? (l7 ? 'http' : 'tls') : 'ip'}|${portPart(m.port)}|${m.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const name = passthroughClusterName(m);
    clusters.set(name, passthroughCluster(m, ipv6Enabled));
    const port = m.port ? { destinationPort: m.port } : {};
    if (m.type !== 'Domain') l4.push({ name, filterChainMatch: { ...port, prefixRanges: [prefixRange(m)] }, filters: [tcpProxyFilter(name, name)] });
    else if (!l7) tls.push({ name, filterChainMatch: { ...port, transportProtocol: 'tls', serverNames: [m.value] }, filters: [tcpProxyFilter(name, name)] });
    else {
      const e = httpByPort.get(portPart(m.port)) ?? { ...(m.port ? { port: m.port } : {}), domains: [] };
      e.domains.push(m);
      httpByPort.set(portPart(m.port), e);
    }
  }
  const http = [...httpByPort.values()].map((e) => httpChain(e.port, e.domains));
  return { chains: [...l4, ...tls, ...http], clusters: [...clusters.values()], tls: tls.length > 0, http: http.length > 0 };
}
