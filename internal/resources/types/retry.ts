/** Retry (spec kuma-api-cli.md §1.10; Kuma retry_validator.go). */
import type { Spec } from '../model';
import { Violations, checkEnum, checkPositiveDuration, checkUint32, isUnset, listAt, objectAt } from '../validation';
import { checkConnectionSelectors, confOf, legacyPolicy } from './legacy-policy';
import { protoMessage } from '../schema/field-schema';

const HTTP_RETRY_ON = [
  'all_5xx',
  'gateway_error',
  'reset',
  'connect_failure',
  'envoy_ratelimited',
  'retriable_4xx',
  'refused_stream',
  'retriable_status_codes',
  'retriable_headers',
  'http3_post_connect_failure',
];
const GRPC_RETRY_ON = ['cancelled', 'deadline_exceeded', 'internal', 'resource_exhausted', 'unavailable'];
const HTTP_METHODS = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'];

function checkBackOff(vs: Violations, field: string, v: unknown): void {
  const b = objectAt(vs, field, v);
  if (!b) return;
  if (isUnset(b.baseInterval)) vs.add(`${field}.baseInterval`, 'has to be defined');
  else checkPositiveDuration(vs, `${field}.baseInterval`, b.baseInterval);
  checkPositiveDuration(vs, `${field}.maxInterval`, b.maxInterval);
}

function checkSection(vs: Violations, field: string, v: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  const o = objectAt(vs, field, v);
  if (!o) return undefined;
  if (keys.every((k) => isUnset(o[k]))) vs.add(field, 'field cannot be empty');
  checkUint32(vs, `${field}.numRetries`, o.numRetries, { min: 1 });
  checkPositiveDuration(vs, `${field}.perTryTimeout`, o.perTryTimeout);
  checkBackOff(vs, `${field}.backOff`, o.backOff);
  return o;
}

function validate(spec: Spec) {
  const vs = new Violations();
  checkConnectionSelectors(vs, spec);
  const conf = confOf(vs, spec);
  if (!conf) return vs.list;
  if (isUnset(conf.http) && isUnset(conf.grpc) && isUnset(conf.tcp)) {
    vs.add('conf', 'missing protocol [grpc|http|tcp] configuration');
    return vs.list;
  }
  const http = checkSection(vs, 'conf.http', conf.http, ['numRetries', 'perTryTimeout', 'backOff', 'retriableStatusCodes', 'retriableMethods', 'retryOn']);
  if (http) {
    const codes = listAt(vs, 'conf.http.retriableStatusCodes', http.retriableStatusCodes);
    codes.forEach((c, i) => checkUint32(vs, `conf.http.retriableStatusCodes[${i}]`, c, { min: 100, max: 599 }));
    listAt(vs, 'conf.http.retriableMethods', http.retriableMethods).forEach((m, i) => checkEnum(vs, `conf.http.retriableMethods[${i}]`, m, HTTP_METHODS));
    listAt(vs, 'conf.http.retryOn', http.retryOn).forEach((r, i) => {
      const f = `conf.http.retryOn[${i}]`;
      checkEnum(vs, f, r, HTTP_RETRY_ON);
      // retriable_status_codes retries on the listed codes, so there must be some.
      if (r === 'retriable_status_codes' && codes.length === 0) {
        vs.add(f, 'retriableStatusCodes cannot be empty when this option is specified');
      }
    });
  }
  const grpc = checkSection(vs, 'conf.grpc', conf.grpc, ['numRetries', 'perTryTimeout', 'backOff', 'retryOn']);
  if (grpc) {
    const seen = new Map<string, number[]>();
    listAt(vs, 'conf.grpc.retryOn', grpc.retryOn).forEach((r, i) => {
      checkEnum(vs, `conf.grpc.retryOn[${i}]`, r, GRPC_RETRY_ON);
      seen.set(String(r), [...(seen.get(String(r)) ?? []), i]);
    });
    for (const [value, idx] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
      if (idx.length > 1) vs.add('conf.grpc.retryOn', `repeated value "${value}" at indexes [${idx.join(', ')}]`);
    }
  }
  const tcp = objectAt(vs, 'conf.tcp', conf.tcp);
  if (tcp) {
    if (typeof tcp.maxConnectAttempts !== 'number' || tcp.maxConnectAttempts <= 0) vs.add('conf.tcp.maxConnectAttempts', 'has to be greater than 0');
    else checkUint32(vs, 'conf.tcp.maxConnectAttempts', tcp.maxConnectAttempts);
  }
  return vs.list;
}

export const retry = legacyPolicy({
  fields: protoMessage('kuma.mesh.v1alpha1.Retry'),
  name: 'Retry',
  path: 'retries',
  cliSingular: 'retry',
  cliPlural: 'retries',
  pluralDisplayName: 'Retries',
  validate,
});
