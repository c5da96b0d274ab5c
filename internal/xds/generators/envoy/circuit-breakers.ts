/**
 * Circuit breaking and outlier detection of an outbound cluster (spec kuma-kds-xds.md §3.7; Kuma
 * meshcircuitbreaker/plugin/xds/configurer.go and the legacy CircuitBreaker configurers).
 *
 * Outlier detection starts with every detector's enforcement at 0 (Envoy would otherwise enforce
 * consecutive 5xx by default) and turns on, at 100 %, only the detectors the policy names.
 */
import type { CircuitBreakers } from '../../../../proto/gen/envoy/config/cluster/v3/circuit_breaker';
import type { OutlierDetection } from '../../../../proto/gen/envoy/config/cluster/v3/outlier_detection';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { ProxyPolicies } from '../../policies/proxy-policies';
import { type Obj, boolAt, duration, field, msAt, numberAt, objAt, uintAt } from './values';

export interface CircuitBreaking {
  circuitBreakers?: DeepPartial<CircuitBreakers>;
  outlierDetection?: DeepPartial<OutlierDetection>;
  /** common_lb_config.healthy_panic_threshold, percent. */
  healthyPanicThreshold?: number;
}

const ENFORCE = 100;

function thresholds(limits: Obj | undefined, names: Record<string, string>): DeepPartial<CircuitBreakers> | undefined {
  if (!limits) return undefined;
  const t: Record<string, number> = {};
  for (const [from, to] of Object.entries(names)) {
    const v = uintAt(limits, from);
    if (v !== undefined) t[to] = v;
  }
  return Object.keys(t).length > 0 ? { thresholds: [t] } : undefined;
}

function disabledDetectors(): DeepPartial<OutlierDetection> {
  return {
    enforcingConsecutive5xx: 0,
    enforcingConsecutiveGatewayFailure: 0,
    enforcingConsecutiveLocalOriginFailure: 0,
    enforcingSuccessRate: 0,
    enforcingFailurePercentage: 0,
  };
}

function common(od: DeepPartial<OutlierDetection>, conf: Obj): void {
  const interval = msAt(conf, 'interval');
  if (interval) od.interval = duration(interval);
  const base = msAt(conf, 'baseEjectionTime');
  if (base) od.baseEjectionTime = duration(base);
  const maxPercent = uintAt(conf, 'maxEjectionPercent');
  if (maxPercent !== undefined) od.maxEjectionPercent = Math.min(maxPercent, 100);
  if (boolAt(conf, 'splitExternalAndLocalErrors')) od.splitExternalLocalOriginErrors = true;
}

function consecutive(od: DeepPartial<OutlierDetection>, det: Obj | undefined, count: 'consecutive5xx' | 'consecutiveGatewayFailure' | 'consecutiveLocalOriginFailure'): void {
  if (!det) return;
  const enforcing = ({
    consecutive5xx: 'enforcingConsecutive5xx',
    consecutiveGatewayFailure: 'enforcingConsecutiveGatewayFailure',
    consecutiveLocalOriginFailure: 'enforcingConsecutiveLocalOriginFailure',
  } as const)[count];
  od[enforcing] = ENFORCE;
  const n = uintAt(det, 'consecutive');
  if (n !== undefined) od[count] = n;
}

function successRate(od: DeepPartial<OutlierDetection>, det: Obj | undefined, factorField: string): void {
  if (!det) return;
  od.enforcingSuccessRate = ENFORCE;
  const hosts = uintAt(det, 'minimumHosts');
  if (hosts !== undefined) od.successRateMinimumHosts = hosts;
  const volume = uintAt(det, 'requestVolume');
  if (volume !== undefined) od.successRateRequestVolume = volume;
  // Envoy wants the factor multiplied by 1000 (1.9 -> 1900).
  const factor = numberAt(det, factorField);
  if (factor !== undefined && factor >= 0) od.successRateStdevFactor = Math.round(factor * 1000);
}

function failurePercentage(od: DeepPartial<OutlierDetection>, det: Obj | undefined): void {
  if (!det) return;
  od.enforcingFailurePercentage = ENFORCE;
  const hosts = uintAt(det, 'minimumHosts');
  if (hosts !== undefined) od.failurePercentageMinimumHosts = hosts;
  const volume = uintAt(det, 'requestVolume');
  if (volume !== undefined) od.failurePercentageRequestVolume = volume;
  const threshold = uintAt(det, 'threshold');
  if (threshold !== undefined) od.failurePercentageThreshold = Math.min(threshold, 100);
}

/** MeshCircuitBreaker `default` conf. */
export function fromMeshCircuitBreaker(conf: Obj): CircuitBreaking {
  const out: CircuitBreaking = {};
  const cb = thresholds(objAt(conf, 'connectionLimits'), {
    maxConnections: 'maxConnections',
    maxConnectionPools: 'maxConnectionPools',
    maxPendingRequests: 'maxPendingRequests',
    maxRequests: 'maxRequests',
    maxRetries: 'maxRetries',
  });
  if (cb) out.circuitBreakers = cb;
  const outlier = objAt(conf, 'outlierDetection');
  if (outlier && boolAt(outlier, 'disabled') !== true) {
    const od = disabledDetectors();
    common(od, outlier);
    const detectors = objAt(outlier, 'detectors');
    consecutive(od, objAt(detectors, 'totalFailures'), 'consecutive5xx');
    consecutive(od, objAt(detectors, 'gatewayFailures'), 'consecutiveGatewayFailure');
    consecutive(od, objAt(detectors, 'localOriginFailures'), 'consecutiveLocalOriginFailure');
    successRate(od, objAt(detectors, 'successRate'), 'standardDeviationFactor');
    failurePercentage(od, objAt(detectors, 'failurePercentage'));
    out.outlierDetection = od;
    const panic = numberAt(outlier, 'healthyPanicThreshold');
    if (panic !== undefined) out.healthyPanicThreshold = panic;
  }
  return out;
}

/** Legacy CircuitBreaker `conf`. */
export function fromLegacyCircuitBreaker(conf: unknown): CircuitBreaking {
  const out: CircuitBreaking = {};
  const cb = thresholds(objAt(conf, 'thresholds'), {
    maxConnections: 'maxConnections',
    maxPendingRequests: 'maxPendingRequests',
    maxRequests: 'maxRequests',
    maxRetries: 'maxRetries',
  });
  if (cb) out.circuitBreakers = cb;
  const od = disabledDetectors();
  common(od, conf as Obj);
  const detectors = objAt(conf, 'detectors');
  consecutive(od, objAt(detectors, 'totalErrors'), 'consecutive5xx');
  consecutive(od, objAt(detectors, 'gatewayErrors'), 'consecutiveGatewayFailure');
  consecutive(od, objAt(detectors, 'localErrors'), 'consecutiveLocalOriginFailure');
  successRate(od, objAt(detectors, 'standardDeviation'), 'factor');
  failurePercentage(od, objAt(detectors, 'failure'));
  out.outlierDetection = od;
  return out;
}

/** Circuit breaking of traffic from this proxy to `service`. */
export function outboundCircuitBreaking(pp: ProxyPolicies, service: string): CircuitBreaking {
  const conf = pp.to('MeshCircuitBreaker', service);
  if (conf) return fromMeshCircuitBreaker(conf);
  const legacy = pp.legacy('CircuitBreaker').select({ 'kuma.io/service': service });
  return legacy ? fromLegacyCircuitBreaker(field(legacy.spec, 'conf')) : {};
}
