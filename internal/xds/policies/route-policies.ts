/**
 * MeshHTTPRoute and MeshTCPRoute resolution for one outbound of a sidecar (Kuma
 * pkg/plugins/policies/meshhttproute: api/v1alpha1/compare.go SortRules, plugin merge; meshtcproute
 * plugin). Pure: the proxy's matched `to[]` items in, the routes of one destination service out.
 *
 * MeshHTTPRoute:
 * - the `to[]` items of kind MeshService naming the outbound service, from every policy whose top
 *   targetRef selects the proxy, least specific first (ProxyPolicies.toItems order);
 * - a match without a path gets `PathPrefix /` (Kuma To.GetDefault), so it merges and sorts as one;
 * - their `rules[]` concatenated in that order; rules with equal `matches` (Kuma `mergeKey`) are one
 *   rule whose `default` is merged field by field, the later (more specific) policy winning, lists
 *   replaced whole;
 * - each match of each rule is its own route, stably sorted by Gateway API precedence as Kuma's
 *   CompareMatch: a path before none; Exact, then PathPrefix, then RegularExpression; within prefix
 *   or regex the longer value first; a method before none; more header matches first; more query
 *   parameter matches first;
 * - a rule without backendRefs goes to the outbound service; a catch-all `PathPrefix /` route to
 *   the outbound service is appended unless a route already matches everything.
 *
 * MeshTCPRoute: the first rule's `default` of each matching item merged in the same order; its
 * backendRefs replace the outbound's default destination.
 */
import { TAG } from '../../resources/model';
import { canonicalJson } from '../context/mesh-context';
import { mergeConfs } from './merge';
import type { Item } from './proxy-policies';

type Obj = Record<string, unknown>;

export interface HttpMatch {
  path?: { type: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string };
  method?: string;
  headers: Obj[];
  queryParams: Obj[];
}

export interface BackendRef {
  kind: string;
  /** kuma.io/service of the backend. */
  name: string;
  /** MeshServiceSubset tags (kuma.io/service excluded). */
  tags: Record<string, string>;
  weight: number;
}

export interface ResolvedHttpRoute {
  match: HttpMatch;
  /**
   * The rule the route comes from (ruleKeyOf its `matches`); policies targeting a MeshHTTPRoute
   * name rules by it (Kuma's `__rule-matches-hash__`). Undefined for the appended catch-all.
   */
  ruleKey?: string;
  filters: Obj[];
  backendRefs: BackendRef[];
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function itemsFor(items: readonly Item[], service: string): Item[] {
  return items.filter((i) => i.targetRef.kind === 'MeshService' && i.targetRef.name === service);
}

/**
 * A backendRef as a destination; undefined for kinds this CP does not route to
 * (MeshMultiZoneService). A MeshExternalService is named by its resource or display name
 * (mesh-route-plan.ts finds its destination).
 */
export function backendRefOf(raw: unknown): BackendRef | undefined {
  if (!isObj(raw) || typeof raw.name !== 'string') return undefined;
  const kind = raw.kind;
  if (kind !== 'MeshService' && kind !== 'MeshServiceSubset' && kind !== 'MeshExternalService') return undefined;
  const tags: Record<string, string> = {};
  if (kind === 'MeshServiceSubset' && isObj(raw.tags)) {
    for (const [k, v] of Object.entries(raw.tags)) if (k !== TAG.service && typeof v === 'string') tags[k] = v;
  }
  const weight = typeof raw.weight === 'number' ? raw.weight : 1;
  return { kind, name: raw.name, tags, weight };
}

function backendRefsOf(list: unknown, service: string): BackendRef[] {
  if (!Array.isArray(list) || list.length === 0) return [{ kind: 'MeshService', name: service, tags: {}, weight: 1 }];
  return list.map(backendRefOf).filter((b): b is BackendRef => b !== undefined);
}

function matchOf(raw: unknown): HttpMatch {
  const m = isObj(raw) ? raw : {};
  const out: HttpMatch = {
    headers: Array.isArray(m.headers) ? m.headers.filter(isObj) : [],
    queryParams: Array.isArray(m.queryParams) ? m.queryParams.filter(isObj) : [],
  };
  if (isObj(m.path) && typeof m.path.value === 'string') out.path = { type: (m.path.type as NonNullable<HttpMatch['path']>['type']) ?? 'PathPrefix', value: m.path.value };
  if (typeof m.method === 'string') out.method = m.method;
  return out;
}

/** A match without a path matches every path: Kuma (To.GetDefault) gives it `PathPrefix /` before merging and sorting. */
function withPath(m: unknown): unknown {
  return isObj(m) && m.path === undefined ? { ...m, path: { type: 'PathPrefix', value: '/' } } : m;
}

/** The identity of a rule: its matches, each without a path read as `PathPrefix /` (Kuma HashMatches after To.GetDefault). */
export function ruleKeyOf(matches: readonly unknown[]): string {
  return canonicalJson(matches.map(withPath));
}

const PATH_RANK = { Exact: 0, PathPrefix: 1, RegularExpression: 2 } as const;

function comparePath(a: HttpMatch['path'], b: HttpMatch['path']): number {
  if (a && !b) return -1;
  if (!a && b) return 1;
  if (!a || !b) return 0;
  if (a.type !== b.type) return PATH_RANK[a.type] - PATH_RANK[b.type];
  return a.type === 'Exact' ? 0 : b.value.length - a.value.length;
}

/** Kuma CompareMatch: negative when `a` takes precedence. */
export function compareMatch(a: HttpMatch, b: HttpMatch): number {
  return (
    comparePath(a.path, b.path) ||
    (a.method !== undefined ? 0 : 1) - (b.method !== undefined ? 0 : 1) ||
    b.headers.length - a.headers.length ||
    b.queryParams.length - a.queryParams.length
  );
}

function matchesEverything(m: HttpMatch): boolean {
  return m.method === undefined && m.headers.length === 0 && m.queryParams.length === 0 && (!m.path || (m.path.type === 'PathPrefix' && m.path.value === '/'));
}

/** The routes of traffic to `service`; undefined when no MeshHTTPRoute item applies. */
export function resolveHttpRoutes(items: readonly Item[], service: string): ResolvedHttpRoute[] | undefined {
  const applying = itemsFor(items, service);
  if (applying.length === 0) return undefined;
  const rules = new Map<string, { matches: unknown[]; confs: unknown[] }>();
  for (const item of applying) {
    const list = isObj(item.conf) && Array.isArray(item.conf.rules) ? item.conf.rules : [];
    for (const rule of list) {
      if (!isObj(rule) || !Array.isArray(rule.matches)) continue;
      const matches = rule.matches.map(withPath);
      const key = ruleKeyOf(rule.matches);
      let r = rules.get(key);
      if (!r) rules.set(key, (r = { matches, confs: [] }));
      r.confs.push(rule.default);
    }
  }
  const routes: ResolvedHttpRoute[] = [];
  for (const [ruleKey, r] of rules) {
    const conf = mergeConfs(r.confs);
    const filters = Array.isArray(conf.filters) ? conf.filters.filter(isObj) : [];
    const backendRefs = backendRefsOf(conf.backendRefs, service);
    for (const m of r.matches) routes.push({ match: matchOf(m), ruleKey, filters, backendRefs });
  }
  // Array.prototype.sort is stable, as Kuma's SortStableFunc.
  routes.sort((a, b) => compareMatch(a.match, b.match));
  if (!routes.some((r) => matchesEverything(r.match))) {
    routes.push({ match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] }, filters: [], backendRefs: backendRefsOf(undefined, service) });
  }
  return routes;
}

/** The backendRefs of MeshTCPRoutes for traffic to `service`; undefined when none applies. */
export function resolveTcpRoute(items: readonly Item[], service: string): BackendRef[] | undefined {
  const applying = itemsFor(items, service);
  if (applying.length === 0) return undefined;
  const confs: unknown[] = [];
  for (const item of applying) {
    const rules = isObj(item.conf) && Array.isArray(item.conf.rules) ? item.conf.rules : [];
    const first = rules[0];
    if (isObj(first)) confs.push(first.default);
  }
  if (confs.length === 0) return undefined;
  return backendRefsOf(mergeConfs(confs).backendRefs, service);
}
