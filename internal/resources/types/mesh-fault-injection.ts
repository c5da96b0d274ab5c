/**
 * MeshFaultInjection (spec kuma-api-cli.md §1.11; Kuma 2.14 meshfaultinjection validator.go):
 * `from` + `rules` (with SPIFFE `matches`) for sidecars, `to` only under a MeshGateway.
 */
import { MUST_BE_DEFINED, MUST_NOT_BE_DEFINED, type Violations, checkDecimalPercentage, checkDurationGreaterThanZero, isObject, isUnset, listAt, objectAt } from '../validation';
import { type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';
import { VALUE, message } from '../schema/field-schema';
import { MATCH } from '../schema/target-ref-fields';
import { checkSpiffeMatches } from './spiffe-matches';

/** A bandwidth with its unit, as Kuma accepts it ("50Mbps", "1 Gbps", "100kbps"). */
export const BANDWIDTH_RE = /^(\d+)\s?([GMk])bps$/;

function checkStatusCode(vs: Violations, field: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 100 || v >= 600) vs.add(field, 'must be in inclusive range [100, 599]');
}

function conf(vs: Violations, field: string, c: Record<string, unknown>): void {
  listAt(vs, `${field}.http`, c.http).forEach((fault, i) => {
    const f = `${field}.http[${i}]`;
    if (!isObject(fault)) {
      vs.add(f, 'must be an object');
      return;
    }
    const abort = objectAt(vs, `${f}.abort`, fault.abort);
    if (abort) {
      checkStatusCode(vs, `${f}.abort.httpStatus`, abort.httpStatus);
      checkDecimalPercentage(vs, `${f}.abort.percentage`, abort.percentage, { required: true });
    }
    const delay = objectAt(vs, `${f}.delay`, fault.delay);
    if (delay) {
      // Envoy's fixed_delay must be > 0, so a zero delay is refused here rather than NACKed.
      if (isUnset(delay.value)) vs.add(`${f}.delay.value`, MUST_BE_DEFINED);
      else checkDurationGreaterThanZero(vs, `${f}.delay.value`, delay.value);
      checkDecimalPercentage(vs, `${f}.delay.percentage`, delay.percentage, { required: true });
    }
    const bw = objectAt(vs, `${f}.responseBandwidth`, fault.responseBandwidth);
    if (bw) {
      if (isUnset(bw.limit) || bw.limit === '') vs.add(`${f}.responseBandwidth.limit`, MUST_BE_DEFINED);
      else if (typeof bw.limit !== 'string' || !BANDWIDTH_RE.test(bw.limit)) vs.add(`${f}.responseBandwidth.limit`, 'must be in kbps/Mbps/Gbps units');
      checkDecimalPercentage(vs, `${f}.responseBandwidth.percentage`, bw.percentage, { required: true });
    }
  });
}

/** Kuma meshfaultinjection Conf. */
const CONF_FIELDS = message({
  http: message({
    abort: message({ httpStatus: VALUE, percentage: VALUE }),
    delay: message({ value: VALUE, percentage: VALUE }),
    responseBandwidth: message({ limit: VALUE, percentage: VALUE }),
  }),
});

const shape: TargetRefPolicyShape = {
  topKinds: ['Mesh', 'MeshSubset', 'MeshGateway', 'MeshService', 'MeshServiceSubset', 'Dataplane'],
  to: { kinds: ['Mesh'], conf, fields: CONF_FIELDS },
  from: { kinds: ['Mesh', 'MeshSubset', 'MeshServiceSubset', 'MeshService'], conf, fields: CONF_FIELDS },
  rules: { conf, fields: CONF_FIELDS, item: { matches: MATCH } },
  extra: (vs, spec) => {
    // A gateway only has outbound (to) traffic; a sidecar's faults are injected on its inbounds.
    const gateway = isObject(spec.targetRef) && spec.targetRef.kind === 'MeshGateway';
    const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
    if (gateway && nonEmpty(spec.from)) vs.add('spec.from', MUST_NOT_BE_DEFINED);
    if (!gateway && nonEmpty(spec.to)) vs.add('spec.to', MUST_NOT_BE_DEFINED);
    if (Array.isArray(spec.rules)) spec.rules.forEach((r, i) => isObject(r) && checkSpiffeMatches(vs, `spec.rules[${i}].matches`, r.matches));
  },
};

export const meshFaultInjection = defineTargetRefPolicy({ name: 'MeshFaultInjection', path: 'meshfaultinjections', shortName: 'mfi' }, shape);
