/**
 * The two unix sockets between a sidecar's Envoy and kuma-dp for MeshMetric, shared by the
 * generator and kuma-dp so both sides agree without a handshake (as accessLogPipePath does):
 * - the metrics hijacker (Kuma's `kuma-mh-<dataplane>-<mesh>.sock`): kuma-dp serves the merged
 *   Envoy + application metrics there and the scrape listener's route ends in it;
 * - the dynamic config socket: Envoy serves the proxy's resolved MeshMetric conf there as JSON
 *   (`GET /meshmetric`) and kuma-dp polls it, so a policy change needs no kuma-dp restart.
 */
export function metricsHijackerSocketPath(dataplane: string, mesh: string): string {
  return `/tmp/kuma-mh-${dataplane}-${mesh}.sock`;
}

export function metricsConfigSocketPath(dataplane: string, mesh: string): string {
  return `/tmp/kuma-mc-${dataplane}-${mesh}.sock`;
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
}

export interface MetricSelector {
  type: 'Prefix' | 'Regex' | 'Exact' | 'Contains';
  match: string;
}
