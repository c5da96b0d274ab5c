/** MeshCircuitBreaker (spec kuma-api-cli.md §1.11; Kuma meshcircuitbreaker validator.go): `to` + `from` + `rules`. */
import {
  MUST_BE_DEFINED,
  type Violations,
  checkBool,
  checkDecimalPercentage,
  checkDurationGreaterThanZero,
  checkIntGreaterThanZero,
  checkIntPercentage,
  isUnset,
  mustHaveAtLeastOne,
  objectAt,
} from '../validation';
import { type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';
import { VALUE, message } from '../schema/field-schema';

const LIMITS = ['maxConnections', 'maxConnectionPools', 'maxPendingRequests', 'maxRetries', 'maxRequests'] as const;
const DETECTORS = ['totalFailures', 'gatewayFailures', 'localOriginFailures', 'successRate', 'failurePercentage'] as const;

function checkDetectors(vs: Violations, field: string, v: unknown): void {
  const d = objectAt(vs, field, v);
  if (!d) return;
  if (DETECTORS.every((k) => isUnset(d[k]))) {
    vs.add(field, mustHaveAtLeastOne(...DETECTORS));
    return;
  }
  for (const k of ['totalFailures', 'gatewayFailures', 'localOriginFailures'] as const) {
    const det = objectAt(vs, `${field}.${k}`, d[k]);
    if (det) checkIntGreaterThanZero(vs, `${field}.${k}.consecutive`, det.consecutive);
  }
  const sr = objectAt(vs, `${field}.successRate`, d.successRate);
  if (sr) {
    checkIntGreaterThanZero(vs, `${field}.successRate.minimumHosts`, sr.minimumHosts);
    checkIntGreaterThanZero(vs, `${field}.successRate.requestVolume`, sr.requestVolume);
    const f = sr.standardDeviationFactor;
    if (!isUnset(f)) {
      const n = typeof f === 'number' ? f : typeof f === 'string' && /^-?\d+(\.\d+)?$/.test(f) ? Number(f) : NaN;
      if (Number.isNaN(n)) vs.add(`${field}.successRate.standardDeviationFactor`, 'invalid number');
      else if (n <= 0) vs.add(`${field}.successRate.standardDeviationFactor`, 'must be greater than 0');
    }
  }
  const fp = objectAt(vs, `${field}.failurePercentage`, d.failurePercentage);
  if (fp) {
    checkIntGreaterThanZero(vs, `${field}.failurePercentage.minimumHosts`, fp.minimumHosts);
    checkIntGreaterThanZero(vs, `${field}.failurePercentage.requestVolume`, fp.requestVolume);
    checkIntPercentage(vs, `${field}.failurePercentage.threshold`, fp.threshold);
  }
}

function conf(vs: Violations, field: string, c: Record<string, unknown>): void {
  if (isUnset(c.connectionLimits) && isUnset(c.outlierDetection)) {
    vs.add(field, "at least one of: 'connectionLimits' or 'outlierDetection' should be configured");
    return;
  }
  const limits = objectAt(vs, `${field}.connectionLimits`, c.connectionLimits);
  if (limits) for (const k of LIMITS) checkIntGreaterThanZero(vs, `${field}.connectionLimits.${k}`, limits[k]);
  const od = objectAt(vs, `${field}.outlierDetection`, c.outlierDetection);
  if (!od) return;
  const f = `${field}.outlierDetection`;
  checkBool(vs, `${f}.disabled`, od.disabled);
  checkDurationGreaterThanZero(vs, `${f}.interval`, od.interval);
  checkDurationGreaterThanZero(vs, `${f}.baseEjectionTime`, od.baseEjectionTime);
  checkIntPercentage(vs, `${f}.maxEjectionPercent`, od.maxEjectionPercent);
  checkBool(vs, `${f}.splitExternalAndLocalErrors`, od.splitExternalAndLocalErrors);
  checkDecimalPercentage(vs, `${f}.healthyPanicThreshold`, od.healthyPanicThreshold);
  // Detectors are what outlier detection runs on; a disabled section needs none.
  if (isUnset(od.detectors)) {
    if (od.disabled !== true) vs.add(`${f}.detectors`, MUST_BE_DEFINED);
  } else {
    checkDetectors(vs, `${f}.detectors`, od.detectors);
  }
}

/** Kuma meshcircuitbreaker Conf. */
const CONSECUTIVE = message({ consecutive: VALUE });
const CONF_FIELDS = message({
  connectionLimits: message({ maxConnections: VALUE, maxConnectionPools: VALUE, maxPendingRequests: VALUE, maxRetries: VALUE, maxRequests: VALUE }),
  outlierDetection: message({
    disabled: VALUE,
    interval: VALUE,
    baseEjectionTime: VALUE,
    maxEjectionPercent: VALUE,
    splitExternalAndLocalErrors: VALUE,
    healthyPanicThreshold: VALUE,
    detectors: message({
      totalFailures: CONSECUTIVE,
      gatewayFailures: CONSECUTIVE,
      localOriginFailures: CONSECUTIVE,
      successRate: message({ minimumHosts: VALUE, requestVolume: VALUE, standardDeviationFactor: VALUE }),
      failurePercentage: message({ minimumHosts: VALUE, requestVolume: VALUE, threshold: VALUE }),
    }),
  }),
});

const shape: TargetRefPolicyShape = {
  topKinds: ['Mesh', 'MeshSubset', 'MeshService', 'MeshGateway', 'MeshServiceSubset', 'Dataplane'],
  to: { kinds: ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService'], conf, fields: CONF_FIELDS },
  from: { kinds: ['Mesh'], conf, fields: CONF_FIELDS },
  rules: { conf, fields: CONF_FIELDS },
};

export const meshCircuitBreaker = defineTargetRefPolicy({ name: 'MeshCircuitBreaker', path: 'meshcircuitbreakers', shortName: 'mcb' }, shape);
