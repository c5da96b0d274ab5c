/**
 * Legacy RateLimit on a zone egress chain of an HTTP ExternalService (Kuma egress generator +
 * pkg/xds/envoy/listeners/v3/rate_limit_configurer.go and the route's WithRateLimit): the HCM gets
 * an envoy.filters.http.local_ratelimit with no bucket of its own, and each policy with a `conf.http`
 * a route ahead of the catch-all that matches its `sources` on `x-kuma-tags` and carries the token
 * bucket (`requests` per `interval`) as per-route config, so each group of clients has its budget.
 */
import { HeaderValueOption_HeaderAppendAction } from '../../../../proto/gen/envoy/config/core/v3/base';
import type { HeaderMatcher } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import { LocalRateLimit } from '../../../../proto/gen/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit';
import type { HttpFilter } from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { pack } from '../../../proto/any';
import type { Resource } from '../../../resources/model';
import { httpFilter } from '../envoy/common';
import { kumaTagsMatcher } from '../envoy/kuma-tags-header';
import { boolAt, duration, listAt, msAt, objAt, strAt, uintAt } from '../envoy/values';
import { fractionalPercent } from '../sidecar/listener-policies/percent';
import { sourcesRegex } from './legacy-source-regex';

export const LOCAL_RATE_LIMIT_FILTER = 'envoy.filters.http.local_ratelimit';

/** What a route of a legacy RateLimit adds: its source match and its bucket. */
export interface LegacyRateLimitRoute {
  headers: DeepPartial<HeaderMatcher>[];
  typedPerFilterConfig: Record<string, ReturnType<typeof pack>>;
}

/** The policies that limit HTTP requests (Kuma skips those without `conf.http`). */
export function httpRateLimits(policies: readonly Resource[]): Resource[] {
  return policies.filter((p) => objAt(objAt(p.spec, 'conf'), 'http') !== undefined);
}

/** The HCM filter the per-route buckets need; Kuma gives it no bucket of its own. */
export function legacyRateLimitFilter(): DeepPartial<HttpFilter> {
  return httpFilter(LOCAL_RATE_LIMIT_FILTER, LocalRateLimit, { statPrefix: 'rate_limit' });
}

export function legacyRateLimitRoute(policy: Resource): LegacyRateLimitRoute {
  const http = objAt(objAt(policy.spec, 'conf'), 'http')!;
  const requests = uintAt(http, 'requests') ?? 0;
  const on = objAt(http, 'onRateLimit');
  const status = on ? uintAt(on, 'status') : undefined;
  const all = { defaultValue: fractionalPercent(100) };
  const config = pack(LocalRateLimit, {
    statPrefix: 'rate_limit',
    ...(status ? { status: { code: status } } : {}),
    tokenBucket: { maxTokens: requests, tokensPerFill: requests, fillInterval: duration(msAt(http, 'interval') ?? 0) },
    filterEnabled: { ...all, runtimeKey: 'local_rate_limit_enabled' },
    filterEnforced: { ...all, runtimeKey: 'local_rate_limit_enforced' },
    responseHeadersToAdd: listAt(on, 'headers').flatMap((h) => {
      const key = strAt(h, 'key');
      if (!key) return [];
      const appendAction = boolAt(h, 'append') ? HeaderValueOption_HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD : HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
      return [{ header: { key, value: strAt(h, 'value') ?? '' }, appendAction }];
    }),
  });
  return {
    headers: [kumaTagsMatcher(sourcesRegex(policy))],
    typedPerFilterConfig: { [LOCAL_RATE_LIMIT_FILTER]: config },
  };
}
