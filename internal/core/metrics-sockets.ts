/**
 * The unix sockets between a sidecar's Envoy and kuma-dp for MeshMetric, shared by the
 * generator and kuma-dp so both sides agree without a handshake (as accessLogPipePath does):
 * - the metrics hijacker (Kuma's `kuma-mh-<dataplane>-<mesh>.sock`): kuma-dp serves the merged
 *   Envoy + application metrics there and the scrape listener's route ends in it;
 * - the dynamic config socket: Envoy serves the proxy's resolved MeshMetric conf there as JSON
 *   (`GET /meshmetric`) and kuma-dp polls it, so a policy change needs no kuma-dp restart;
 * - one OpenTelemetry socket per OpenTelemetry backend: Envoy listens there and forwards kuma-dp's
 *   OTLP/gRPC exports to the collector (Kuma's `kuma-otel-<backend>.sock`). Its path travels in the
 *   dynamic config, so only the generator derives it.
 */
import { createHash } from 'node:crypto';

export function metricsHijackerSocketPath(dataplane: string, mesh: string): string {
  return `/tmp/kuma-mh-${dataplane}-${mesh}.sock`;
}

export function metricsConfigSocketPath(dataplane: string, mesh: string): string {
  return `/tmp/kuma-mc-${dataplane}-${mesh}.sock`;
}

/**
 * Kuma's path is `/tmp/kuma-otel-<backend>.sock`; the proxy's name and mesh keep two proxies of
 * one host apart (as the other two sockets do), and a hash of the backend name keeps the path
 * under the 108 bytes a unix socket path may have whatever the endpoint.
 */
export function metricsOtelSocketPath(dataplane: string, mesh: string, backend: string): string {
  const h = createHash('sha256').update(backend).digest('hex').slice(0, 8);
  return `/tmp/kuma-mo-${dataplane}-${mesh}-${h}.sock`;
}

/** The path on the config socket that answers the MeshMetric conf. */
export const METRICS_CONFIG_PATH = '/meshmetric';

/** What the config socket answers: the proxy's MeshMetric conf with Kuma's defaults filled in. */
export interface MeshMetricDpConfig {
  sidecar: {
    includeUnused: boolean;
    profiles: { appendProfiles: string[]; include: MetricSelector[]; exclude: MetricSelector[] };
  };
  applications: { name?: string; address: string; port: number; path: string }[];
  /** The OpenTelemetry backends kuma-dp pushes to (Kuma's dpapi Backend; Prometheus needs no entry here). */
  backends: OtelMetricBackend[];
  /**
   * The Dataplane's tags as Prometheus label names (Kuma mads.DataplaneLabels: the first value under
   * the sanitized key, every value as `,a,b,` under the key plus "s"); every pushed data point
   * carries them.
   */
  extraLabels: Record<string, string>;
}

export interface OtelMetricBackend {
  type: 'OpenTelemetry';
  /** Kuma's backend name: the endpoint without "/" and with ":" as "-". */
  name: string;
  openTelemetry: {
    /** The unix socket Envoy's `_kuma:metrics:opentelemetry:<name>` listener is on (not the collector). */
    endpoint: string;
    /** A Go duration ("1m0s"): how often kuma-dp pushes. */
    refreshInterval: string;
  };
}

export interface MetricSelector {
  type: 'Prefix' | 'Regex' | 'Exact' | 'Contains';
  match: string;
}
