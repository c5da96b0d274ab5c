/**
 * FaultInjection, the legacy selector policy (spec kuma-api-cli.md §1.10; Kuma
 * fault_injection_validator.go): sources and destinations of at least one tag each, destinations
 * only of an HTTP family protocol, and at least one of delay, abort, responseBandwidth.
 */
import type { Spec } from '../model';
import { Violations, checkPositiveDuration, checkSelectors, isObject, isUnset } from '../validation';
import { confOf, legacyPolicy } from './legacy-policy';
import { protoMessage } from '../schema/field-schema';

const HTTP_PROTOCOLS = ['http', 'http2', 'grpc'];

function checkPercentage(vs: Violations, field: string, v: unknown): void {
  if (isUnset(v)) vs.add(`${field}.percentage`, 'cannot be empty');
  else if (typeof v !== 'number' || v < 0 || v > 100) vs.add(`${field}.percentage`, 'has to be in [0.0 - 100.0] range');
}

function validate(spec: Spec) {
  const vs = new Violations();
  checkSelectors(vs, 'sources', spec.sources, { required: true });
  checkSelectors(vs, 'destinations', spec.destinations, { required: true });
  if (Array.isArray(spec.destinations)) {
    spec.destinations.forEach((d, i) => {
      const p = isObject(d) && isObject(d.match) ? d.match['kuma.io/protocol'] : undefined;
      if (typeof p === 'string' && p !== '*' && !HTTP_PROTOCOLS.includes(p)) {
        vs.add(`destinations[${i}].match["kuma.io/protocol"]`, `must be one of the [${HTTP_PROTOCOLS.join(', ')}]`);
      }
    });
  }
  const conf = confOf(vs, spec);
  if (!conf) return vs.list;
  const present = (k: string) => isObject(conf[k]) && Object.keys(conf[k] as object).length > 0;
  if (!present('delay') && !present('abort') && !present('responseBandwidth')) vs.add('conf', 'must have at least one of the faults configured');
  if (present('delay')) {
    const d = conf.delay as Record<string, unknown>;
    checkPercentage(vs, 'conf.delay', d.percentage);
    if (isUnset(d.value)) vs.add('conf.delay.value', 'cannot be empty');
    else checkPositiveDuration(vs, 'conf.delay.value', d.value);
  }
  if (present('abort')) {
    const a = conf.abort as Record<string, unknown>;
    checkPercentage(vs, 'conf.abort', a.percentage);
    if (isUnset(a.httpStatus)) vs.add('conf.abort.httpStatus', 'cannot be empty');
    else if (typeof a.httpStatus !== 'number' || !Number.isInteger(a.httpStatus) || a.httpStatus < 100 || a.httpStatus > 599) vs.add('conf.abort.httpStatus', 'http status code is incorrect');
  }
  if (present('responseBandwidth')) {
    const b = conf.responseBandwidth as Record<string, unknown>;
    checkPercentage(vs, 'conf.responseBandwidth', b.percentage);
    if (isUnset(b.limit)) vs.add('conf.responseBandwidth.limit', 'cannot be empty');
    else if (typeof b.limit !== 'string' || !/^\d+\s?[GMk]?bps$/.test(b.limit)) vs.add('conf.responseBandwidth.limit', 'has to be in kbps/Mbps/Gbps units, e.g. "50kbps"');
  }
  return vs.list;
}

export const faultInjection = legacyPolicy({
  fields: protoMessage('kuma.mesh.v1alpha1.FaultInjection'),
  name: 'FaultInjection',
  path: 'fault-injections',
  cliSingular: 'fault-injection',
  cliPlural: 'fault-injections',
  validate,
});
