/**
 * MeshHTTPRoute (spec kuma-api-cli.md §1.11; Kuma meshhttproute api/v1alpha1 meshhttproute.go,
 * validation.go): `to[]` items `{targetRef, hostnames, rules[]}`, each rule `{matches[], default:
 * {filters[], backendRefs[]}}`. Enum values are checked too (Kuma's schema does that on Universal).
 */
import { VALUE, message } from '../schema/field-schema';
import { HEADER_MATCH, TARGET_REF } from '../schema/target-ref-fields';
import {
  MUST_BE_DEFINED,
  MUST_NOT_BE_DEFINED,
  type Violations,
  checkDecimalPercentage,
  checkEnum,
  isIP,
  isObject,
  isUnset,
  listAt,
  mustHaveAtLeastOne,
  objectAt,
} from '../validation';
import { BACKEND_REF, ROUTE_TOP_KINDS, checkBackendRefs, routeToKinds } from './route-backend-refs';
import { type ConfContext, type TargetRefPolicyShape, checkTargetRef, defineTargetRefPolicy } from './target-ref-policy';

export const PATH_MATCH_TYPES = ['Exact', 'PathPrefix', 'RegularExpression'] as const;
export const HEADER_MATCH_TYPES = ['Exact', 'Present', 'RegularExpression', 'Absent', 'Prefix'] as const;
const QUERY_MATCH_TYPES = ['Exact', 'RegularExpression'];
const METHODS = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'];
const FILTER_TYPES = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite', 'RequestMirror'];
const PATH_REWRITE_TYPES = ['ReplaceFullPath', 'ReplacePrefixMatch'];
const REDIRECT_CODES = [301, 302, 303, 307, 308];

const HEADER_KV = message({ name: VALUE, value: VALUE });
const HEADER_MODIFIER = message({ set: HEADER_KV, add: HEADER_KV, remove: VALUE });
const PATH_REWRITE = message({ type: VALUE, replaceFullPath: VALUE, replacePrefixMatch: VALUE });

const RULE = message({
  matches: message({
    path: message({ type: VALUE, value: VALUE }),
    method: VALUE,
    queryParams: message({ type: VALUE, name: VALUE, value: VALUE }),
    headers: HEADER_MATCH,
  }),
  default: message({
    filters: message({
      type: VALUE,
      requestHeaderModifier: HEADER_MODIFIER,
      responseHeaderModifier: HEADER_MODIFIER,
      requestRedirect: message({ scheme: VALUE, hostname: VALUE, path: PATH_REWRITE, port: VALUE, statusCode: VALUE }),
      urlRewrite: message({ hostname: VALUE, path: PATH_REWRITE, hostToBackendHostname: VALUE }),
      requestMirror: message({ percentage: VALUE, backendRef: TARGET_REF }),
    }),
    backendRefs: BACKEND_REF,
  }),
});

function checkPath(vs: Violations, field: string, path: unknown): void {
  const p = objectAt(vs, field, path);
  if (!p) return;
  if (isUnset(p.type)) vs.add(`${field}.type`, MUST_BE_DEFINED);
  else checkEnum(vs, `${field}.type`, p.type, PATH_MATCH_TYPES);
  if (typeof p.value !== 'string' || p.value === '') {
    vs.add(`${field}.value`, MUST_BE_DEFINED);
    return;
  }
  const value = p.value;
  if (p.type === 'PathPrefix' && value !== '/') {
    if (value.endsWith('/')) vs.add(`${field}.value`, 'does not need a trailing slash because only a `/`-separated prefix or an entire path is matched');
    if (!value.startsWith('/')) vs.add(`${field}.value`, 'must be an absolute path');
  } else if (p.type === 'Exact' && !value.startsWith('/')) {
    vs.add(`${field}.value`, 'must be an absolute path');
  }
}

function checkHeaders(vs: Violations, field: string, headers: unknown): void {
  listAt(vs, field, headers).forEach((h, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(h)) {
      vs.add(f, 'must be an object');
      return;
    }
    if (typeof h.name !== 'string' || h.name === '') vs.add(`${f}.name`, MUST_BE_DEFINED);
    checkEnum(vs, `${f}.type`, h.type, HEADER_MATCH_TYPES);
    if ((h.type === 'Present' || h.type === 'Absent') && !isUnset(h.value) && h.value !== '') vs.add(`${f}.value`, MUST_NOT_BE_DEFINED);
  });
}

function checkQueryParams(vs: Violations, field: string, params: unknown): void {
  const seen = new Set<unknown>();
  listAt(vs, field, params).forEach((q, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(q)) {
      vs.add(f, 'must be an object');
      return;
    }
    if (isUnset(q.type)) vs.add(`${f}.type`, MUST_BE_DEFINED);
    else checkEnum(vs, `${f}.type`, q.type, QUERY_MATCH_TYPES);
    if (typeof q.name !== 'string' || q.name === '') vs.add(`${f}.name`, MUST_BE_DEFINED);
    else if (seen.has(q.name)) vs.add(`${f}.name`, `multiple entries for name ${q.name}`);
    seen.add(q.name);
  });
}

function checkMatches(vs: Violations, field: string, matches: unknown): unknown[] {
  const list = listAt(vs, field, matches);
  if (isUnset(matches) || list.length === 0) vs.add(field, 'must have at least one element');
  list.forEach((m, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(m)) {
      vs.add(f, 'must be an object');
      return;
    }
    checkPath(vs, `${f}.path`, m.path);
    checkEnum(vs, `${f}.method`, m.method, METHODS);
    checkQueryParams(vs, `${f}.queryParams`, m.queryParams);
    checkHeaders(vs, `${f}.headers`, m.headers);
  });
  return list;
}

// k8s IsDNS1123Subdomain, what Kuma's validatePreciseHostname reports.
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkPreciseHostname(vs: Violations, field: string, v: unknown): void {
  if (isUnset(v)) return;
  if (typeof v !== 'string') {
    vs.add(field, 'must be a string');
    return;
  }
  if (isIP(v)) {
    vs.add(field, 'cannot be an IP address');
    return;
  }
  if (v.length > 253) vs.add(field, 'must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(v)) {
    vs.add(
      field,
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
}

function checkHeaderModifier(vs: Violations, field: string, mod: Record<string, unknown>): void {
  if (isUnset(mod.set) && isUnset(mod.add) && isUnset(mod.remove)) {
    vs.add(field, mustHaveAtLeastOne('set', 'add', 'remove'));
    return;
  }
  const names = new Set<string>();
  const once = (f: string, name: unknown) => {
    if (typeof name !== 'string' || name === '') {
      vs.add(f, MUST_BE_DEFINED);
      return;
    }
    // Header names are case-insensitive.
    const key = name.toLowerCase();
    if (names.has(key)) vs.add(f, 'duplicate header name');
    names.add(key);
  };
  for (const section of ['set', 'add'] as const) {
    listAt(vs, `${field}.${section}`, mod[section]).forEach((h, i) => once(`${field}.${section}[${i}].name`, isObject(h) ? h.name : undefined));
  }
  listAt(vs, `${field}.remove`, mod.remove).forEach((name, i) => once(`${field}.remove[${i}].name`, name));
}

/** hasAnyMatchesWithoutPrefix: a prefix rewrite needs every match to be a path prefix. */
function allPrefixMatches(matches: unknown[]): boolean {
  return matches.every((m) => isObject(m) && isObject(m.path) && m.path.type === 'PathPrefix');
}

function checkPathRewrite(vs: Violations, field: string, path: unknown, matches: unknown[]): void {
  const p = objectAt(vs, field, path);
  if (!p) return;
  if (isUnset(p.type)) vs.add(`${field}.type`, MUST_BE_DEFINED);
  else checkEnum(vs, `${field}.type`, p.type, PATH_REWRITE_TYPES);
  if (p.type === 'ReplaceFullPath' && typeof p.replaceFullPath !== 'string') vs.add(`${field}.replaceFullPath`, MUST_BE_DEFINED);
  if (p.type === 'ReplacePrefixMatch' && typeof p.replacePrefixMatch !== 'string') vs.add(`${field}.replacePrefixMatch`, MUST_BE_DEFINED);
  if (!isUnset(p.replacePrefixMatch) && !allPrefixMatches(matches)) {
    vs.add(`${field}.replacePrefixMatch`, 'can only appear if all matches match a path prefix');
  }
}

function checkFilters(vs: Violations, field: string, filters: unknown, matches: unknown[], ctx: ConfContext): unknown[] {
  const list = listAt(vs, field, filters);
  list.forEach((filter, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(filter)) {
      vs.add(f, 'must be an object');
      return;
    }
    if (isUnset(filter.type)) {
      vs.add(`${f}.type`, MUST_BE_DEFINED);
      return;
    }
    checkEnum(vs, `${f}.type`, filter.type, FILTER_TYPES);
    switch (filter.type) {
      case 'RequestHeaderModifier':
      case 'ResponseHeaderModifier': {
        const key = filter.type === 'RequestHeaderModifier' ? 'requestHeaderModifier' : 'responseHeaderModifier';
        const mod = objectAt(vs, `${f}.${key}`, filter[key]);
        if (!mod) vs.add(`${f}.${key}`, MUST_BE_DEFINED);
        else checkHeaderModifier(vs, `${f}.${key}`, mod);
        break;
      }
      case 'RequestRedirect': {
        const r = objectAt(vs, `${f}.requestRedirect`, filter.requestRedirect);
        if (!r) {
          vs.add(`${f}.requestRedirect`, MUST_BE_DEFINED);
          break;
        }
        checkEnum(vs, `${f}.requestRedirect.scheme`, r.scheme, ['http', 'https']);
        checkPreciseHostname(vs, `${f}.requestRedirect.hostname`, r.hostname);
        checkPathRewrite(vs, `${f}.requestRedirect.path`, r.path, matches);
        if (!isUnset(r.port) && (typeof r.port !== 'number' || !Number.isInteger(r.port) || r.port < 1 || r.port > 65535)) {
          vs.add(`${f}.requestRedirect.port`, 'port must be a valid (1-65535)');
        }
        if (!isUnset(r.statusCode) && !REDIRECT_CODES.includes(r.statusCode as number)) {
          vs.add(`${f}.requestRedirect.statusCode`, `must be one of: ${REDIRECT_CODES.join(', ')}`);
        }
        break;
      }
      case 'URLRewrite': {
        const r = objectAt(vs, `${f}.urlRewrite`, filter.urlRewrite);
        if (!r) {
          vs.add(`${f}.urlRewrite`, MUST_BE_DEFINED);
          break;
        }
        checkPreciseHostname(vs, `${f}.urlRewrite.hostname`, r.hostname);
        checkPathRewrite(vs, `${f}.urlRewrite.path`, r.path, matches);
        if (r.hostToBackendHostname === true) {
          if (ctx.topKind !== 'MeshGateway') vs.add(`${f}.urlRewrite.hostToBackendHostname`, 'can only be set with MeshGateway');
          if (!isUnset(r.hostname)) vs.add(`${f}.urlRewrite.hostToBackendHostname`, 'cannot be set together with hostname');
        }
        break;
      }
      case 'RequestMirror': {
        const m = objectAt(vs, `${f}.requestMirror`, filter.requestMirror);
        if (!m) {
          vs.add(`${f}.requestMirror`, MUST_BE_DEFINED);
          break;
        }
        if (isUnset(m.backendRef)) vs.add(`${f}.requestMirror.backendRef.kind`, MUST_BE_DEFINED);
        else checkTargetRef(vs, `${f}.requestMirror.backendRef`, m.backendRef, ['MeshService', 'MeshServiceSubset']);
        checkDecimalPercentage(vs, `${f}.requestMirror.percentage`, m.percentage);
        break;
      }
    }
  });
  return list;
}

function checkItem(vs: Violations, field: string, item: Record<string, unknown>, ctx: ConfContext): void {
  if (ctx.topKind !== 'MeshGateway' && Array.isArray(item.hostnames) && item.hostnames.length > 0) vs.add(`${field}.hostnames`, MUST_NOT_BE_DEFINED);
  listAt(vs, `${field}.rules`, item.rules).forEach((rule, i) => {
    const f = `${field}.rules[${i}]`;
    if (!isObject(rule)) {
      vs.add(f, 'must be an object');
      return;
    }
    const matches = checkMatches(vs, `${f}.matches`, rule.matches);
    const conf = objectAt(vs, `${f}.default`, rule.default) ?? {};
    const filters = checkFilters(vs, `${f}.default.filters`, conf.filters, matches, ctx);
    const refs = checkBackendRefs(vs, `${f}.default.backendRefs`, conf.backendRefs);
    // A gateway rule must send somewhere unless it redirects.
    if (ctx.topKind === 'MeshGateway' && refs.length === 0 && !filters.some((x) => isObject(x) && x.type === 'RequestRedirect')) {
      vs.add(`${f}.default.backendRefs`, 'must not be empty');
    }
  });
}

const shape: TargetRefPolicyShape = {
  topKinds: ROUTE_TOP_KINDS,
  to: { kinds: routeToKinds, conf: () => {}, fields: message({}), item: { check: checkItem, fields: { hostnames: VALUE, rules: RULE } } },
};

export const meshHttpRoute = defineTargetRefPolicy(
  { name: 'MeshHTTPRoute', path: 'meshhttproutes', shortName: 'mhttpr', singularDisplayName: 'Mesh HTTP Route', pluralDisplayName: 'Mesh HTTP Routes' },
  shape,
);
