/**
 * MeshMetric (Kuma 2.6+ meshmetric api; kuma-api-cli.md §1.11): a single-item policy, a top-level
 * targetRef and `default` only. `sidecar` trims Envoy's stats (profiles plus include/exclude),
 * `applications` lists app endpoints kuma-dp scrapes and merges in, `backends` says how the result
 * leaves the proxy: a Prometheus scrape listener, or an OpenTelemetry collector kuma-dp pushes to
 * (OTLP/gRPC through Envoy) every `refreshInterval` (1m by default).
 */
import { isOneOf, mustBeOneOf } from '../one-of';
import { MUST_BE_DEFINED, type Violations, checkBool, checkEnum, checkPort, checkPositiveDuration, checkString, isObject, isOtelGrpcEndpoint, isUnset, listAt, objectAt } from '../validation';
import { VALUE, message } from '../schema/field-schema';
import { type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';

export const METRIC_BACKEND_TYPES = ['Prometheus', 'OpenTelemetry'] as const;
export const METRIC_PROFILES = ['All', 'Basic', 'None'] as const;
export const METRIC_SELECTOR_TYPES = ['Prefix', 'Regex', 'Exact', 'Contains'] as const;
export const PROMETHEUS_TLS_MODES = ['Disabled', 'ProvidedTLS', 'ActiveMTLSBackend'] as const;

/** Kuma's defaults for a Prometheus backend. */
export const PROMETHEUS_DEFAULT_PORT = 5670;
export const PROMETHEUS_DEFAULT_PATH = '/metrics';

/** Kuma's backendNameFrom: the name is used as a directory name, so no "/" and no ":". */
export function otelMetricBackendName(endpoint: string): string {
  return endpoint.replaceAll('/', '').replaceAll(':', '-');
}
const TLS_UNSUPPORTED = 'only Disabled is supported by this control plane yet (the scrape listener serves plain HTTP)';

function checkSelector(vs: Violations, field: string, s: unknown): void {
  if (!isObject(s)) {
    vs.add(field, 'must be an object');
    return;
  }
  if (isUnset(s.type)) vs.add(`${field}.type`, MUST_BE_DEFINED);
  else if (!isOneOf(s.type, METRIC_SELECTOR_TYPES)) vs.add(`${field}.type`, mustBeOneOf('type', METRIC_SELECTOR_TYPES));
  if (typeof s.match !== 'string' || s.match === '') vs.add(`${field}.match`, MUST_BE_DEFINED);
  else if (s.type === 'Regex') {
    try {
      new RegExp(s.match);
    } catch {
      vs.add(`${field}.match`, 'invalid regex');
    }
  }
}

function checkSidecar(vs: Violations, field: string, sidecar: Record<string, unknown>): void {
  checkBool(vs, `${field}.includeUnused`, sidecar.includeUnused);
  const profiles = objectAt(vs, `${field}.profiles`, sidecar.profiles);
  if (!profiles) return;
  listAt(vs, `${field}.profiles.appendProfiles`, profiles.appendProfiles).forEach((p, i) => {
    const f = `${field}.profiles.appendProfiles[${i}]`;
    if (!isObject(p)) vs.add(f, 'must be an object');
    else if (isUnset(p.name)) vs.add(`${f}.name`, MUST_BE_DEFINED);
    else checkEnum(vs, `${f}.name`, p.name, METRIC_PROFILES);
  });
  for (const k of ['include', 'exclude'] as const) {
    listAt(vs, `${field}.profiles.${k}`, profiles[k]).forEach((s, i) => checkSelector(vs, `${field}.profiles.${k}[${i}]`, s));
  }
}

function checkApplication(vs: Violations, field: string, a: unknown): void {
  if (!isObject(a)) {
    vs.add(field, 'must be an object');
    return;
  }
  checkString(vs, `${field}.name`, a.name);
  checkString(vs, `${field}.address`, a.address);
  checkPort(vs, `${field}.port`, a.port, true);
  if (!isUnset(a.path) && (typeof a.path !== 'string' || !a.path.startsWith('/'))) vs.add(`${field}.path`, 'must be an absolute path starting with "/"');
}

/**
 * Kuma's rules: the endpoint is a URL without a scheme (OTLP/gRPC `host[:port]`, 4317 by default).
 * Kuma would also take a path or a bad port, which its generator then turns into a port 0 cluster
 * Envoy refuses; this control plane says so here instead.
 */
function checkOpenTelemetry(vs: Violations, field: string, o: unknown): void {
  if (!isObject(o)) {
    vs.add(field, 'must be an object');
    return;
  }
  const endpoint = o.endpoint;
  if (typeof endpoint !== 'string' || endpoint === '') vs.add(`${field}.endpoint`, 'must be a valid url');
  else if (/^https?:\/\//.test(endpoint)) vs.add(`${field}.endpoint`, 'must not use schema');
  else if (!isOtelGrpcEndpoint(endpoint)) vs.add(`${field}.endpoint`, 'must be a valid url: host or host:port of an OTLP/gRPC collector (port 4317 by default)');
  checkPositiveDuration(vs, `${field}.refreshInterval`, o.refreshInterval);
}

function checkBackend(vs: Violations, field: string, b: unknown): void {
  if (!isObject(b)) {
    vs.add(field, 'must be an object');
    return;
  }
  if (isUnset(b.type)) {
    vs.add(`${field}.type`, MUST_BE_DEFINED);
    return;
  }
  if (!isOneOf(b.type, METRIC_BACKEND_TYPES)) {
    vs.add(`${field}.type`, mustBeOneOf('type', METRIC_BACKEND_TYPES));
    return;
  }
  if (b.type === 'OpenTelemetry') {
    if (isUnset(b.openTelemetry)) vs.add(`${field}.openTelemetry`, MUST_BE_DEFINED);
    else checkOpenTelemetry(vs, `${field}.openTelemetry`, b.openTelemetry);
    return;
  }
  if (isUnset(b.prometheus)) {
    vs.add(`${field}.prometheus`, MUST_BE_DEFINED);
    return;
  }
  const p = objectAt(vs, `${field}.prometheus`, b.prometheus);
  if (!p) return;
  checkPort(vs, `${field}.prometheus.port`, p.port);
  if (!isUnset(p.path) && (typeof p.path !== 'string' || !p.path.startsWith('/'))) vs.add(`${field}.prometheus.path`, 'must be an absolute path starting with "/"');
  checkString(vs, `${field}.prometheus.clientId`, p.clientId);
  const tls = objectAt(vs, `${field}.prometheus.tls`, p.tls);
  if (tls && !isUnset(tls.mode)) {
    checkEnum(vs, `${field}.prometheus.tls.mode`, tls.mode, PROMETHEUS_TLS_MODES);
    if (isOneOf(tls.mode, PROMETHEUS_TLS_MODES) && tls.mode !== 'Disabled') vs.add(`${field}.prometheus.tls.mode`, TLS_UNSUPPORTED);
  }
}

function conf(vs: Violations, field: string, c: Record<string, unknown>): void {
  const sidecar = objectAt(vs, `${field}.sidecar`, c.sidecar);
  if (sidecar) checkSidecar(vs, `${field}.sidecar`, sidecar);
  listAt(vs, `${field}.applications`, c.applications).forEach((a, i) => checkApplication(vs, `${field}.applications[${i}]`, a));
  const backends = listAt(vs, `${field}.backends`, c.backends);
  backends.forEach((b, i) => checkBackend(vs, `${field}.backends[${i}]`, b));
  // Two scrape listeners on one port would make Envoy reject the listener update.
  const seen = new Map<number, number>();
  backends.forEach((b, i) => {
    if (!isObject(b) || b.type !== 'Prometheus' || !isObject(b.prometheus)) return;
    const port = typeof b.prometheus.port === 'number' ? b.prometheus.port : PROMETHEUS_DEFAULT_PORT;
    const first = seen.get(port);
    if (first !== undefined) vs.add(`${field}.backends[${i}].prometheus.port`, `must differ from backends[${first}].prometheus.port (${port})`);
    else seen.set(port, i);
  });
  // One listener per OpenTelemetry backend name: a second one with that name would be refused by Envoy.
  const names = new Map<string, number>();
  backends.forEach((b, i) => {
    if (!isObject(b) || b.type !== 'OpenTelemetry' || !isObject(b.openTelemetry) || typeof b.openTelemetry.endpoint !== 'string') return;
    const name = otelMetricBackendName(b.openTelemetry.endpoint);
    const first = names.get(name);
    if (first !== undefined) vs.add(`${field}.backends[${i}].openTelemetry.endpoint`, `must differ from backends[${first}].openTelemetry.endpoint`);
    else names.set(name, i);
  });
}

const SELECTOR = message({ type: VALUE, match: VALUE });

/** Kuma meshmetric Conf. */
const CONF_FIELDS = message({
  sidecar: message({ includeUnused: VALUE, profiles: message({ appendProfiles: message({ name: VALUE }), include: SELECTOR, exclude: SELECTOR }) }),
  applications: message({ name: VALUE, path: VALUE, port: VALUE, address: VALUE }),
  backends: message({
    type: VALUE,
    prometheus: message({ clientId: VALUE, port: VALUE, path: VALUE, tls: message({ mode: VALUE }) }),
    openTelemetry: message({ endpoint: VALUE, refreshInterval: VALUE }),
  }),
});

const shape: TargetRefPolicyShape = {
  topKinds: ['Mesh', 'MeshSubset', 'MeshGateway', 'MeshService', 'MeshServiceSubset', 'Dataplane'],
  default: { conf, fields: CONF_FIELDS },
};

export const meshMetric = defineTargetRefPolicy({ name: 'MeshMetric', path: 'meshmetrics', shortName: 'mm' }, shape);
