/**
 * Timeouts of a connection (spec kuma-kds-xds.md §3.7; Kuma meshtimeout/plugin/xds/configurer.go
 * and the legacy Timeout configurers). One resolved record feeds clusters, listeners and routes:
 *
 *   connectMs       -> cluster connect_timeout
 *   idleMs          -> tcp_proxy idle_timeout; HTTP cluster common_http_protocol_options.idle_timeout
 *   requestMs       -> route timeout (0 = none)
 *   streamIdleMs    -> HCM stream_idle_timeout
 *   maxStreamMs / maxConnectionMs -> HTTP cluster protocol options (0 = unlimited)
 *   requestHeadersMs -> HCM request_headers_timeout
 *
 * Precedence: a MeshTimeout item that applies (merged, most specific wins), else a legacy Timeout
 * (outbound only), else the defaults below, which equal what the default `mesh-timeout-all-<mesh>`
 * policy sets, so a mesh with and without its default policies generates the same config.
 */
import type { InboundView } from '../../context/dataplane-view';
import type { ProxyPolicies } from '../../policies/proxy-policies';
import { HOUR_MS, MINUTE_MS, SECOND_MS, field, msAt, objAt } from './values';

export interface Timeouts {
  connectMs: number;
  idleMs: number;
  requestMs: number;
  streamIdleMs: number;
  maxStreamMs: number;
  maxConnectionMs: number;
  requestHeadersMs?: number;
}

export const OUTBOUND_TIMEOUT_DEFAULTS: Timeouts = {
  connectMs: 5 * SECOND_MS,
  idleMs: HOUR_MS,
  requestMs: 15 * SECOND_MS,
  streamIdleMs: 30 * MINUTE_MS,
  maxStreamMs: 0,
  maxConnectionMs: 0,
};

export const INBOUND_TIMEOUT_DEFAULTS: Timeouts = {
  connectMs: 10 * SECOND_MS,
  idleMs: 2 * HOUR_MS,
  requestMs: 0,
  streamIdleMs: HOUR_MS,
  maxStreamMs: 0,
  maxConnectionMs: 0,
};

/** Envoy requires connect_timeout > 0: a zero connect timeout keeps the default. */
function positive(ms: number | undefined): number | undefined {
  return ms !== undefined && ms > 0 ? ms : undefined;
}

/** A MeshTimeout conf over defaults: each unset field keeps its default. */
export function fromMeshTimeout(conf: Record<string, unknown>, defaults: Timeouts): Timeouts {
  const http = objAt(conf, 'http');
  const out: Timeouts = {
    connectMs: positive(msAt(conf, 'connectionTimeout')) ?? defaults.connectMs,
    idleMs: msAt(conf, 'idleTimeout') ?? defaults.idleMs,
    requestMs: msAt(http, 'requestTimeout') ?? defaults.requestMs,
    streamIdleMs: msAt(http, 'streamIdleTimeout') ?? defaults.streamIdleMs,
    maxStreamMs: msAt(http, 'maxStreamDuration') ?? defaults.maxStreamMs,
    maxConnectionMs: msAt(http, 'maxConnectionDuration') ?? defaults.maxConnectionMs,
  };
  const headers = msAt(http, 'requestHeadersTimeout') ?? defaults.requestHeadersMs;
  if (headers !== undefined) out.requestHeadersMs = headers;
  return out;
}

/** A legacy Timeout conf (connectTimeout, tcp{}, http{}, grpc{}) over defaults. */
export function fromLegacyTimeout(conf: unknown, protocol: string, defaults: Timeouts): Timeouts {
  const tcp = objAt(conf, 'tcp');
  const http = objAt(conf, 'http');
  const grpc = objAt(conf, 'grpc');
  const httpLike = protocol === 'grpc' && grpc ? { ...http, ...grpc } : http;
  const isHttp = protocol === 'http' || protocol === 'http2' || protocol === 'grpc';
  return {
    connectMs: positive(msAt(conf, 'connectTimeout')) ?? defaults.connectMs,
    idleMs: (isHttp ? msAt(http, 'idleTimeout') : msAt(tcp, 'idleTimeout')) ?? defaults.idleMs,
    requestMs: msAt(http, 'requestTimeout') ?? defaults.requestMs,
    streamIdleMs: msAt(httpLike, 'streamIdleTimeout') ?? defaults.streamIdleMs,
    maxStreamMs: msAt(httpLike, 'maxStreamDuration') ?? defaults.maxStreamMs,
    maxConnectionMs: defaults.maxConnectionMs,
  };
}

/** Timeouts of traffic from this proxy to `service`. */
export function outboundTimeouts(pp: ProxyPolicies, service: string, protocol: string): Timeouts {
  const conf = pp.to('MeshTimeout', service);
  if (conf) return fromMeshTimeout(conf, OUTBOUND_TIMEOUT_DEFAULTS);
  const legacy = pp.legacy('Timeout').select({ 'kuma.io/service': service });
  if (legacy) return fromLegacyTimeout(field(legacy.spec, 'conf'), protocol, OUTBOUND_TIMEOUT_DEFAULTS);
  return OUTBOUND_TIMEOUT_DEFAULTS;
}

/** Timeouts of traffic into an inbound: the MeshTimeout `from` conf that covers every client. */
export function inboundTimeouts(pp: ProxyPolicies, inbound: InboundView): Timeouts {
  const conf = pp.fromMesh('MeshTimeout', inbound);
  return conf ? fromMeshTimeout(conf, INBOUND_TIMEOUT_DEFAULTS) : INBOUND_TIMEOUT_DEFAULTS;
}

/** What a cluster's upstream HTTP protocol options take from its timeouts. */
export interface ClusterHttpTimeouts {
  idleMs?: number;
  maxStreamMs?: number;
  maxConnectionMs?: number;
}

function clusterHttpOf(t: Timeouts): ClusterHttpTimeouts {
  return { idleMs: t.idleMs, maxStreamMs: t.maxStreamMs, maxConnectionMs: t.maxConnectionMs };
}

/**
 * The HTTP options of the cluster to `service`. Kuma's MeshTimeout sets idleTimeout,
 * maxStreamDuration and maxConnectionDuration on http and http2 clusters only
 * (meshtimeout/plugin/xds ClusterConfigurer), so a grpc cluster keeps what Kuma's base timeout
 * configurer gives it: the legacy Timeout's values when one applies, else an idle timeout of 0s
 * (no Timeout: Envoy's idle timeout off), and long gRPC streams are never cut by maxStreamDuration.
 */
export function outboundClusterHttpTimeouts(pp: ProxyPolicies, service: string, protocol: string): ClusterHttpTimeouts {
  const legacyOnly = !pp.to('MeshTimeout', service) && !!pp.legacy('Timeout').select({ 'kuma.io/service': service });
  if (protocol === 'grpc' && !legacyOnly) return { idleMs: 0 };
  return clusterHttpOf(outboundTimeouts(pp, service, protocol));
}

/**
 * The HTTP options of an inbound's application cluster: MeshTimeout's, except for grpc, which
 * keeps Kuma's inbound defaults (DefaultInboundTimeout) as on the outbound side above.
 */
export function inboundClusterHttpTimeouts(pp: ProxyPolicies, inbound: InboundView, protocol: string): ClusterHttpTimeouts {
  if (protocol === 'grpc') return { idleMs: INBOUND_TIMEOUT_DEFAULTS.idleMs };
  return clusterHttpOf(inboundTimeouts(pp, inbound));
}
