/**
 * Envoy routes of one MeshHTTPRoute route (mesh-route-plan.ts), following Kuma's meshhttproute
 * plugin:
 *
 * - `PathPrefix /x` becomes two routes, exact `/x` and prefix `/x/`, because an Envoy prefix is a
 *   string prefix while the API matches whole path segments (`/xy` must not match); `/` stays one.
 * - Headers (Exact by default, Prefix, RegularExpression, Present, Absent), the method as
 *   `:method`, and query parameters (Exact, RegularExpression) become matchers.
 * - RequestHeaderModifier / ResponseHeaderModifier: `set` overwrites, `add` appends, `remove`
 *   removes; names in Go's canonical form and comma-separated values split, as Kuma does. URLRewrite: a literal host rewrite; a full path replaced through a `^.*$` regex
 *   rewrite, a prefix through prefix_rewrite (on the `/x/` route the replacement keeps a trailing
 *   slash so `/x/a` becomes `/y/a`, the Gateway API meaning of ReplacePrefixMatch). RequestMirror: a request mirror policy per backend.
 * - RequestRedirect replaces forwarding with a redirect; unset status code means Envoy's default
 *   301 (Kuma sets nothing either on Universal).
 */
import type { HeaderValueOption } from '../../../../proto/gen/envoy/config/core/v3/base';
import { HeaderValueOption_HeaderAppendAction } from '../../../../proto/gen/envoy/config/core/v3/base';
import type { HeaderMatcher, QueryParameterMatcher, RedirectAction, Route, RouteAction, RouteMatch } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import { RedirectAction_RedirectResponseCode } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import { FractionalPercent_DenominatorType } from '../../../../proto/gen/envoy/type/v3/percent';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { HttpMatch } from '../../policies/route-policies';
import { type Obj, listAt, numberAt, objAt, strAt } from '../envoy/values';
import type { MeshRouteDetails } from './mesh-route-plan';

type PathSpecifier = DeepPartial<RouteMatch>['pathSpecifier'];

const REDIRECT_CODES: Record<number, RedirectAction_RedirectResponseCode> = {
  301: RedirectAction_RedirectResponseCode.MOVED_PERMANENTLY,
  302: RedirectAction_RedirectResponseCode.FOUND,
  303: RedirectAction_RedirectResponseCode.SEE_OTHER,
  307: RedirectAction_RedirectResponseCode.TEMPORARY_REDIRECT,
  308: RedirectAction_RedirectResponseCode.PERMANENT_REDIRECT,
};

/** The path specifiers one match expands to (two for a segment prefix other than `/`). */
function pathSpecifiers(path: HttpMatch['path']): PathSpecifier[] {
  if (!path) return [{ $case: 'prefix', value: '/' }];
  switch (path.type) {
    case 'Exact':
      return [{ $case: 'path', value: path.value }];
    case 'RegularExpression':
      return [{ $case: 'safeRegex', value: { regex: path.value } }];
    default:
      return path.value === '/' ? [{ $case: 'prefix', value: '/' }] : [{ $case: 'path', value: path.value }, { $case: 'prefix', value: `${path.value}/` }];
  }
}

function headerMatcher(h: Obj): DeepPartial<HeaderMatcher> {
  const name = strAt(h, 'name') ?? '';
  const value = strAt(h, 'value') ?? '';
  switch (strAt(h, 'type')) {
    case 'Present':
      return { name, headerMatchSpecifier: { $case: 'presentMatch', value: true } };
    case 'Absent':
      return { name, headerMatchSpecifier: { $case: 'presentMatch', value: true }, invertMatch: true };
    case 'Prefix':
      // Envoy refuses an empty prefix; every value has it, so it means "present" (as Kuma does).
      if (value === '') return { name, headerMatchSpecifier: { $case: 'presentMatch', value: true } };
      return { name, headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'prefix', value } } } };
    case 'RegularExpression':
      return { name, headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'safeRegex', value: { regex: value } } } } };
    default:
      return { name, headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'exact', value } } } };
  }
}

/** The first entry per name (validation refuses duplicates; generation never trusts that). */
function firstPerName(list: readonly Obj[]): Obj[] {
  const seen = new Set<unknown>();
  return list.filter((o) => !seen.has(o.name) && (seen.add(o.name), true));
}

function queryMatcher(q: Obj): DeepPartial<QueryParameterMatcher> {
  const value = strAt(q, 'value') ?? '';
  const matchPattern = strAt(q, 'type') === 'RegularExpression' ? { $case: 'safeRegex' as const, value: { regex: value } } : { $case: 'exact' as const, value };
  return { name: strAt(q, 'name') ?? '', queryParameterMatchSpecifier: { $case: 'stringMatch', value: { matchPattern } } };
}

function routeMatch(m: HttpMatch, pathSpecifier: PathSpecifier): DeepPartial<RouteMatch> {
  const headers: DeepPartial<HeaderMatcher>[] = [];
  if (m.method) headers.push({ name: ':method', headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'exact', value: m.method } } } });
  for (const h of firstPerName(m.headers)) headers.push(headerMatcher(h));
  return {
    pathSpecifier,
    ...(headers.length > 0 ? { headers } : {}),
    ...(m.queryParams.length > 0 ? { queryParameters: firstPerName(m.queryParams).map(queryMatcher) } : {}),
  };
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/** Go's http.CanonicalHeaderKey, which Kuma applies (`x-route` -> `X-Route`); non-token names stay. */
function canonicalHeaderKey(name: string): string {
  if (!TOKEN.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/**
 * Header edits of a modifier. A comma-separated value is several values (RFC 7230): `set` replaces
 * with the first and appends the rest, `add` appends each.
 */
function headerOptions(mod: Obj | undefined): { add: DeepPartial<HeaderValueOption>[]; remove: string[] } {
  const add: DeepPartial<HeaderValueOption>[] = [];
  const options = (h: unknown, replaceFirst: boolean) => {
    const name = strAt(h, 'name');
    if (name === undefined) return;
    const key = canonicalHeaderKey(name);
    (strAt(h, 'value') ?? '').split(',').forEach((value, i) => {
      const appendAction = replaceFirst && i === 0 ? HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD : HeaderValueOption_HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD;
      add.push({ header: { key, value }, appendAction });
    });
  };
  for (const h of listAt(mod, 'set')) options(h, true);
  for (const h of listAt(mod, 'add')) options(h, false);
  const remove = listAt(mod, 'remove').filter((n): n is string => typeof n === 'string');
  return { add, remove };
}

/** A ReplacePrefixMatch replacement for the route of a specifier (the `/x/` half keeps its slash). */
function prefixReplacement(value: string, spec: PathSpecifier): string {
  if (spec?.$case !== 'prefix' || spec.value === '/' || value.endsWith('/')) return value;
  return `${value}/`;
}

function redirectAction(r: Obj, spec: PathSpecifier): DeepPartial<RedirectAction> {
  const out: DeepPartial<RedirectAction> = {};
  const scheme = strAt(r, 'scheme');
  if (scheme !== undefined) out.schemeRewriteSpecifier = { $case: 'schemeRedirect', value: scheme };
  const host = strAt(r, 'hostname');
  if (host !== undefined) out.hostRedirect = host;
  const port = numberAt(r, 'port');
  if (port !== undefined) out.portRedirect = port;
  const path = objAt(r, 'path');
  const full = strAt(path, 'replaceFullPath');
  const prefix = strAt(path, 'replacePrefixMatch');
  if (strAt(path, 'type') === 'ReplaceFullPath' && full !== undefined) out.pathRewriteSpecifier = { $case: 'pathRedirect', value: full };
  else if (strAt(path, 'type') === 'ReplacePrefixMatch' && prefix !== undefined) out.pathRewriteSpecifier = { $case: 'prefixRewrite', value: prefixReplacement(prefix, spec) };
  const code = numberAt(r, 'statusCode');
  if (code !== undefined && REDIRECT_CODES[code] !== undefined) out.responseCode = REDIRECT_CODES[code];
  return out;
}

function applyRewrite(action: DeepPartial<RouteAction>, rw: Obj, spec: PathSpecifier): void {
  const host = strAt(rw, 'hostname');
  if (host !== undefined) action.hostRewriteSpecifier = { $case: 'hostRewriteLiteral', value: host };
  const path = objAt(rw, 'path');
  const full = strAt(path, 'replaceFullPath');
  const prefix = strAt(path, 'replacePrefixMatch');
  if (strAt(path, 'type') === 'ReplaceFullPath' && full !== undefined) action.regexRewrite = { pattern: { regex: '^.*$' }, substitution: full };
  else if (strAt(path, 'type') === 'ReplacePrefixMatch' && prefix !== undefined) action.prefixRewrite = prefixReplacement(prefix, spec);
}

/** A 0-100 percentage as Envoy's fraction: whole numbers per hundred, others per million (Kuma ConvertPercentage). */
function fractionOf(percentage: number): { numerator: number; denominator: FractionalPercent_DenominatorType } {
  if (Number.isInteger(percentage)) return { numerator: percentage, denominator: FractionalPercent_DenominatorType.HUNDRED };
  return { numerator: Math.round(percentage * 10_000), denominator: FractionalPercent_DenominatorType.MILLION };
}

/**
 * The Envoy routes of one MeshHTTPRoute route. `forward` is the route action that sends to the
 * route's backends (with the outbound's retries, timeout and hash policies); undefined when no
 * backend has weight, which answers 500 as Kuma does for a route without usable backends.
 */
export function meshHttpRoutes(details: MeshRouteDetails, forward: DeepPartial<RouteAction> | undefined): DeepPartial<Route>[] {
  return pathSpecifiers(details.match.path).map((spec) => {
    const route: DeepPartial<Route> = { match: routeMatch(details.match, spec) };
    const reqAdd: DeepPartial<HeaderValueOption>[] = [];
    const reqRemove: string[] = [];
    const resAdd: DeepPartial<HeaderValueOption>[] = [];
    const resRemove: string[] = [];
    let redirect: DeepPartial<RedirectAction> | undefined;
    const action: DeepPartial<RouteAction> | undefined = forward ? { ...forward } : undefined;
    for (const f of details.filters) {
      switch (f.type) {
        case 'RequestHeaderModifier': {
          const o = headerOptions(objAt(f, 'requestHeaderModifier'));
          reqAdd.push(...o.add);
          reqRemove.push(...o.remove);
          break;
        }
        case 'ResponseHeaderModifier': {
          const o = headerOptions(objAt(f, 'responseHeaderModifier'));
          resAdd.push(...o.add);
          resRemove.push(...o.remove);
          break;
        }
        case 'RequestRedirect':
          redirect = redirectAction(objAt(f, 'requestRedirect') ?? {}, spec);
          break;
        case 'URLRewrite':
          if (action) applyRewrite(action, objAt(f, 'urlRewrite') ?? {}, spec);
          break;
      }
    }
    if (action && details.mirrors.length > 0) {
      action.requestMirrorPolicies = details.mirrors.map((m) => ({
        cluster: m.cluster,
        ...(m.percentage !== undefined ? { runtimeFraction: { defaultValue: fractionOf(m.percentage) } } : {}),
      }));
    }
    if (reqAdd.length > 0) route.requestHeadersToAdd = reqAdd;
    if (reqRemove.length > 0) route.requestHeadersToRemove = reqRemove;
    if (resAdd.length > 0) route.responseHeadersToAdd = resAdd;
    if (resRemove.length > 0) route.responseHeadersToRemove = resRemove;
    if (redirect) route.action = { $case: 'redirect', value: redirect };
    else if (action) route.action = { $case: 'route', value: action };
    else route.action = { $case: 'directResponse', value: { status: 500 } };
    return route;
  });
}
