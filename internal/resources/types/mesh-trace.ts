/**
 * MeshTrace (Kuma 2.14 meshtrace api + validator.go; kuma-api-cli.md §1.11): a single-item policy,
 * a top-level targetRef and `default` only. The conf holds zero or one backend (Zipkin, Datadog or
 * OpenTelemetry), sampling percentages (int or decimal string, Envoy's default 100 when unset) and
 * custom span tags (a literal or a request header).
 */
import { isOneOf, mustBeOneOf } from '../one-of';
import { parseRequestUri, isUrl } from '../request-uri';
import { MUST_BE_DEFINED, MUST_NOT_BE_DEFINED, type Violations, checkBool, checkEnum, isObject, isUnset, listAt, objectAt } from '../validation';
import { VALUE, message } from '../schema/field-schema';
import { type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';

export const TRACE_BACKEND_TYPES = ['Zipkin', 'Datadog', 'OpenTelemetry'] as const;
export const ZIPKIN_API_VERSIONS = ['httpJson', 'httpProto'] as const;
const MUST_NOT_BE_EMPTY = 'must not be empty';

/** common_api.NewDecimalFromIntOrString: an int, or a string holding a decimal number. */
export function samplingPercent(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v.trim())) return Number(v);
  return undefined;
}

function checkSampling(vs: Violations, field: string, v: unknown): void {
  if (isUnset(v)) return;
  const n = samplingPercent(v);
  if (n === undefined) vs.add(field, 'string is not a number');
  else if (n < 0 || n > 100) vs.add(field, 'must be between 0 and 100');
}

/** Only `http://host:port`: the Datadog agent address (dd-trace-go's rule, as Kuma checks it). */
function checkDatadogUrl(vs: Violations, field: string, raw: unknown): void {
  const s = typeof raw === 'string' ? raw : '';
  // ParseRequestURI also takes an absolute path (no scheme, no host).
  const u = s.startsWith('/') ? { scheme: '', port: '', user: '', path: s.split(/[?#]/)[0]!, query: '', fragment: '' } : parseRequestUri(s);
  if (!u) {
    vs.add(field, 'must be a valid url');
    return;
  }
  if (u.scheme !== 'http') vs.add(field, 'scheme must be http');
  if (u.port === '') vs.add(field, `port ${MUST_BE_DEFINED}`);
  else if (Number(u.port) < 1 || Number(u.port) > 65535) vs.add(field, 'port must be a valid (1-65535)');
  const extra: [string, boolean][] = [
    ['user', u.user !== ''],
    ['path', u.path !== ''],
    ['query', u.query !== ''],
    ['fragment', u.fragment !== ''],
  ];
  for (const [name, set] of extra) if (set) vs.add(field, `${name} ${MUST_NOT_BE_DEFINED}`);
}

/** An OTLP endpoint: gRPC `host[:port]`, or an http(s) URL for OTLP/HTTP. */
function checkOtelEndpoint(vs: Violations, field: string, endpoint: string): void {
  const u = parseRequestUri(endpoint);
  if (u && u.host !== '') {
    if (u.scheme !== 'http' && u.scheme !== 'https') vs.add(field, 'URL scheme must be http or https');
    if (u.port !== '' && (Number(u.port) < 1 || Number(u.port) > 65535)) vs.add(field, 'port must be valid (1-65535)');
    if (u.hostname === '') vs.add(field, 'hostname must be defined');
  } else if (endpoint.includes('://')) {
    vs.add(field, 'must be a valid URL');
  }
}

function section(vs: Violations, b: Record<string, unknown>, field: string, name: string): Record<string, unknown> | undefined {
  if (isUnset(b[name])) {
    vs.add(`${field}.${name}`, MUST_BE_DEFINED);
    return undefined;
  }
  return objectAt(vs, `${field}.${name}`, b[name]);
}

function checkBackend(vs: Violations, field: string, b: Record<string, unknown>): void {
  if (isUnset(b.type)) {
    vs.add(`${field}.type`, MUST_BE_DEFINED);
    return;
  }
  if (!isOneOf(b.type, TRACE_BACKEND_TYPES)) {
    vs.add(`${field}.type`, mustBeOneOf('type', TRACE_BACKEND_TYPES));
    return;
  }
  if (b.type === 'Datadog') {
    const dd = section(vs, b, field, 'datadog');
    if (!dd) return;
    checkDatadogUrl(vs, `${field}.datadog.url`, dd.url);
    checkBool(vs, `${field}.datadog.splitService`, dd.splitService);
  } else if (b.type === 'Zipkin') {
    const z = section(vs, b, field, 'zipkin');
    if (!z) return;
    if (isUnset(z.url) || z.url === '') vs.add(`${field}.zipkin.url`, MUST_NOT_BE_EMPTY);
    else if (typeof z.url !== 'string' || !isUrl(z.url)) vs.add(`${field}.zipkin.url`, 'must be a valid url');
    checkEnum(vs, `${field}.zipkin.apiVersion`, z.apiVersion, ZIPKIN_API_VERSIONS);
    checkBool(vs, `${field}.zipkin.traceId128bit`, z.traceId128bit);
    checkBool(vs, `${field}.zipkin.sharedSpanContext`, z.sharedSpanContext);
  } else {
    const otel = section(vs, b, field, 'openTelemetry');
    if (!otel) return;
    if (isUnset(otel.endpoint) || otel.endpoint === '') vs.add(`${field}.openTelemetry.endpoint`, MUST_NOT_BE_EMPTY);
    else if (typeof otel.endpoint !== 'string') vs.add(`${field}.openTelemetry.endpoint`, 'must be a string');
    else checkOtelEndpoint(vs, `${field}.openTelemetry.endpoint`, otel.endpoint);
  }
}

function checkTag(vs: Violations, field: string, tag: unknown): void {
  if (!isObject(tag)) {
    vs.add(field, 'must be an object');
    return;
  }
  if (typeof tag.name !== 'string' || tag.name === '') vs.add(`${field}.name`, MUST_NOT_BE_EMPTY);
  if (isUnset(tag.header) === isUnset(tag.literal)) vs.add(field, 'tag must have only one type defined: header, literal');
  if (!isUnset(tag.literal) && typeof tag.literal !== 'string') vs.add(`${field}.literal`, 'must be a string');
  const header = objectAt(vs, `${field}.header`, tag.header);
  // Not in Kuma's validator; Envoy rejects a request_header tag without a name (NACK for the whole listener).
  if (header && (typeof header.name !== 'string' || header.name === '')) vs.add(`${field}.header.name`, MUST_NOT_BE_EMPTY);
}

function conf(vs: Violations, field: string, c: Record<string, unknown>): void {
  if (isUnset(c.backends)) vs.add(`${field}.backends`, MUST_BE_DEFINED);
  const backends = listAt(vs, `${field}.backends`, c.backends);
  if (backends.length > 1) vs.add(`${field}.backends`, 'must have zero or one backend defined');
  else if (backends.length === 1) {
    if (isObject(backends[0])) checkBackend(vs, `${field}.backends[0]`, backends[0]);
    else vs.add(`${field}.backends[0]`, 'must be an object');
  }
  listAt(vs, `${field}.tags`, c.tags).forEach((t, i) => checkTag(vs, `${field}.tags[${i}]`, t));
  const sampling = objectAt(vs, `${field}.sampling`, c.sampling);
  if (sampling) for (const k of ['client', 'random', 'overall'] as const) checkSampling(vs, `${field}.sampling.${k}`, sampling[k]);
}

/** Kuma meshtrace Conf. */
const CONF_FIELDS = message({
  backends: message({
    type: VALUE,
    zipkin: message({ url: VALUE, traceId128bit: VALUE, apiVersion: VALUE, sharedSpanContext: VALUE }),
    datadog: message({ url: VALUE, splitService: VALUE }),
    openTelemetry: message({ endpoint: VALUE }),
  }),
  sampling: message({ overall: VALUE, client: VALUE, random: VALUE }),
  tags: message({ name: VALUE, literal: VALUE, header: message({ name: VALUE, default: VALUE }) }),
});

const shape: TargetRefPolicyShape = {
  // Kuma's kinds for a policy of the system role (every policy on Universal).
  topKinds: ['Mesh', 'MeshSubset', 'MeshGateway', 'MeshService', 'MeshServiceSubset', 'Dataplane'],
  default: { conf, fields: CONF_FIELDS },
};

export const meshTrace = defineTargetRefPolicy({ name: 'MeshTrace', path: 'meshtraces', shortName: 'mtr' }, shape);
