/** MeshRetry (spec kuma-api-cli.md §1.11; Kuma meshretry validator.go): `to` only. */
import {
  MUST_BE_DEFINED,
  type Violations,
  checkDurationGreaterThanZero,
  checkDurationNotNegative,
  checkEnum,
  checkTags,
  checkUint32,
  isObject,
  isUnset,
  listAt,
  objectAt,
} from '../validation';
import { type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';
import { STRING_MAP, VALUE, message } from '../schema/field-schema';
import { HEADER_MATCH } from '../schema/target-ref-fields';

const HTTP_RETRY_ON = [
  '5xx',
  'GatewayError',
  'Reset',
  'Retriable4xx',
  'ConnectFailure',
  'EnvoyRatelimited',
  'RefusedStream',
  'Http3PostConnectFailure',
  ...['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'].map((m) => `HttpMethod${m}`),
];
const GRPC_RETRY_ON = ['Canceled', 'DeadlineExceeded', 'Internal', 'ResourceExhausted', 'Unavailable'];

// Codes Go's http.StatusText knows; Kuma accepts a numeric retryOn only for these.
const KNOWN_STATUS = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403,
  404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500,
  501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

function isEmptyConf(o: Record<string, unknown>, keys: readonly string[]): boolean {
  return keys.every((k) => isUnset(o[k]));
}

function checkBackOff(vs: Violations, field: string, v: unknown): void {
  const b = objectAt(vs, field, v);
  if (!b) return;
  if (isEmptyConf(b, ['baseInterval', 'maxInterval'])) vs.add(field, 'must not be empty');
  checkDurationNotNegative(vs, `${field}.baseInterval`, b.baseInterval);
  checkDurationNotNegative(vs, `${field}.maxInterval`, b.maxInterval);
}

function checkRateLimitedBackOff(vs: Violations, field: string, v: unknown): void {
  const r = objectAt(vs, field, v);
  if (!r) return;
  checkDurationGreaterThanZero(vs, `${field}.maxInterval`, r.maxInterval);
  if (isUnset(r.resetHeaders)) {
    vs.add(`${field}.resetHeaders`, MUST_BE_DEFINED);
    return;
  }
  listAt(vs, `${field}.resetHeaders`, r.resetHeaders).forEach((h, i) => {
    const f = `${field}.resetHeaders[${i}]`;
    if (!isObject(h) || typeof h.name !== 'string' || h.name === '') vs.add(`${f}.name`, MUST_BE_DEFINED);
    if (isObject(h)) checkEnum(vs, `${f}.format`, h.format, ['Seconds', 'UnixTimestamp']);
  });
}

function checkRetryOn(vs: Violations, field: string, v: unknown, allowed: readonly string[], numeric: boolean): void {
  listAt(vs, field, v).forEach((item, i) => {
    const s = String(item);
    if (allowed.includes(s)) return;
    if (numeric && /^\d+$/.test(s) && KNOWN_STATUS.has(Number(s))) return;
    vs.add(`${field}[${i}]`, `unknown item '${s}'`);
  });
}

function checkHostSelection(vs: Violations, field: string, v: unknown): void {
  let prioritySet = false;
  listAt(vs, field, v).forEach((p, i) => {
    const f = `${field}[${i}]`;
    const pred = isObject(p) ? p.predicate : undefined;
    switch (pred) {
      case 'OmitPreviousHosts':
        break;
      case 'OmitHostsWithTags':
        if (!isObject(p) || isUnset(p.tags)) vs.add(`${f}.tags`, MUST_BE_DEFINED);
        else checkTags(vs, `${f}.tags`, p.tags);
        break;
      case 'OmitPreviousPriorities':
        if (prioritySet) vs.add(`${f}.predicate`, 'OmitPreviousPriorities must only be specified once');
        prioritySet = true;
        if (!isObject(p) || typeof p.updateFrequency !== 'number' || p.updateFrequency <= 0) {
          vs.add(`${f}.updateFrequency`, 'must be defined and greater than zero');
        }
        break;
      default:
        vs.add(`${f}.predicate`, `unknown predicate type '${String(pred ?? '')}'`);
    }
  });
}

const HTTP_KEYS = ['numRetries', 'perTryTimeout', 'backOff', 'retryOn', 'retriableRequestHeaders', 'retriableResponseHeaders', 'rateLimitedBackOff', 'hostSelection'];
const GRPC_KEYS = ['numRetries', 'perTryTimeout', 'backOff', 'retryOn', 'rateLimitedBackOff'];

function checkProtocol(vs: Violations, field: string, v: unknown, grpc: boolean): void {
  const o = objectAt(vs, field, v);
  if (!o) return;
  if (isEmptyConf(o, grpc ? GRPC_KEYS : HTTP_KEYS)) vs.add(field, 'must not be empty');
  checkUint32(vs, `${field}.numRetries`, o.numRetries);
  checkDurationNotNegative(vs, `${field}.perTryTimeout`, o.perTryTimeout);
  checkBackOff(vs, `${field}.backOff`, o.backOff);
  checkRateLimitedBackOff(vs, `${field}.rateLimitedBackOff`, o.rateLimitedBackOff);
  checkRetryOn(vs, `${field}.retryOn`, o.retryOn, grpc ? GRPC_RETRY_ON : HTTP_RETRY_ON, !grpc);
  if (!grpc) {
    checkHostSelection(vs, `${field}.hostSelection`, o.hostSelection);
    checkUint32(vs, `${field}.hostSelectionMaxAttempts`, o.hostSelectionMaxAttempts);
  }
}

function conf(vs: Violations, field: string, c: Record<string, unknown>): void {
  if (isEmptyConf(c, ['tcp', 'http', 'grpc'])) {
    vs.add(field, "at least one of the 'tcp', 'http', 'grpc' must be specified");
    return;
  }
  const tcp = objectAt(vs, `${field}.tcp`, c.tcp);
  if (tcp) {
    if (isUnset(tcp.maxConnectAttempt)) vs.add(`${field}.tcp`, 'must not be empty');
    else checkUint32(vs, `${field}.tcp.maxConnectAttempt`, tcp.maxConnectAttempt);
  }
  checkProtocol(vs, `${field}.http`, c.http, false);
  checkProtocol(vs, `${field}.grpc`, c.grpc, true);
}

/** Kuma meshretry Conf. */
const BACK_OFF = message({ baseInterval: VALUE, maxInterval: VALUE });
const RATE_LIMITED_BACK_OFF = message({ resetHeaders: message({ name: VALUE, format: VALUE }), maxInterval: VALUE });
const CONF_FIELDS = message({
  tcp: message({ maxConnectAttempt: VALUE }),
  http: message({
    numRetries: VALUE,
    perTryTimeout: VALUE,
    backOff: BACK_OFF,
    rateLimitedBackOff: RATE_LIMITED_BACK_OFF,
    retryOn: VALUE,
    retriableResponseHeaders: HEADER_MATCH,
    retriableRequestHeaders: HEADER_MATCH,
    hostSelection: message({ predicate: VALUE, tags: STRING_MAP, updateFrequency: VALUE }),
    hostSelectionMaxAttempts: VALUE,
  }),
  grpc: message({ numRetries: VALUE, perTryTimeout: VALUE, backOff: BACK_OFF, rateLimitedBackOff: RATE_LIMITED_BACK_OFF, retryOn: VALUE }),
});

const shape: TargetRefPolicyShape = {
  topKinds: ['Mesh', 'MeshSubset', 'MeshGateway', 'MeshService', 'MeshServiceSubset', 'Dataplane'],
  to: { kinds: ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService', 'MeshHTTPRoute'], conf, fields: CONF_FIELDS, required: true },
};

export const meshRetry = defineTargetRefPolicy({ name: 'MeshRetry', path: 'meshretries', shortName: 'mr', pluralDisplayName: 'Mesh Retries' }, shape);
