/**
 * One listener per inbound, `inbound:<ip>:<port>`, forwarding to the application cluster
 * `localhost:<servicePort>` (spec kuma-kds-xds.md §3.2-3.5; Kuma inbound_proxy_generator.go).
 *
 * - HTTP family (kuma.io/protocol http, http2, grpc): http_connection_manager with an inline
 *   route config `inbound:<service>`; anything else: tcp_proxy.
 * - mTLS on: the chain terminates Kuma's mTLS and carries RBAC (MeshTrafficPermission, else legacy
 *   TrafficPermission, else deny all). PERMISSIVE adds a plaintext chain without RBAC, told apart
 *   by ALPN "kuma" through the TLS inspector.
 * - MeshTLS (envoy/mesh-tls.ts): the inbound's mode (Strict | Permissive) replaces the backend's;
 *   its TLS versions and ciphers go on the downstream TLS context.
 * - Timeouts: the inbound's MeshTimeout `from` conf for every client (defaults otherwise).
 */
import { Listener } from '../../../../proto/gen/envoy/config/listener/v3/listener';
import type { Filter, FilterChain } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import { TrafficDirection } from '../../../../proto/gen/envoy/config/core/v3/base';
import { TlsInspector } from '../../../../proto/gen/envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector';
import {
  HttpConnectionManager,
  HttpConnectionManager_CodecType, HttpConnectionManager_ForwardClientCertDetails,
  type HttpFilter,
} from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import { TcpProxy } from '../../../../proto/gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { pack } from '../../../proto/any';
import type { InboundView } from '../../context/dataplane-view';
import { isHttp2, isHttpFamily, parseProtocol } from '../../context/protocol';
import type { MeshContext, ProxyContext } from '../../context/types';
import { type ProxyPolicies, proxyPolicies } from '../../policies/proxy-policies';
import { selectInboundMatchingPolicies } from '../../policies/selectors';
import { kumaTagsMetadata, networkFilter, routerFilter, socketAddress } from '../envoy/common';
import { type RbacConfig, httpRbacFilter, networkRbacFilter, rbacOfMtpRules, rbacOfTrafficPermissions } from '../envoy/rbac';
import { inboundListenerName, inboundRouteName, localClusterName, statName } from '../envoy/names';
import { type Timeouts, inboundTimeouts } from '../envoy/timeouts';
import { inboundMeshTls } from '../envoy/mesh-tls';
import { KUMA_ALPN, downstreamTlsSocket, meshMtls } from '../envoy/tls';
import { duration } from '../envoy/values';
import { transparentProxying } from './passthrough';
import { ORIGIN, type TaggedResource, listener } from '../types';
import { type ListenerAdditions, inboundAdditions } from './listener-policies';
import { KUMA_TAGS_HEADER } from '../envoy/kuma-tags-header';

/** Loopback clients count as internal (x-envoy-internal) as in Kuma. */
const INTERNAL_ADDRESSES = [
  { addressPrefix: '127.0.0.1', prefixLen: 32 },
  { addressPrefix: '::1', prefixLen: 128 },
];

interface ChainInput {
  inbound: InboundView;
  listenerName: string;
  clusterName: string;
  http: boolean;
  timeouts: Timeouts;
  rbac?: RbacConfig;
  mtls: boolean;
  /** What listener-level policies add (listener-policies.ts). */
  additions: ListenerAdditions;
}

function httpConnectionManager(c: ChainInput): DeepPartial<Filter> {
  const httpFilters: DeepPartial<HttpFilter>[] = [];
  if (c.rbac) httpFilters.push(httpRbacFilter(c.rbac));
  httpFilters.push(...c.additions.httpFilters, routerFilter());
  const hcm: DeepPartial<HttpConnectionManager> = {
    statPrefix: statName(c.clusterName),
    routeSpecifier: {
      $case: 'routeConfig',
      value: {
        name: inboundRouteName(c.inbound.service),
        validateClusters: false,
        // The filters before the router have matched on the client's tags; the app never sees them.
        requestHeadersToRemove: [KUMA_TAGS_HEADER],
        virtualHosts: [
          {
            name: c.inbound.service,
            domains: ['*'],
            routes: [
              {
                match: { pathSpecifier: { $case: 'prefix', value: '/' } },
                action: { $case: 'route', value: { clusterSpecifier: { $case: 'cluster', value: c.clusterName }, timeout: duration(c.timeouts.requestMs) } },
              },
            ],
          },
        ],
      },
    },
    httpFilters,
    ...(c.additions.accessLogs.length > 0 ? { accessLog: c.additions.accessLogs } : {}),
    ...(c.additions.tracing ? { tracing: c.additions.tracing } : {}),
    streamIdleTimeout: duration(c.timeouts.streamIdleMs),
    // MeshTimeout sets connection idleness on the cluster side; the downstream one is off.
    commonHttpProtocolOptions: { idleTimeout: duration(0) },
    ...(c.timeouts.requestHeadersMs ? { requestHeadersTimeout: duration(c.timeouts.requestHeadersMs) } : {}),
    internalAddressConfig: { cidrRanges: INTERNAL_ADDRESSES },
    // Mesh mTLS negotiates ALPN "kuma", which Envoy's codec detection reads as HTTP/1: an HTTP/2
    // (or gRPC) service's chain names its codec.
    ...(c.mtls && isHttp2(parseProtocol(c.inbound.tags['kuma.io/protocol'])) ? { codecType: HttpConnectionManager_CodecType.HTTP2 } : {}),
    ...(c.mtls
      ? {
          forwardClientCertDetails: HttpConnectionManager_ForwardClientCertDetails.SANITIZE_SET,
          setCurrentClientCertDetails: { uri: true },
        }
      : {}),
  };
  return networkFilter('envoy.filters.network.http_connection_manager', HttpConnectionManager, hcm);
}

function tcpProxy(c: ChainInput): DeepPartial<Filter> {
  return networkFilter('envoy.filters.network.tcp_proxy', TcpProxy, {
    statPrefix: statName(c.clusterName),
    clusterSpecifier: { $case: 'cluster', value: c.clusterName },
    idleTimeout: duration(c.timeouts.idleMs),
    ...(c.additions.accessLogs.length > 0 ? { accessLog: c.additions.accessLogs } : {}),
  });
}

/** RBAC first (a denied connection costs nothing more), then what policies add, then the terminal filter. */
function filtersOf(c: ChainInput): DeepPartial<Filter>[] {
  const filters: DeepPartial<Filter>[] = [];
  if (c.rbac && !c.http) filters.push(networkRbacFilter(c.rbac, c.listenerName));
  filters.push(...c.additions.networkFilters);
  filters.push(c.http ? httpConnectionManager(c) : tcpProxy(c));
  return filters;
}

/** RBAC of an inbound: its MeshTrafficPermission rules, else the legacy TrafficPermissions matching it (none = deny all). */
function inboundRbac(pp: ProxyPolicies, inbound: InboundView, mesh: string): RbacConfig {
  const rules = pp.fromRules('MeshTrafficPermission', inbound);
  if (rules) return rbacOfMtpRules(mesh, rules);
  return rbacOfTrafficPermissions(mesh, selectInboundMatchingPolicies(pp.all('TrafficPermission'), inbound.tags));
}

export function inboundListeners(proxy: ProxyContext, ctx: MeshContext): TaggedResource[] {
  const pp = proxyPolicies(proxy.dataplane, ctx);
  const mtls = meshMtls(proxy, ctx);
  const tp = transparentProxying(proxy.dataplane);
  const redirected = typeof tp?.redirectPortInbound === 'number' && typeof tp?.redirectPortOutbound === 'number';
  const out: TaggedResource[] = [];
  for (const inbound of pp.dp.inbounds) {
    if (inbound.state === 'Ignored' || !inbound.port) continue;
    const name = inboundListenerName(inbound.address, inbound.port);
    const clusterName = localClusterName(inbound.servicePort);
    const http = isHttpFamily(parseProtocol(inbound.tags['kuma.io/protocol']));
    const base: ChainInput = {
      inbound,
      listenerName: name,
      clusterName,
      http,
      timeouts: inboundTimeouts(pp, inbound),
      mtls: false,
      additions: inboundAdditions({ proxy, ctx, pp, inbound, listenerName: name, clusterName, http }),
    };
    const chains: DeepPartial<FilterChain>[] = [];
    // MeshTLS's mode replaces the backend's for this inbound.
    const meshTls = mtls ? inboundMeshTls(pp, inbound) : {};
    const permissive = meshTls.permissive ?? mtls?.permissive ?? false;
    if (mtls) {
      chains.push({
        ...(permissive ? { filterChainMatch: { transportProtocol: 'tls', applicationProtocols: [KUMA_ALPN] } } : {}),
        filters: filtersOf({ ...base, mtls: true, rbac: inboundRbac(pp, inbound, mtls.mesh) }),
        transportSocket: downstreamTlsSocket(mtls.mesh, meshTls.params),
      });
      if (permissive) chains.push({ filters: filtersOf(base) });
    } else {
      chains.push({ filters: filtersOf(base) });
    }
    const l = Listener.fromPartial({
      name,
      address: socketAddress(inbound.address, inbound.port),
      trafficDirection: TrafficDirection.INBOUND,
      // Under a transparent proxy the application holds the port; connections come through the
      // inbound passthrough listener (redirectPortInbound), which hands them over by original destination.
      ...(redirected ? { bindToPort: false } : {}),
      filterChains: chains,
      metadata: kumaTagsMetadata(inbound.tags),
      ...(mtls && permissive
        ? { listenerFilters: [{ name: 'envoy.filters.listener.tls_inspector', configType: { $case: 'typedConfig', value: pack(TlsInspector, {}) } }] }
        : {}),
    });
    out.push(listener(name, ORIGIN.inbound, l));
  }
  return out;
}
