/**
 * What policies aimed at a MeshHTTPRoute rule (policies/route-targeted.ts) set on that rule's
 * Envoy routes, per route of an outbound plan (Kuma 2.14 meshtimeout ConfigureRouteAction,
 * meshretry route configurer):
 *
 *   MeshTimeout http.requestTimeout    -> route timeout
 *   MeshTimeout http.streamIdleTimeout -> route idle_timeout
 *   MeshRetry http / grpc              -> route retry_policy (replacing the service's; numRetries 0: none)
 *
 * Each value comes from the service-level conf with the route-level one merged over it, so a
 * field the route-level policy leaves unset keeps the service's. Connection-wide fields
 * (connectionTimeout, idleTimeout, maxStreamDuration, maxConnectionDuration, tcp) are refused by
 * validation for route-level policies and would have no route-level meaning anyway.
 */
import { routeConf } from '../../policies/route-targeted';
import type { ProxyPolicies } from '../../policies/proxy-policies';
import type { OutboundPlan } from '../sidecar/outbound-plan';
import { type Retries, meshRetries } from './retries';
import { outboundTimeouts } from './timeouts';
import { msAt, objAt } from './values';

export interface RouteLevel {
  requestTimeoutMs?: number;
  streamIdleMs?: number;
  /** Present when a MeshRetry targets the route: these retries replace the service's. */
  retries?: Retries;
}

function routeLevelOf(pp: ProxyPolicies, plan: OutboundPlan, ruleKey: string | undefined): RouteLevel | undefined {
  const out: RouteLevel = {};
  const timeout = routeConf(pp, 'MeshTimeout', plan.service, ruleKey);
  if (timeout) {
    const base = outboundTimeouts(pp, plan.service, plan.protocol);
    const http = objAt(timeout, 'http');
    out.requestTimeoutMs = msAt(http, 'requestTimeout') ?? base.requestMs;
    out.streamIdleMs = msAt(http, 'streamIdleTimeout') ?? base.streamIdleMs;
  }
  const retry = routeConf(pp, 'MeshRetry', plan.service, ruleKey);
  if (retry) out.retries = meshRetries(retry, plan.protocol);
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Per route of `plan` (same index), what route-level policies set; undefined when none targets any
 * of its routes, so outbounds without them are built exactly as before.
 */
export function routeLevelSettings(pp: ProxyPolicies, plan: OutboundPlan): (RouteLevel | undefined)[] | undefined {
  const levels = plan.routes.map((r) => (r.meshRoute ? routeLevelOf(pp, plan, r.meshRoute.ruleKey) : undefined));
  return levels.some((l) => l !== undefined) ? levels : undefined;
}
