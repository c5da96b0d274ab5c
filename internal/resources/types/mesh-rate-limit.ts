/**
 * MeshRateLimit (spec kuma-api-cli.md §1.11; Kuma 2.14 meshratelimit validator.go): local (per
 * proxy) limits, `from` + `rules` for sidecars, `to` only for gateways.
 */
import { MUST_BE_DEFINED, MUST_NOT_BE_DEFINED, type Violations, checkBool, checkIntGreaterThanZero, durationMs, isDuration, isObject, isUnset, listAt, mustHaveAtLeastOne, objectAt } from '../validation';
import { type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';
import { VALUE, message } from '../schema/field-schema';

/** Envoy's token bucket refills at most every 50ms. */
const MIN_INTERVAL_MS = 50;

function checkRate(vs: Violations, field: string, rate: Record<string, unknown>): void {
  const num = rate.num;
  if (isUnset(num) || (typeof num === 'number' && Number.isInteger(num) && num <= 0)) vs.add(`${field}.num`, 'must be greater than 0');
  else if (typeof num !== 'number' || !Number.isInteger(num)) vs.add(`${field}.num`, 'must be an integer');
  const interval = rate.interval;
  if (isUnset(interval)) vs.add(`${field}.interval`, MUST_BE_DEFINED);
  else if (!isDuration(interval)) vs.add(`${field}.interval`, 'must be a valid duration, e.g. "5s", "1m30s" or "250ms"');
  else if ((durationMs(interval) ?? 0) <= MIN_INTERVAL_MS) vs.add(`${field}.interval`, `must be greater than: ${MIN_INTERVAL_MS}ms`);
}

function checkHeaders(vs: Violations, field: string, headers: Record<string, unknown>): void {
  for (const k of ['set', 'add'] as const) {
    listAt(vs, `${field}.${k}`, headers[k]).forEach((h, i) => {
      if (!isObject(h) || typeof h.name !== 'string' || h.name === '') vs.add(`${field}.${k}[${i}].name`, MUST_BE_DEFINED);
    });
  }
}

function conf(vs: Violations, field: string, c: Record<string, unknown>): void {
  const path = `${field}.local`;
  if (isUnset(c.local)) {
    vs.add(path, MUST_BE_DEFINED);
    return;
  }
  const local = objectAt(vs, path, c.local);
  if (!local) return;
  if (isUnset(local.tcp) && isUnset(local.http)) vs.add(path, mustHaveAtLeastOne('tcp', 'http'));
  const http = objectAt(vs, `${path}.http`, local.http);
  if (http) {
    if (isUnset(http.disabled) && isUnset(http.requestRate) && isUnset(http.onRateLimit)) {
      vs.add(`${path}.http`, mustHaveAtLeastOne('disabled', 'requestRate', 'onRateLimit'));
    } else {
      checkBool(vs, `${path}.http.disabled`, http.disabled);
      const rate = objectAt(vs, `${path}.http.requestRate`, http.requestRate);
      if (rate) checkRate(vs, `${path}.http.requestRate`, rate);
      const on = objectAt(vs, `${path}.http.onRateLimit`, http.onRateLimit);
      if (on) {
        checkIntGreaterThanZero(vs, `${path}.http.onRateLimit.status`, on.status);
        const headers = objectAt(vs, `${path}.http.onRateLimit.headers`, on.headers);
        if (headers) checkHeaders(vs, `${path}.http.onRateLimit.headers`, headers);
      }
    }
  }
  const tcp = objectAt(vs, `${path}.tcp`, local.tcp);
  if (tcp) {
    if (isUnset(tcp.disabled) && isUnset(tcp.connectionRate)) {
      vs.add(`${path}.tcp`, mustHaveAtLeastOne('disabled', 'connectionRate'));
    } else {
      checkBool(vs, `${path}.tcp.disabled`, tcp.disabled);
      const rate = objectAt(vs, `${path}.tcp.connectionRate`, tcp.connectionRate);
      if (rate) checkRate(vs, `${path}.tcp.connectionRate`, rate);
    }
  }
}

const RATE = message({ num: VALUE, interval: VALUE });
const HEADER = message({ name: VALUE, value: VALUE });

/** Kuma meshratelimit Conf. */
const CONF_FIELDS = message({
  local: message({
    http: message({ disabled: VALUE, requestRate: RATE, onRateLimit: message({ status: VALUE, headers: message({ set: HEADER, add: HEADER }) }) }),
    tcp: message({ disabled: VALUE, connectionRate: RATE }),
  }),
});

/** common_api.IncludesGateways: the top-level targetRef selects gateways. */
function includesGateways(ref: unknown): boolean {
  if (!isObject(ref)) return false;
  return ref.kind === 'MeshGateway' || (Array.isArray(ref.proxyTypes) && ref.proxyTypes.includes('Gateway'));
}

const shape: TargetRefPolicyShape = {
  topKinds: ['Mesh', 'MeshSubset', 'MeshGateway', 'MeshService', 'MeshServiceSubset', 'MeshHTTPRoute', 'Dataplane'],
  to: { kinds: ['Mesh'], conf, fields: CONF_FIELDS },
  from: { kinds: ['Mesh'], conf, fields: CONF_FIELDS },
  rules: { conf, fields: CONF_FIELDS },
  extra: (vs, spec) => {
    const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
    const gateways = includesGateways(spec.targetRef);
    const route = isObject(spec.targetRef) && spec.targetRef.kind === 'MeshHTTPRoute';
    if ((gateways || route) && nonEmpty(spec.from)) vs.add('spec.from', MUST_NOT_BE_DEFINED);
    if (!gateways && nonEmpty(spec.to)) vs.add('spec.to', MUST_NOT_BE_DEFINED);
  },
};

export const meshRateLimit = defineTargetRefPolicy({ name: 'MeshRateLimit', path: 'meshratelimits', shortName: 'mrl' }, shape);
