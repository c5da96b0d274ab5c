/**
 * RateLimit, the legacy selector policy (spec kuma-api-cli.md §1.10; Kuma rate_limit_validator.go):
 * sources and destinations of at least one tag each, a `conf`, and for `conf.http` the number of
 * `requests` per `interval` and optional onRateLimit headers with a key and a value each.
 */
import type { Spec } from '../model';
import { Violations, checkPositiveDuration, checkSelectors, isObject, isUnset } from '../validation';
import { legacyPolicy } from './legacy-policy';
import { protoMessage } from '../schema/field-schema';

function validate(spec: Spec) {
  const vs = new Violations();
  checkSelectors(vs, 'sources', spec.sources, { required: true });
  checkSelectors(vs, 'destinations', spec.destinations, { required: true });
  if (!isObject(spec.conf)) {
    vs.add('conf', 'must have conf');
    return vs.list;
  }
  const http = spec.conf.http;
  if (isUnset(http)) return vs.list;
  if (!isObject(http)) {
    vs.add('conf.http', 'must be an object');
    return vs.list;
  }
  if (isUnset(http.requests)) vs.add('conf.http.requests', 'requests must be set');
  else if (typeof http.requests !== 'number' || !Number.isInteger(http.requests) || http.requests < 1) vs.add('conf.http.requests', 'must be a whole number of at least 1');
  // Kuma does not check it, but Envoy refuses a token bucket without a fill interval.
  checkPositiveDuration(vs, 'conf.http.interval', http.interval, true);
  const on = http.onRateLimit;
  if (isObject(on) && Array.isArray(on.headers)) {
    on.headers.forEach((h, i) => {
      const o = isObject(h) ? h : {};
      if (typeof o.key !== 'string' || o.key === '') vs.add(`conf.http.onRateLimit.header[${i}]`, 'key must be set');
      if (typeof o.value !== 'string' || o.value === '') vs.add(`conf.http.onRateLimit.header[${i}]`, 'value must be set');
    });
  }
  return vs.list;
}

export const rateLimit = legacyPolicy({
  fields: protoMessage('kuma.mesh.v1alpha1.RateLimit'),
  name: 'RateLimit',
  path: 'rate-limits',
  cliSingular: 'rate-limit',
  cliPlural: 'rate-limits',
  validate,
});
