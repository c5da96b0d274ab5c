/**
 * MeshMetric's sidecar profiles applied to Envoy's Prometheus text (pure): which metric families
 * kuma-dp's hijacker passes on. Profiles are a union (All, Basic, None; none listed means All),
 * `exclude` then drops families and `include` adds families back, winning over exclude (Kuma's docs:
 * "include takes precedence over exclude"). Decided once per `# TYPE` family, so a histogram's
 * `_bucket`/`_sum`/`_count` samples stay together.
 */
import type { MeshMetricDpConfig, MetricSelector } from '../core/metrics-sockets';

type Profiles = MeshMetricDpConfig['sidecar']['profiles'];

/**
 * Basic: the families Kuma's dashboards read (request/connection counters and latencies per
 * cluster and listener, cluster membership, server liveness and memory). Our own list, written
 * from what the dashboards query; Kuma's exact Basic list may differ in details.
 */
const BASIC_PREFIXES = [
  'envoy_cluster_upstream_rq',
  'envoy_cluster_upstream_cx',
  'envoy_cluster_membership_',
  'envoy_cluster_lb_healthy_panic',
  'envoy_cluster_outlier_detection_ejections_active',
  'envoy_http_downstream_rq',
  'envoy_http_downstream_cx',
  'envoy_listener_downstream_cx',
  'envoy_listener_http_downstream_rq',
  'envoy_server_live',
  'envoy_server_uptime',
  'envoy_server_memory_',
  'envoy_server_concurrency',
];

function matches(s: MetricSelector, name: string): boolean {
  switch (s.type) {
    case 'Prefix':
      return name.startsWith(s.match);
    case 'Exact':
      return name === s.match;
    case 'Contains':
      return name.includes(s.match);
    case 'Regex':
      return compiled(s.match).test(name);
  }
}

const regexCache = new Map<string, RegExp>();
function compiled(src: string): RegExp {
  let r = regexCache.get(src);
  if (!r) {
    // Kuma matches a Go regexp against the whole name.
    r = new RegExp(`^(?:${src})$`);
    if (regexCache.size > 256) regexCache.clear();
    regexCache.set(src, r);
  }
  return r;
}

export function keepsFamily(name: string, p: Profiles): boolean {
  if (p.include.some((s) => matches(s, name))) return true;
  if (p.exclude.some((s) => matches(s, name))) return false;
  const profiles = p.appendProfiles.length === 0 ? ['All'] : p.appendProfiles;
  if (profiles.includes('All')) return true;
  if (profiles.includes('Basic')) return BASIC_PREFIXES.some((b) => name.startsWith(b));
  return false;
}

/** Keeps the families the profiles allow; comment lines travel with their family. */
export function filterPrometheusText(text: string, p: Profiles): string {
  if (p.appendProfiles.length === 0 && p.include.length === 0 && p.exclude.length === 0) return text;
  const out: string[] = [];
  let keep = true;
  let family = '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# TYPE ') || line.startsWith('# HELP ')) {
      const name = line.slice(7).split(' ', 1)[0]!;
      if (name !== family) {
        family = name;
        keep = keepsFamily(name, p);
      }
    } else if (!line.startsWith('#')) {
      const name = line.split(/[{ ]/, 1)[0]!;
      // A sample outside the current family (no TYPE line before it) decides for itself.
      if (!(name === family || name.startsWith(`${family}_`))) {
        family = name;
        keep = keepsFamily(name, p);
      }
    }
    if (keep) out.push(line);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
