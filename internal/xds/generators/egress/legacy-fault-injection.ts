/**
 * Legacy FaultInjection on a zone egress chain of an HTTP ExternalService (Kuma
 * pkg/xds/envoy/listeners/v3/fault_injection_configurer.go, used by the egress generator): one
 * envoy.filters.http.fault per policy whose `destinations` select the ExternalService, most
 * specific source first, each limited to its `sources` by a regex on `x-kuma-tags`.
 */
import { HTTPFault } from '../../../../proto/gen/envoy/extensions/filters/http/fault/v3/fault';
import type { HttpFilter } from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { Resource } from '../../../resources/model';
import { httpFilter } from '../envoy/common';
import { kumaTagsMatcher } from '../envoy/kuma-tags-header';
import { duration, msAt, objAt, strAt, uintAt } from '../envoy/values';
import { percentAt } from '../sidecar/listener-policies/percent';
import { sourcesRegex } from './legacy-source-regex';

const BANDWIDTH_RE = /^(\d+)\s?([GMk]?)bps$/;
const KBPS_PER_UNIT: Record<string, number> = { '': 1 / 1000, k: 1, M: 1_000, G: 1_000_000 };

export function legacyFaultFilter(policy: Resource): DeepPartial<HttpFilter> {
  const conf = objAt(policy.spec, 'conf');
  const fault: DeepPartial<HTTPFault> = {
    headers: [kumaTagsMatcher(sourcesRegex(policy))],
  };
  const delay = objAt(conf, 'delay');
  const delayMs = delay ? msAt(delay, 'value') : undefined;
  if (delay && delayMs !== undefined) fault.delay = { faultDelaySecifier: { $case: 'fixedDelay', value: duration(delayMs) }, percentage: percentAt(delay, 'percentage') };
  const abort = objAt(conf, 'abort');
  const status = abort ? uintAt(abort, 'httpStatus') : undefined;
  if (abort && status !== undefined) fault.abort = { errorType: { $case: 'httpStatus', value: status }, percentage: percentAt(abort, 'percentage') };
  const bw = objAt(conf, 'responseBandwidth');
  const limit = bw ? BANDWIDTH_RE.exec(strAt(bw, 'limit') ?? '') : null;
  if (bw && limit) {
    const kbps = Math.max(1, Math.floor(Number(limit[1]) * KBPS_PER_UNIT[limit[2]!]!));
    fault.responseRateLimit = { limitType: { $case: 'fixedLimit', value: { limitKbps: String(kbps) } }, percentage: percentAt(bw, 'percentage') };
  }
  return httpFilter('envoy.filters.http.fault', HTTPFault, fault);
}
