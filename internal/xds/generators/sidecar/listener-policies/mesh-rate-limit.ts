/**
 * MeshRateLimit on a sidecar's inbounds (Kuma pkg/plugins/policies/meshratelimit): a per-instance
 * token bucket of `num` tokens refilled every `interval`. HTTP inbounds get
 * envoy.filters.http.local_ratelimit (enabled and enforced for 100 % of requests, answering
 * `onRateLimit.status`, 429 by default); TCP inbounds get envoy.filters.network.local_ratelimit on
 * new connections. Only a conf for every client exists (`from` allows kind Mesh only), so the
 * inbound's whole-listener conf applies.
 */
import { HeaderValueOption_HeaderAppendAction } from '../../../../../proto/gen/envoy/config/core/v3/base';
import { LocalRateLimit as HttpLocalRateLimit } from '../../../../../proto/gen/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit';
import { LocalRateLimit as NetworkLocalRateLimit } from '../../../../../proto/gen/envoy/extensions/filters/network/local_ratelimit/v3/local_rate_limit';
import type { TokenBucket } from '../../../../../proto/gen/envoy/type/v3/token_bucket';
import type { HttpFilter } from '../../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import type { DeepPartial } from '../../../../../proto/gen/typeRegistry';
import { httpFilter, networkFilter } from '../../envoy/common';
import { type Obj, boolAt, duration, listAt, msAt, objAt, strAt, uintAt } from '../../envoy/values';
import type { ListenerPolicy } from '../listener-policies';
import { fractionalPercent } from './percent';

const DEFAULT_STATUS = 429;

function tokenBucket(rate: Obj | undefined): DeepPartial<TokenBucket> | undefined {
  const num = rate ? uintAt(rate, 'num') : undefined;
  const intervalMs = rate ? msAt(rate, 'interval') : undefined;
  if (!num || !intervalMs) return undefined;
  return { maxTokens: num, tokensPerFill: num, fillInterval: duration(intervalMs) };
}

function responseHeaders(headers: Obj | undefined) {
  const out = [];
  const actions = [
    ['set', HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD],
    ['add', HeaderValueOption_HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD],
  ] as const;
  for (const [key, appendAction] of actions) {
    for (const h of listAt(headers, key)) {
      const name = strAt(h, 'name');
      if (name) out.push({ header: { key: name, value: strAt(h, 'value') ?? '' }, appendAction });
    }
  }
  return out;
}

/** envoy.filters.http.local_ratelimit of a MeshRateLimit `local` conf; undefined when it limits no request. */
export function meshHttpRateLimitFilter(local: Obj): DeepPartial<HttpFilter> | undefined {
  const conf = objAt(local, 'http');
  const bucket = conf && boolAt(conf, 'disabled') !== true ? tokenBucket(objAt(conf, 'requestRate')) : undefined;
  if (!conf || !bucket) return undefined;
  const on = objAt(conf, 'onRateLimit');
  const all = { defaultValue: fractionalPercent(100) };
  return httpFilter('envoy.filters.http.local_ratelimit', HttpLocalRateLimit, {
    statPrefix: 'rate_limit',
    status: { code: (on && uintAt(on, 'status')) || DEFAULT_STATUS },
    tokenBucket: bucket,
    filterEnabled: { ...all, runtimeKey: 'local_rate_limit_enabled' },
    filterEnforced: { ...all, runtimeKey: 'local_rate_limit_enforced' },
    responseHeadersToAdd: responseHeaders(objAt(on, 'headers')),
  });
}

export const meshRateLimitPolicy: ListenerPolicy = {
  type: 'MeshRateLimit',
  inbound({ pp, inbound, http }, add) {
    const local = objAt(pp.fromMesh('MeshRateLimit', inbound), 'local');
    if (!local) return;
    if (http) {
      const f = meshHttpRateLimitFilter(local);
      if (f) add.httpFilters.push(f);
      return;
    }
    const conf = objAt(local, 'tcp');
    const bucket = conf && boolAt(conf, 'disabled') !== true ? tokenBucket(objAt(conf, 'connectionRate')) : undefined;
    if (bucket) add.networkFilters.push(networkFilter('envoy.filters.network.local_ratelimit', NetworkLocalRateLimit, { statPrefix: 'tcp_rate_limit', tokenBucket: bucket }));
  },
};
