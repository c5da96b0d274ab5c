/** MeshHealthCheck (spec kuma-api-cli.md §1.11; Kuma meshhealthcheck validator.go): `to` only. */
import {
  MUST_BE_DEFINED,
  type Violations,
  checkBool,
  checkDecimalPercentage,
  checkDurationGreaterThanZero,
  checkIntPercentage,
  checkString,
  isUnset,
  listAt,
  mustHaveAtLeastOne,
  objectAt,
} from '../validation';
import { type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';
import { VALUE, message } from '../schema/field-schema';

const DURATIONS = ['interval', 'timeout', 'initialJitter', 'intervalJitter', 'noTrafficInterval'] as const;

/** ValidateValueGreaterThanZeroOrNil. */
function checkThreshold(vs: Violations, field: string, v: unknown): void {
  if (isUnset(v)) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) vs.add(field, 'must be greater than zero when defined');
}

function conf(vs: Violations, field: string, c: Record<string, unknown>): void {
  for (const k of DURATIONS) checkDurationGreaterThanZero(vs, `${field}.${k}`, c[k]);
  checkThreshold(vs, `${field}.unhealthyThreshold`, c.unhealthyThreshold);
  checkThreshold(vs, `${field}.healthyThreshold`, c.healthyThreshold);
  checkIntPercentage(vs, `${field}.intervalJitterPercent`, c.intervalJitterPercent);
  checkDecimalPercentage(vs, `${field}.healthyPanicThreshold`, c.healthyPanicThreshold);
  checkBool(vs, `${field}.failTrafficOnPanic`, c.failTrafficOnPanic);
  checkBool(vs, `${field}.alwaysLogHealthCheckFailures`, c.alwaysLogHealthCheckFailures);
  checkBool(vs, `${field}.reuseConnection`, c.reuseConnection);
  checkString(vs, `${field}.eventLogPath`, c.eventLogPath);
  const http = objectAt(vs, `${field}.http`, c.http);
  if (http) {
    checkBool(vs, `${field}.http.disabled`, http.disabled);
    if (http.path !== undefined && (typeof http.path !== 'string' || http.path === '')) vs.add(`${field}.http.path`, MUST_BE_DEFINED);
    listAt(vs, `${field}.http.expectedStatuses`, http.expectedStatuses).forEach((s, i) => {
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 100 || s >= 600) {
        vs.add(`${field}.http.expectedStatuses[${i}]`, 'must be in inclusive range [100, 599]');
      }
    });
  }
  const tcp = objectAt(vs, `${field}.tcp`, c.tcp);
  if (tcp) checkBool(vs, `${field}.tcp.disabled`, tcp.disabled);
  const grpc = objectAt(vs, `${field}.grpc`, c.grpc);
  if (grpc) checkBool(vs, `${field}.grpc.disabled`, grpc.disabled);
  // Some protocol section says what the check does.
  if (isUnset(c.http) && isUnset(c.tcp) && isUnset(c.grpc)) vs.add(field, mustHaveAtLeastOne('http', 'tcp', 'grpc'));
}

/** Kuma meshhealthcheck Conf. */
const HEADER_KEY_VALUE = message({ name: VALUE, value: VALUE });
const CONF_FIELDS = message({
  interval: VALUE,
  unhealthyInterval: VALUE,
  timeout: VALUE,
  unhealthyThreshold: VALUE,
  healthyThreshold: VALUE,
  initialJitter: VALUE,
  intervalJitter: VALUE,
  intervalJitterPercent: VALUE,
  healthyPanicThreshold: VALUE,
  failTrafficOnPanic: VALUE,
  eventLogPath: VALUE,
  alwaysLogHealthCheckFailures: VALUE,
  noTrafficInterval: VALUE,
  reuseConnection: VALUE,
  tcp: message({ disabled: VALUE, send: VALUE, receive: VALUE }),
  http: message({ disabled: VALUE, path: VALUE, requestHeadersToAdd: message({ set: HEADER_KEY_VALUE, add: HEADER_KEY_VALUE }), expectedStatuses: VALUE }),
  grpc: message({ disabled: VALUE, serviceName: VALUE, authority: VALUE }),
});

const shape: TargetRefPolicyShape = {
  topKinds: ['Mesh', 'MeshSubset', 'MeshGateway', 'MeshService', 'MeshServiceSubset', 'Dataplane'],
  to: { kinds: ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService'], conf, fields: CONF_FIELDS },
};

export const meshHealthCheck = defineTargetRefPolicy({ name: 'MeshHealthCheck', path: 'meshhealthchecks', shortName: 'mhc' }, shape);
