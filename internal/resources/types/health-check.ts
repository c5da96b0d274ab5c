/** HealthCheck (spec kuma-api-cli.md §1.10; Kuma health_check_validator.go). */
import type { Spec } from '../model';
import { Violations, checkBool, checkPositiveDuration, checkUint32, isObject, isUnset, listAt, objectAt } from '../validation';
import { checkConnectionSelectors, confOf, legacyPolicy } from './legacy-policy';
import { protoMessage } from '../schema/field-schema';

function validate(spec: Spec) {
  const vs = new Violations();
  checkConnectionSelectors(vs, spec);
  const conf = confOf(vs, spec);
  if (!conf) return vs.list;
  checkPositiveDuration(vs, 'conf.interval', conf.interval, true);
  checkPositiveDuration(vs, 'conf.timeout', conf.timeout, true);
  for (const k of ['initialJitter', 'intervalJitter', 'noTrafficInterval']) checkPositiveDuration(vs, `conf.${k}`, conf[k]);
  checkUint32(vs, 'conf.unhealthyThreshold', conf.unhealthyThreshold, { min: 1 });
  checkUint32(vs, 'conf.healthyThreshold', conf.healthyThreshold, { min: 1 });
  checkUint32(vs, 'conf.intervalJitterPercent', conf.intervalJitterPercent, { max: 100 });
  const panic = conf.healthyPanicThreshold;
  if (!isUnset(panic) && (typeof panic !== 'number' || panic < 0 || panic > 100)) {
    vs.add('conf.healthyPanicThreshold', 'must be in range [0.0 - 100.0]');
  }
  for (const k of ['failTrafficOnPanic', 'alwaysLogHealthCheckFailures', 'reuseConnection']) checkBool(vs, `conf.${k}`, conf[k]);
  const http = objectAt(vs, 'conf.http', conf.http);
  if (http) {
    if (typeof http.path !== 'string' || http.path === '') vs.add('conf.http.path', 'has to be defined and cannot be empty');
    listAt(vs, 'conf.http.expectedStatuses', http.expectedStatuses).forEach((s, i) => {
      if (typeof s !== 'number' || s < 100 || s >= 600) vs.add(`conf.http.expectedStatuses[${i}]`, 'must be in range [100, 600)');
    });
    listAt(vs, 'conf.http.requestHeadersToAdd', http.requestHeadersToAdd).forEach((h, i) => {
      const f = `conf.http.requestHeadersToAdd[${i}].header`;
      const header = isObject(h) ? h.header : undefined;
      if (!isObject(header)) vs.add(f, 'has to be defined');
      else if (typeof header.key !== 'string' || header.key === '') vs.add(`${f}.key`, 'cannot be empty');
    });
  }
  const tcp = objectAt(vs, 'conf.tcp', conf.tcp);
  // One check talks one protocol.
  if (tcp && http) vs.add('conf', 'http and tcp cannot be defined at the same time');
  return vs.list;
}

export const healthCheck = legacyPolicy({
  fields: protoMessage('kuma.mesh.v1alpha1.HealthCheck'),
  name: 'HealthCheck',
  path: 'health-checks',
  // The kumactl argument has no hyphen, unlike the REST path (§1.2).
  cliSingular: 'healthcheck',
  cliPlural: 'healthchecks',
  validate,
});
