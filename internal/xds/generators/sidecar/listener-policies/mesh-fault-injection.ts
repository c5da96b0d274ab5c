/**
 * MeshFaultInjection on a sidecar's HTTP inbounds (Kuma pkg/plugins/policies/meshfaultinjection):
 * one envoy.filters.http.fault per `default.http[]` entry of each `from` rule, in rule order.
 * A rule for a group of clients matches them on the `x-kuma-tags` request header (the client's tags
 * as `&key=value&` pairs), one header matcher per tag of the rule's subset, negated tags inverted.
 * Policies written with `rules[]` instead of `from[]` apply to every client.
 */
import { HTTPFault } from '../../../../../proto/gen/envoy/extensions/filters/http/fault/v3/fault';
import type { HeaderMatcher } from '../../../../../proto/gen/envoy/config/route/v3/route_components';
import type { HttpFilter } from '../../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import type { DeepPartial } from '../../../../../proto/gen/typeRegistry';
import { BANDWIDTH_RE } from '../../../../resources/types/mesh-fault-injection';
import type { Subset } from '../../../policies/rules';
import { httpFilter } from '../../envoy/common';
import { kumaTagsMatcher } from '../../envoy/kuma-tags-header';
import { type Obj, duration, listAt, msAt, objAt, strAt, uintAt } from '../../envoy/values';
import type { ListenerPolicy } from '../listener-policies';
import { percentAt } from './percent';


const KBPS_PER_UNIT: Record<string, number> = { k: 1, M: 1_000, G: 1_000_000 };

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A tag value may be one of several comma-separated ones in the header, hence `[^&]*` and `[,&]`. */
function tagMatchers(subset: Subset): DeepPartial<HeaderMatcher>[] {
  return subset.map((t) => ({
    ...kumaTagsMatcher(`.*&${escapeRegex(t.key)}=[^&]*${escapeRegex(t.value)}[,&].*`),
    invertMatch: t.not,
    // A client that sends no header is "not frontend": without this Envoy fails even inverted matchers.
    treatMissingHeaderAsEmpty: true,
  }));
}

function faultFilter(entry: Obj, subset: Subset): DeepPartial<HttpFilter> | undefined {
  const fault: DeepPartial<HTTPFault> = { headers: tagMatchers(subset) };
  const abort = objAt(entry, 'abort');
  const status = abort ? uintAt(abort, 'httpStatus') : undefined;
  if (abort && status !== undefined) fault.abort = { errorType: { $case: 'httpStatus', value: status }, percentage: percentAt(abort, 'percentage') };
  const delay = objAt(entry, 'delay');
  const delayMs = delay ? msAt(delay, 'value') : undefined;
  if (delay && delayMs) fault.delay = { faultDelaySecifier: { $case: 'fixedDelay', value: duration(delayMs) }, percentage: percentAt(delay, 'percentage') };
  const bw = objAt(entry, 'responseBandwidth');
  const limit = bw ? BANDWIDTH_RE.exec(strAt(bw, 'limit') ?? '') : null;
  if (bw && limit) {
    const kbps = Number(limit[1]) * KBPS_PER_UNIT[limit[2]!]!;
    fault.responseRateLimit = { limitType: { $case: 'fixedLimit', value: { limitKbps: String(kbps) } }, percentage: percentAt(bw, 'percentage') };
  }
  if (!fault.abort && !fault.delay && !fault.responseRateLimit) return undefined;
  return httpFilter('envoy.filters.http.fault', HTTPFault, fault);
}

/** The fault filters of `from` rules (or of one conf for every client, subset []), in rule order. */
export function meshFaultFilters(applied: readonly { subset: Subset; conf: Obj }[]): DeepPartial<HttpFilter>[] {
  const out: DeepPartial<HttpFilter>[] = [];
  for (const r of applied) {
    for (const entry of listAt(r.conf, 'http')) {
      const f = typeof entry === 'object' && entry !== null ? faultFilter(entry as Obj, r.subset) : undefined;
      if (f) out.push(f);
    }
  }
  return out;
}

export const meshFaultInjectionPolicy: ListenerPolicy = {
  type: 'MeshFaultInjection',
  inbound({ pp, inbound, http }, add) {
    if (!http) return;
    const rules = pp.fromRules('MeshFaultInjection', inbound);
    const applied: { subset: Subset; conf: Obj }[] = rules ?? [];
    if (!rules) {
      const conf = pp.fromMesh('MeshFaultInjection', inbound);
      if (conf) applied.push({ subset: [], conf });
    }
    add.httpFilters.push(...meshFaultFilters(applied));
  },
};
