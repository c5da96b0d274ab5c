/**
 * Envoy routes of an HTTP outbound from its plan: TrafficRoute http[] matches and modifications
 * (spec kuma-api-cli.md §1.10), weighted clusters for splits, plus the outbound's retry policy,
 * request timeout and hash policies; on a MeshHTTPRoute rule's routes, what policies aimed at that
 * route set instead (envoy/route-level-policies.ts). MeshHTTPRoute routes are rendered by
 * outbound-http-route.ts.
 */
import type { HeaderValueOption } from '../../../../proto/gen/envoy/config/core/v3/base';
import { HeaderValueOption_HeaderAppendAction } from '../../../../proto/gen/envoy/config/core/v3/base';
import type { HeaderMatcher, Route, RouteAction, RouteMatch } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { Retries } from '../envoy/retries';
import type { LoadBalancing } from '../envoy/load-balancing';
import type { RouteLevel } from '../envoy/route-level-policies';
import { type Obj, boolAt, duration, listAt, objAt, strAt } from '../envoy/values';
import { meshHttpRoutes } from './outbound-http-route';
import type { RoutePlan, WeightedTarget } from './outbound-plan';

export interface RouteSettings {
  requestTimeoutMs: number;
  retries: Retries;
  loadBalancing: LoadBalancing;
  /** Per plan (same index): what policies aimed at that MeshHTTPRoute rule set instead. */
  routeLevel?: readonly (RouteLevel | undefined)[];
}

type StringMatch = DeepPartial<HeaderMatcher>['headerMatchSpecifier'];

/** TrafficRoute string matcher {prefix | exact | regex} as a header match specifier. */
function stringMatch(m: Obj | undefined): StringMatch | undefined {
  const exact = strAt(m, 'exact');
  if (exact !== undefined) return { $case: 'stringMatch', value: { matchPattern: { $case: 'exact', value: exact } } };
  const prefix = strAt(m, 'prefix');
  if (prefix !== undefined) return { $case: 'stringMatch', value: { matchPattern: { $case: 'prefix', value: prefix } } };
  const regex = strAt(m, 'regex');
  if (regex !== undefined) return { $case: 'stringMatch', value: { matchPattern: { $case: 'safeRegex', value: { regex } } } };
  return undefined;
}

function routeMatch(match: Obj | undefined): DeepPartial<RouteMatch> {
  const path = objAt(match, 'path');
  let pathSpecifier: DeepPartial<RouteMatch>['pathSpecifier'] = { $case: 'prefix', value: '/' };
  const exact = strAt(path, 'exact');
  const prefix = strAt(path, 'prefix');
  const regex = strAt(path, 'regex');
  if (exact !== undefined) pathSpecifier = { $case: 'path', value: exact };
  else if (prefix !== undefined) pathSpecifier = { $case: 'prefix', value: prefix };
  else if (regex !== undefined) pathSpecifier = { $case: 'safeRegex', value: { regex } };
  const headers: DeepPartial<HeaderMatcher>[] = [];
  const method = stringMatch(objAt(match, 'method'));
  if (method) headers.push({ name: ':method', headerMatchSpecifier: method });
  const hm = objAt(match, 'headers');
  for (const name of Object.keys(hm ?? {}).sort()) {
    const spec = stringMatch(objAt(hm, name));
    if (spec) headers.push({ name, headerMatchSpecifier: spec });
  }
  return { pathSpecifier, ...(headers.length > 0 ? { headers } : {}) };
}

function headersToAdd(section: Obj | undefined): DeepPartial<HeaderValueOption>[] {
  return listAt(section, 'add')
    .filter((h) => strAt(h, 'name') !== undefined)
    .map((h) => ({
      header: { key: strAt(h, 'name')!, value: strAt(h, 'value') ?? '' },
      appendAction: boolAt(h, 'append') ? HeaderValueOption_HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD : HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD,
    }));
}

function headersToRemove(section: Obj | undefined): string[] {
  return listAt(section, 'remove')
    .map((h) => strAt(h, 'name'))
    .filter((n): n is string => n !== undefined);
}

function regexRewrite(o: Obj | undefined): { pattern: { regex: string }; substitution: string } | undefined {
  const pattern = strAt(o, 'pattern');
  const substitution = strAt(o, 'substitution');
  return pattern !== undefined && substitution !== undefined ? { pattern: { regex: pattern }, substitution } : undefined;
}

/** Route action fields and per-route header edits from TrafficRoute `modify`. */
function applyModify(route: DeepPartial<Route>, action: DeepPartial<RouteAction>, modify: Obj | undefined): void {
  if (!modify) return;
  const path = objAt(modify, 'path');
  const rewritePrefix = strAt(path, 'rewritePrefix');
  if (rewritePrefix !== undefined) action.prefixRewrite = rewritePrefix;
  const pathRegex = regexRewrite(objAt(path, 'regex'));
  if (pathRegex) action.regexRewrite = pathRegex;
  const host = objAt(modify, 'host');
  const hostValue = strAt(host, 'value');
  const hostFromPath = regexRewrite(objAt(host, 'fromPath'));
  if (hostValue !== undefined) action.hostRewriteSpecifier = { $case: 'hostRewriteLiteral', value: hostValue };
  else if (hostFromPath) action.hostRewriteSpecifier = { $case: 'hostRewritePathRegex', value: hostFromPath };
  const req = objAt(modify, 'requestHeaders');
  const res = objAt(modify, 'responseHeaders');
  const reqAdd = headersToAdd(req);
  if (reqAdd.length > 0) route.requestHeadersToAdd = reqAdd;
  const reqRemove = headersToRemove(req);
  if (reqRemove.length > 0) route.requestHeadersToRemove = reqRemove;
  const resAdd = headersToAdd(res);
  if (resAdd.length > 0) route.responseHeadersToAdd = resAdd;
  const resRemove = headersToRemove(res);
  if (resRemove.length > 0) route.responseHeadersToRemove = resRemove;
}

function clusterSpecifier(targets: readonly WeightedTarget[]): DeepPartial<RouteAction>['clusterSpecifier'] {
  if (targets.length === 1) return { $case: 'cluster', value: targets[0]!.cluster };
  return { $case: 'weightedClusters', value: { clusters: targets.map((t) => ({ name: t.cluster, weight: t.weight })) } };
}

export function httpRoutes(plans: readonly RoutePlan[], settings: RouteSettings): DeepPartial<Route>[] {
  return plans.flatMap((p, i) => {
    const level = settings.routeLevel?.[i];
    const retryPolicy = (level?.retries ?? settings.retries).http;
    const action: DeepPartial<RouteAction> = {
      clusterSpecifier: clusterSpecifier(p.targets),
      timeout: duration(level?.requestTimeoutMs ?? settings.requestTimeoutMs),
      ...(level?.streamIdleMs !== undefined ? { idleTimeout: duration(level.streamIdleMs) } : {}),
      ...(retryPolicy ? { retryPolicy } : {}),
      ...(settings.loadBalancing.hashPolicies ? { hashPolicy: settings.loadBalancing.hashPolicies } : {}),
    };
    if (p.meshRoute) return meshHttpRoutes(p.meshRoute, p.targets.length > 0 ? action : undefined);
    const route: DeepPartial<Route> = { match: routeMatch(p.match) };
    applyModify(route, action, p.modify);
    route.action = { $case: 'route', value: action };
    return [route];
  });
}
