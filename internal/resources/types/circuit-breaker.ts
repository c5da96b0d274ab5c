/** CircuitBreaker (spec kuma-api-cli.md §1.10; Kuma circuit_breaker_validator.go). */
import type { Spec } from '../model';
import { Violations, checkBool, checkDurationIfSet, checkUint32, isObject, isUnset, objectAt } from '../validation';
import { checkConnectionSelectors, legacyPolicy } from './legacy-policy';
import { protoMessage } from '../schema/field-schema';

const DETECTORS = ['totalErrors', 'gatewayErrors', 'localErrors', 'standardDeviation', 'failure'] as const;
const THRESHOLDS = ['maxConnections', 'maxPendingRequests', 'maxRetries', 'maxRequests'] as const;
const PERCENT_MSG = 'has to be in [0.0 - 100.0] range';

function someSet(o: Record<string, unknown> | undefined, keys: readonly string[]): boolean {
  return !!o && keys.some((k) => !isUnset(o[k]));
}

function checkPercent(vs: Violations, field: string, v: unknown): void {
  if (isUnset(v)) return;
  if (typeof v !== 'number' || v < 0 || v > 100) vs.add(field, PERCENT_MSG);
}

function validate(spec: Spec) {
  const vs = new Violations();
  checkConnectionSelectors(vs, spec);
  const conf = isObject(spec.conf) ? spec.conf : undefined;
  const detectors = conf ? objectAt(vs, 'conf.detectors', conf.detectors) : undefined;
  const thresholds = conf ? objectAt(vs, 'conf.thresholds', conf.thresholds) : undefined;
  // A breaker with neither detectors nor thresholds never trips.
  if (!someSet(detectors, DETECTORS) && !someSet(thresholds, THRESHOLDS)) {
    vs.add('conf', 'must have at least one of the detector or threshold configured');
    return vs.list;
  }
  if (detectors && !someSet(detectors, DETECTORS)) vs.add('conf.detectors', "can't be empty");
  if (thresholds && !someSet(thresholds, THRESHOLDS)) vs.add('conf.thresholds', "can't be empty");
  checkDurationIfSet(vs, 'conf.interval', conf!.interval);
  checkDurationIfSet(vs, 'conf.baseEjectionTime', conf!.baseEjectionTime);
  checkPercent(vs, 'conf.maxEjectionPercent', conf!.maxEjectionPercent);
  checkBool(vs, 'conf.splitExternalAndLocalErrors', conf!.splitExternalAndLocalErrors);
  if (detectors) {
    for (const d of DETECTORS) {
      const det = objectAt(vs, `conf.detectors.${d}`, detectors[d]);
      if (!det) continue;
      for (const [k, v] of Object.entries(det)) {
        if (k === 'factor') continue;
        if (d === 'failure' && k === 'threshold') checkPercent(vs, `conf.detectors.failure.threshold`, v);
        else checkUint32(vs, `conf.detectors.${d}.${k}`, v);
      }
    }
  }
  if (thresholds) for (const t of THRESHOLDS) checkUint32(vs, `conf.thresholds.${t}`, thresholds[t]);
  return vs.list;
}

export const circuitBreaker = legacyPolicy({
  fields: protoMessage('kuma.mesh.v1alpha1.CircuitBreaker'),
  name: 'CircuitBreaker',
  path: 'circuit-breakers',
  cliSingular: 'circuit-breaker',
  cliPlural: 'circuit-breakers',
  validate,
});
