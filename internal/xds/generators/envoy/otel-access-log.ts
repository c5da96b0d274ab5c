/**
 * The pieces of a MeshAccessLog OpenTelemetry backend (Kuma meshaccesslog plugin): Envoy's
 * envoy.access_loggers.open_telemetry exporting OTLP/gRPC logs through a collector cluster.
 *
 * - endpoint `host[:port]`, port 4317 (OTLP/gRPC) by default;
 * - body: Kuma's default format for the listener's protocol as a string; a given body is an OTLP
 *   AnyValue in its JSON form (`{kvlistValue: {values: [...]}}`, `{stringValue: ...}`, ...),
 *   and anything else is logged as a string (a string as itself, other JSON as its text);
 * - attributes: string values;
 * - Envoy takes only string, kvlist and array values in a body (validation refuses the others);
 * - `%KUMA_*%` placeholders are replaced in every string of the body (kvlist keys too) and in the
 *   attributes (Kuma leaves attributes alone, which makes Envoy refuse the unknown operator).
 */
import type { AccessLog } from '../../../../proto/gen/envoy/config/accesslog/v3/accesslog';
import { Cluster, Cluster_DiscoveryType, Cluster_DnsLookupFamily } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import { OpenTelemetryAccessLogConfig } from '../../../../proto/gen/envoy/extensions/access_loggers/open_telemetry/v3/logs_service';
import type { AnyValue, KeyValue } from '../../../../proto/gen/opentelemetry/proto/common/v1/common';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { isIP } from 'node:net';
import { pack } from '../../../proto/any';
import { httpProtocolOptions, socketAddress } from './common';
import { statName } from './names';
import { duration } from './values';

export const OTEL_ACCESS_LOGGER = 'envoy.access_loggers.open_telemetry';
const OTLP_GRPC_PORT = 4317;
const CONNECT_TIMEOUT_MS = 10_000;
/** Kuma's log_name: the OTLP scope the records arrive under. */
const LOG_NAME = 'MeshAccessLog';

export interface OtelEndpoint {
  host: string;
  port: number;
}

/** `host[:port]` as Kuma reads it; undefined when the port is not a TCP port number. */
export function parseOtelEndpoint(endpoint: string): OtelEndpoint | undefined {
  const [host = '', port, ...rest] = endpoint.split(':');
  if (host === '' || rest.length > 0) return undefined;
  if (port === undefined) return { host, port: OTLP_GRPC_PORT };
  const n = Number(port);
  return /^\d+$/.test(port) && n >= 1 && n <= 65535 ? { host, port: n } : undefined;
}

/** Kuma's cluster name for the index-th distinct collector endpoint of a proxy. */
export function otelClusterName(index: number): string {
  return `meshaccesslog:opentelemetry:${index}`;
}

/** An HTTP/2 cluster to the collector: STATIC for an IP, STRICT_DNS over IPv4 for a name (Kuma ProvidedEndpointCluster). */
export function otelCollectorCluster(name: string, endpoint: OtelEndpoint, connectTimeoutMs = CONNECT_TIMEOUT_MS): Cluster {
  const dns = isIP(endpoint.host) === 0;
  return Cluster.fromPartial({
    name,
    altStatName: statName(name),
    clusterDiscoveryType: { $case: 'type', value: dns ? Cluster_DiscoveryType.STRICT_DNS : Cluster_DiscoveryType.STATIC },
    ...(dns ? { dnsLookupFamily: Cluster_DnsLookupFamily.V4_ONLY } : {}),
    connectTimeout: duration(connectTimeoutMs),
    loadAssignment: {
      clusterName: name,
      endpoints: [{ lbEndpoints: [{ hostIdentifier: { $case: 'endpoint', value: { address: socketAddress(endpoint.host, endpoint.port) } } }] }],
    },
    typedExtensionProtocolOptions: httpProtocolOptions(true),
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function listOf(v: unknown): unknown[] | undefined {
  if (!isRecord(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.some((k) => k !== 'values')) return undefined;
  if (v.values === undefined) return [];
  return Array.isArray(v.values) ? v.values : undefined;
}

/**
 * An OTLP AnyValue from its protojson form, strings passed through `fill`; undefined when `v` is
 * not one (then the body is logged as text, as Kuma does).
 */
export function anyValueOf(v: unknown, fill: (s: string) => string): DeepPartial<AnyValue> | undefined {
  if (!isRecord(v) || Object.keys(v).length !== 1) return undefined;
  const [key] = Object.keys(v);
  const raw = v[key!];
  switch (key) {
    case 'stringValue':
    case 'string_value':
      return typeof raw === 'string' ? { value: { $case: 'stringValue', value: fill(raw) } } : undefined;
    case 'arrayValue':
    case 'array_value': {
      const items = listOf(raw);
      if (!items) return undefined;
      const values = items.map((i) => anyValueOf(i, fill));
      return values.every((x) => x !== undefined) ? { value: { $case: 'arrayValue', value: { values: values as DeepPartial<AnyValue>[] } } } : undefined;
    }
    case 'kvlistValue':
    case 'kvlist_value': {
      const items = listOf(raw);
      if (!items) return undefined;
      const values: DeepPartial<KeyValue>[] = [];
      for (const kv of items) {
        if (!isRecord(kv) || typeof kv.key !== 'string' || Object.keys(kv).some((k) => k !== 'key' && k !== 'value')) return undefined;
        // A pair without a value is no body Envoy takes.
        const value = anyValueOf(kv.value, fill);
        if (!value) return undefined;
        values.push({ key: fill(kv.key), value });
      }
      return { value: { $case: 'kvlistValue', value: { values } } };
    }
    default:
      return undefined;
  }
}

/** The log record's body: Kuma's default format unless the backend gives one (see the header). */
export function otelBody(body: unknown, defaultFormat: string, fill: (s: string) => string): DeepPartial<AnyValue> {
  if (body === undefined || body === null) return { value: { $case: 'stringValue', value: fill(defaultFormat) } };
  if (typeof body === 'string') return { value: { $case: 'stringValue', value: fill(body) } };
  return anyValueOf(body, fill) ?? { value: { $case: 'stringValue', value: fill(JSON.stringify(body)) } };
}

export interface OtelBackendInput {
  clusterName: string;
  body: unknown;
  attributes: { key: string; value: string }[];
  defaultFormat: string;
  fill: (s: string) => string;
}

export function otelAccessLog(b: OtelBackendInput): DeepPartial<AccessLog> {
  const config: DeepPartial<OpenTelemetryAccessLogConfig> = {
    // Kuma's common_config, in the fields Envoy 1.40 replaced it with.
    logName: LOG_NAME,
    grpcService: { targetSpecifier: { $case: 'envoyGrpc', value: { clusterName: b.clusterName } } },
    body: otelBody(b.body, b.defaultFormat, b.fill),
    attributes: { values: b.attributes.map((a) => ({ key: a.key, value: { value: { $case: 'stringValue', value: b.fill(a.value) } } })) },
  };
  return { name: OTEL_ACCESS_LOGGER, configType: { $case: 'typedConfig', value: pack(OpenTelemetryAccessLogConfig, config) } };
}
