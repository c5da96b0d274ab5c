/**
 * Active health checks of an outbound cluster (spec kuma-kds-xds.md §3.7; Kuma
 * meshhealthcheck/plugin/xds/configurer.go and the legacy HealthCheck configurer).
 *
 * MeshHealthCheck picks the checker by the destination protocol: http/http2 -> HTTP check when
 * `http` is given and not disabled, grpc -> gRPC check, tcp -> TCP check; an HTTP/gRPC service whose
 * check is disabled falls back to `tcp` when that is given. Nothing applicable = no check.
 * A legacy HealthCheck is an HTTP check when it has `http` and the service speaks HTTP, else TCP.
 */
import type { HealthCheck, HealthCheck_Payload } from '../../../../proto/gen/envoy/config/core/v3/health_check';
import { HeaderValueOption_HeaderAppendAction } from '../../../../proto/gen/envoy/config/core/v3/base';
import { CodecClientType } from '../../../../proto/gen/envoy/type/v3/http';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { ProxyPolicies } from '../../policies/proxy-policies';
import { type Obj, SECOND_MS, MINUTE_MS, boolAt, duration, field, listAt, msAt, numberAt, objAt, strAt, uintAt } from './values';

export interface HealthChecking {
  healthChecks: DeepPartial<HealthCheck>[];
  healthyPanicThreshold?: number;
  failTrafficOnPanic?: boolean;
}

// MeshHealthCheck API defaults (kubebuilder defaults of the Kuma CRD).
const MHC_INTERVAL_MS = MINUTE_MS;
const MHC_TIMEOUT_MS = 15 * SECOND_MS;
const MHC_UNHEALTHY = 5;
const MHC_HEALTHY = 1;

function base(conf: Obj, defaults: { intervalMs: number; timeoutMs: number; unhealthy: number; healthy: number }): DeepPartial<HealthCheck> {
  const hc: DeepPartial<HealthCheck> = {
    interval: duration(msAt(conf, 'interval') || defaults.intervalMs),
    timeout: duration(msAt(conf, 'timeout') || defaults.timeoutMs),
    unhealthyThreshold: uintAt(conf, 'unhealthyThreshold') || defaults.unhealthy,
    healthyThreshold: uintAt(conf, 'healthyThreshold') || defaults.healthy,
  };
  const initialJitter = msAt(conf, 'initialJitter');
  if (initialJitter) hc.initialJitter = duration(initialJitter);
  const intervalJitter = msAt(conf, 'intervalJitter');
  if (intervalJitter) hc.intervalJitter = duration(intervalJitter);
  const jitterPercent = uintAt(conf, 'intervalJitterPercent');
  if (jitterPercent) hc.intervalJitterPercent = jitterPercent;
  const eventLogPath = strAt(conf, 'eventLogPath');
  if (eventLogPath) hc.eventLogPath = eventLogPath;
  if (boolAt(conf, 'alwaysLogHealthCheckFailures')) hc.alwaysLogHealthCheckFailures = true;
  const noTraffic = msAt(conf, 'noTrafficInterval');
  if (noTraffic) hc.noTrafficInterval = duration(noTraffic);
  const reuse = boolAt(conf, 'reuseConnection');
  if (reuse !== undefined) hc.reuseConnection = reuse;
  return hc;
}

function expectedStatuses(http: Obj): { start: string; end: string }[] {
  return listAt(http, 'expectedStatuses')
    .filter((s): s is number => typeof s === 'number' && s >= 100 && s < 600)
    .map((s) => ({ start: String(s), end: String(s + 1) }));
}

interface HeaderToAdd {
  header: { key: string; value: string };
  appendAction: HeaderValueOption_HeaderAppendAction;
}

/** Envoy's append_action for "append" (true) or "set" (false, the default). */
function appendAction(append: boolean | undefined): HeaderValueOption_HeaderAppendAction {
  return append ? HeaderValueOption_HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD : HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
}

function headersToAdd(http: Obj, mesh: boolean): HeaderToAdd[] {
  const raw = field(http, 'requestHeadersToAdd');
  // MeshHealthCheck: {set: [{name, value}], add: [{name, value}]}; legacy: [{header: {key, value}, append}].
  if (mesh && raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const out: HeaderToAdd[] = [];
    for (const [list, append] of [['set', false], ['add', true]] as const) {
      for (const h of listAt(raw, list)) {
        const key = strAt(h, 'name');
        if (key) out.push({ header: { key, value: strAt(h, 'value') ?? '' }, appendAction: appendAction(append) });
      }
    }
    return out;
  }
  return listAt(http, 'requestHeadersToAdd')
    .map((h) => ({ key: strAt(objAt(h, 'header'), 'key'), value: strAt(objAt(h, 'header'), 'value') ?? '', append: boolAt(h, 'append') }))
    .filter((h): h is { key: string; value: string; append: boolean | undefined } => !!h.key)
    // Envoy's (and Kuma's legacy) default for an unset append is to append.
    .map((h) => ({ header: { key: h.key, value: h.value }, appendAction: appendAction(h.append ?? true) }));
}

function httpChecker(http: Obj, protocol: string, mesh: boolean): DeepPartial<HealthCheck>['healthChecker'] {
  const statuses = expectedStatuses(http);
  const headers = headersToAdd(http, mesh);
  return {
    $case: 'httpHealthCheck',
    value: {
      path: strAt(http, 'path') ?? '/',
      codecClientType: protocol === 'http2' ? CodecClientType.HTTP2 : CodecClientType.HTTP1,
      ...(statuses.length > 0 ? { expectedStatuses: statuses } : {}),
      ...(headers.length > 0 ? { requestHeadersToAdd: headers } : {}),
    },
  };
}

/** TCP check; payloads are hex text for Envoy. */
function tcpChecker(tcp: Obj | undefined, toHex: (v: string) => string): DeepPartial<HealthCheck>['healthChecker'] {
  const payload = (v: string): DeepPartial<HealthCheck_Payload> => ({ payload: { $case: 'text', value: toHex(v) } });
  const send = strAt(tcp, 'send');
  const receive = listAt(tcp, 'receive').filter((r): r is string => typeof r === 'string' && r !== '');
  return {
    $case: 'tcpHealthCheck',
    value: { ...(send ? { send: payload(send) } : {}), ...(receive.length > 0 ? { receive: receive.map(payload) } : {}) },
  };
}

function enabled(section: Obj | undefined): boolean {
  return section !== undefined && boolAt(section, 'disabled') !== true;
}

/** MeshHealthCheck `default` conf for a destination speaking `protocol`. */
export function fromMeshHealthCheck(conf: Obj, protocol: string): HealthChecking {
  const out: HealthChecking = { healthChecks: [] };
  const panic = numberAt(conf, 'healthyPanicThreshold');
  if (panic !== undefined) out.healthyPanicThreshold = panic;
  const failOnPanic = boolAt(conf, 'failTrafficOnPanic');
  if (failOnPanic !== undefined) out.failTrafficOnPanic = failOnPanic;
  const tcp = objAt(conf, 'tcp');
  const http = objAt(conf, 'http');
  const grpc = objAt(conf, 'grpc');
  const isHttp = protocol === 'http' || protocol === 'http2';
  let checker: DeepPartial<HealthCheck>['healthChecker'] | undefined;
  if (isHttp && enabled(http)) checker = httpChecker(http!, protocol, true);
  else if (protocol === 'grpc' && enabled(grpc)) {
    const serviceName = strAt(grpc, 'serviceName');
    const authority = strAt(grpc, 'authority');
    checker = { $case: 'grpcHealthCheck', value: { ...(serviceName ? { serviceName } : {}), ...(authority ? { authority } : {}) } };
  } else if (protocol === 'tcp' && enabled(tcp)) checker = tcpChecker(tcp, (v) => v);
  else if ((isHttp && http) || (protocol === 'grpc' && grpc)) {
    if (enabled(tcp)) checker = tcpChecker(tcp, (v) => v);
  }
  if (checker) {
    out.healthChecks.push({
      ...base(conf, { intervalMs: MHC_INTERVAL_MS, timeoutMs: MHC_TIMEOUT_MS, unhealthy: MHC_UNHEALTHY, healthy: MHC_HEALTHY }),
      healthChecker: checker,
    });
  }
  return out;
}

/** Legacy HealthCheck `conf`; tcp send/receive are base64 bytes in its JSON. */
export function fromLegacyHealthCheck(conf: unknown, protocol: string): HealthChecking {
  const c = (conf ?? {}) as Obj;
  const out: HealthChecking = { healthChecks: [] };
  const panic = numberAt(c, 'healthyPanicThreshold');
  if (panic !== undefined) out.healthyPanicThreshold = panic;
  const failOnPanic = boolAt(c, 'failTrafficOnPanic');
  if (failOnPanic !== undefined) out.failTrafficOnPanic = failOnPanic;
  const http = objAt(c, 'http');
  const isHttp = protocol === 'http' || protocol === 'http2';
  const checker = http && isHttp ? httpChecker(http, protocol, false) : tcpChecker(objAt(c, 'tcp'), (v) => Buffer.from(v, 'base64').toString('hex'));
  out.healthChecks.push({ ...base(c, { intervalMs: MHC_INTERVAL_MS, timeoutMs: MHC_TIMEOUT_MS, unhealthy: 1, healthy: 1 }), healthChecker: checker });
  return out;
}

/** Health checking of `service` as seen from this proxy. */
export function outboundHealthChecking(pp: ProxyPolicies, service: string, protocol: string): HealthChecking {
  const conf = pp.to('MeshHealthCheck', service);
  if (conf) return fromMeshHealthCheck(conf, protocol);
  const legacy = pp.legacy('HealthCheck').select({ 'kuma.io/service': service });
  return legacy ? fromLegacyHealthCheck(field(legacy.spec, 'conf'), protocol) : { healthChecks: [] };
}
