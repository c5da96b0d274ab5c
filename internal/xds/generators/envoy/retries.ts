/**
 * Retries of outbound traffic (spec kuma-kds-xds.md §3.7; Kuma meshretry/plugin/xds/configurer.go
 * and the legacy Retry configurer): HTTP/gRPC -> route retry_policy, TCP -> tcp_proxy
 * max_connect_attempts. A MeshRetry that applies wins over a legacy Retry.
 */
import type { HeaderMatcher, RetryPolicy } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import { RetryPolicy_ResetHeaderFormat } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { ProxyPolicies } from '../../policies/proxy-policies';
import { type Obj, duration, field, listAt, msAt, objAt, strAt, uintAt } from './values';

export interface Retries {
  /** route retry_policy for HTTP-family outbounds. */
  http?: DeepPartial<RetryPolicy>;
  /** tcp_proxy max_connect_attempts for TCP outbounds. */
  tcpMaxConnectAttempts?: number;
}

// Kuma's defaults when a policy gives no retryOn.
export const HTTP_RETRY_ON_DEFAULT = 'gateway-error,connect-failure,refused-stream';
export const GRPC_RETRY_ON_DEFAULT = 'cancelled,connect-failure,gateway-error,refused-stream,reset,resource-exhausted,unavailable';
const RETRIABLE_STATUS_CODES = 'retriable-status-codes';
/** Envoy's own default base interval, used when a backOff gives only maxInterval. */
const DEFAULT_BASE_INTERVAL_MS = 25;

const MESH_HTTP_RETRY_ON: Record<string, string> = {
  '5xx': '5xx',
  GatewayError: 'gateway-error',
  Reset: 'reset',
  Retriable4xx: 'retriable-4xx',
  ConnectFailure: 'connect-failure',
  EnvoyRatelimited: 'envoy-ratelimited',
  RefusedStream: 'refused-stream',
  Http3PostConnectFailure: 'http3-post-connect-failure',
};

const MESH_GRPC_RETRY_ON: Record<string, string> = {
  Canceled: 'cancelled',
  DeadlineExceeded: 'deadline-exceeded',
  Internal: 'internal',
  ResourceExhausted: 'resource-exhausted',
  Unavailable: 'unavailable',
};

const HTTP_METHOD_PREFIX = 'HttpMethod';

function methodMatcher(method: string): DeepPartial<HeaderMatcher> {
  return { name: ':method', headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'exact', value: method } } } };
}

function backOff(conf: unknown): DeepPartial<RetryPolicy>['retryBackOff'] | undefined {
  const b = objAt(conf, 'backOff');
  if (!b) return undefined;
  const base = msAt(b, 'baseInterval') || DEFAULT_BASE_INTERVAL_MS;
  const max = msAt(b, 'maxInterval');
  return { baseInterval: duration(base), ...(max && max >= base ? { maxInterval: duration(max) } : {}) };
}

/** The common part: numRetries (0 = no retries at all), perTryTimeout, backOff. */
function basePolicy(conf: Obj, retryOnDefault: string): DeepPartial<RetryPolicy> | undefined {
  const numRetries = uintAt(conf, 'numRetries');
  if (numRetries === 0) return undefined;
  const policy: DeepPartial<RetryPolicy> = { retryOn: retryOnDefault };
  if (numRetries !== undefined) policy.numRetries = numRetries;
  const perTry = msAt(conf, 'perTryTimeout');
  if (perTry !== undefined) policy.perTryTimeout = duration(perTry);
  const b = backOff(conf);
  if (b) policy.retryBackOff = b;
  return policy;
}

function headerMatchers(list: unknown[]): DeepPartial<HeaderMatcher>[] {
  const out: DeepPartial<HeaderMatcher>[] = [];
  for (const h of list) {
    const name = strAt(h, 'name');
    if (!name) continue;
    const value = strAt(h, 'value') ?? '';
    switch (strAt(h, 'type') ?? 'Exact') {
      case 'RegularExpression':
        out.push({ name, headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'safeRegex', value: { regex: value } } } } });
        break;
      case 'Prefix':
        out.push({ name, headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'prefix', value } } } });
        break;
      case 'Present':
        out.push({ name, headerMatchSpecifier: { $case: 'presentMatch', value: true } });
        break;
      case 'Absent':
        out.push({ name, headerMatchSpecifier: { $case: 'presentMatch', value: false } });
        break;
      default:
        out.push({ name, headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'exact', value } } } });
    }
  }
  return out;
}

function withStatusCodes(policy: DeepPartial<RetryPolicy>, codes: number[]): void {
  if (codes.length === 0) return;
  policy.retriableStatusCodes = codes;
  const on = (policy.retryOn ?? '').split(',').filter((x) => x !== '');
  if (!on.includes(RETRIABLE_STATUS_CODES)) on.push(RETRIABLE_STATUS_CODES);
  policy.retryOn = on.join(',');
}

/** `rateLimitedBackOff` (MeshRetry http and grpc alike) -> rate_limited_retry_back_off. */
function rateLimitedBackOff(section: Obj): DeepPartial<RetryPolicy>['rateLimitedRetryBackOff'] | undefined {
  const conf = objAt(section, 'rateLimitedBackOff');
  if (!conf) return undefined;
  const resetHeaders = listAt(conf, 'resetHeaders')
    .map((h) => ({
      name: strAt(h, 'name') ?? '',
      format: strAt(h, 'format') === 'UnixTimestamp' ? RetryPolicy_ResetHeaderFormat.UNIX_TIMESTAMP : RetryPolicy_ResetHeaderFormat.SECONDS,
    }))
    .filter((h) => h.name !== '');
  // Envoy requires at least one reset header.
  if (resetHeaders.length === 0) return undefined;
  const max = msAt(conf, 'maxInterval');
  return { resetHeaders, ...(max ? { maxInterval: duration(max) } : {}) };
}

/** MeshRetry `http` section -> retry_policy. */
export function meshHttpRetryPolicy(http: Obj): DeepPartial<RetryPolicy> | undefined {
  const policy = basePolicy(http, HTTP_RETRY_ON_DEFAULT);
  if (!policy) return undefined;
  const on: string[] = [];
  const codes: number[] = [];
  const methods: string[] = [];
  for (const item of listAt(http, 'retryOn')) {
    const key = String(item);
    if (/^\d+$/.test(key)) codes.push(Number(key));
    else if (key.startsWith(HTTP_METHOD_PREFIX)) methods.push(key.slice(HTTP_METHOD_PREFIX.length));
    else if (MESH_HTTP_RETRY_ON[key]) on.push(MESH_HTTP_RETRY_ON[key]!);
  }
  if (on.length > 0) policy.retryOn = on.join(',');
  withStatusCodes(policy, codes);
  const requestHeaders = [...methods.map(methodMatcher), ...headerMatchers(listAt(http, 'retriableRequestHeaders'))];
  if (requestHeaders.length > 0) policy.retriableRequestHeaders = requestHeaders;
  const responseHeaders = headerMatchers(listAt(http, 'retriableResponseHeaders'));
  if (responseHeaders.length > 0) policy.retriableHeaders = responseHeaders;
  const rateLimited = rateLimitedBackOff(http);
  if (rateLimited) policy.rateLimitedRetryBackOff = rateLimited;
  const maxAttempts = uintAt(http, 'hostSelectionMaxAttempts');
  if (maxAttempts !== undefined) policy.hostSelectionRetryMaxAttempts = String(maxAttempts);
  return policy;
}

/** MeshRetry `grpc` section -> retry_policy. */
export function meshGrpcRetryPolicy(grpc: Obj): DeepPartial<RetryPolicy> | undefined {
  const policy = basePolicy(grpc, GRPC_RETRY_ON_DEFAULT);
  if (!policy) return undefined;
  const on = listAt(grpc, 'retryOn')
    .map((x) => MESH_GRPC_RETRY_ON[String(x)])
    .filter((x): x is string => !!x);
  if (on.length > 0) policy.retryOn = on.join(',');
  // A gRPC server pushes back with RESOURCE_EXHAUSTED and a reset header as an HTTP one does with 429.
  const rateLimited = rateLimitedBackOff(grpc);
  if (rateLimited) policy.rateLimitedRetryBackOff = rateLimited;
  return policy;
}

/** Legacy retryOn names: snake_case enum names, all_5xx meaning 5xx. */
function legacyRetryOn(v: unknown): string {
  const s = String(v).toLowerCase();
  return s === 'all_5xx' ? '5xx' : s.replace(/_/g, '-');
}

/** Legacy Retry `http`/`grpc` section -> retry_policy. */
export function legacyRetryPolicy(section: Obj, grpc: boolean): DeepPartial<RetryPolicy> | undefined {
  const policy = basePolicy(section, grpc ? GRPC_RETRY_ON_DEFAULT : HTTP_RETRY_ON_DEFAULT);
  if (!policy) return undefined;
  const on = listAt(section, 'retryOn').map(legacyRetryOn);
  if (on.length > 0) policy.retryOn = on.join(',');
  if (!grpc) {
    withStatusCodes(
      policy,
      listAt(section, 'retriableStatusCodes').filter((c): c is number => typeof c === 'number'),
    );
    const methods = listAt(section, 'retriableMethods').filter((m): m is string => typeof m === 'string');
    if (methods.length > 0) policy.retriableRequestHeaders = methods.map(methodMatcher);
  }
  return policy;
}

/** The retries a merged MeshRetry conf gives traffic spoken as `protocol` (grpc reads `grpc`, http/http2 `http`, others `tcp`). */
export function meshRetries(conf: Obj, protocol: string): Retries {
  if (protocol === 'grpc') {
    const grpc = objAt(conf, 'grpc');
    return grpc ? optional({ http: meshGrpcRetryPolicy(grpc) }) : {};
  }
  if (protocol === 'http' || protocol === 'http2') {
    const http = objAt(conf, 'http');
    return http ? optional({ http: meshHttpRetryPolicy(http) }) : {};
  }
  return optional({ tcpMaxConnectAttempts: uintAt(objAt(conf, 'tcp'), 'maxConnectAttempt') || undefined });
}

/** Retries of traffic from this proxy to `service` spoken as `protocol`. */
export function outboundRetries(pp: ProxyPolicies, service: string, protocol: string): Retries {
  const conf = pp.to('MeshRetry', service);
  if (conf) return meshRetries(conf, protocol);
  const legacy = pp.legacy('Retry').select({ 'kuma.io/service': service });
  if (!legacy) return {};
  const lc = field(legacy.spec, 'conf');
  if (protocol === 'grpc' || protocol === 'http' || protocol === 'http2') {
    const grpc = protocol === 'grpc' ? objAt(lc, 'grpc') : undefined;
    const section = grpc ?? objAt(lc, 'http');
    return section ? optional({ http: legacyRetryPolicy(section, grpc !== undefined) }) : {};
  }
  return optional({ tcpMaxConnectAttempts: uintAt(objAt(lc, 'tcp'), 'maxConnectAttempts') || undefined });
}

function optional(r: Retries): Retries {
  const out: Retries = {};
  if (r.http) out.http = r.http;
  if (r.tcpMaxConnectAttempts) out.tcpMaxConnectAttempts = r.tcpMaxConnectAttempts;
  return out;
}
