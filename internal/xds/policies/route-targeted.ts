/**
 * `to` confs of policies aimed at the rules of a MeshHTTPRoute rather than at a whole destination
 * (Kuma 2.14 pkg/plugins/policies/core/rules buildToListWithRoutes; docs "Targeting MeshHTTPRoute"):
 *
 * - top-level `targetRef: {kind: MeshHTTPRoute, name}`: the policy selects the proxies the route's
 *   own top-level targetRef selects, and every `to[].default` applies to each rule of the route;
 * - `to[].targetRef: {kind: MeshHTTPRoute, name}` (MADR 057) in a policy selecting the proxy: that
 *   item's `default` applies to each rule of the route.
 *
 * Either way Kuma turns the item into one per (route `to[]` MeshService, rule), keyed by the rule's
 * matches (its `__rule-matches-hash__` tag): more specific than the service, so on the Envoy routes
 * of that rule the route-level fields win over the service-level conf and the others keep it.
 * Only routes that apply to this proxy count (a rule of another proxy's route has no Envoy route
 * here). Pure; memoized per ProxyPolicies, which is immutable.
 */
import { createHash } from 'node:crypto';
import type { Resource } from '../../resources/model';
import { mergeConfs } from './merge';
import type { ProxyPolicies } from './proxy-policies';
import { ruleKeyOf } from './route-policies';
import { comparePolicies, displayNameOf, selectsProxy, targetRefOf } from './target-ref';

type Obj = Record<string, unknown>;

/** Kuma's tag for "the route whose matches hash to this value" in rule subsets. */
export const RULE_MATCHES_HASH_TAG = '__rule-matches-hash__';

export interface RouteTargetedItem {
  /** kuma.io/service the rule routes traffic to (the route's `to[]` MeshService). */
  service: string;
  /** The rule (route-policies.ts ruleKeyOf). */
  ruleKey: string;
  conf: unknown;
  policy: Resource;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The (service, rule) pairs of a MeshHTTPRoute's `to[]` MeshService items. */
function routeRules(route: Resource): { service: string; ruleKey: string }[] {
  const out: { service: string; ruleKey: string }[] = [];
  for (const to of Array.isArray(route.spec.to) ? route.spec.to : []) {
    if (!isObj(to)) continue;
    const ref = targetRefOf(to.targetRef);
    if (ref.kind !== 'MeshService' || !ref.name) continue;
    for (const rule of Array.isArray(to.rules) ? to.rules : []) {
      if (isObj(rule) && Array.isArray(rule.matches)) out.push({ service: ref.name, ruleKey: ruleKeyOf(rule.matches) });
    }
  }
  return out;
}

/** The MeshHTTPRoute a targetRef names (resource name, else display name) among those applying to this proxy. */
function routeNamed(pp: ProxyPolicies, name: string | undefined): Resource | undefined {
  if (!name) return undefined;
  const applying = pp.all('MeshHTTPRoute').filter((r) => selectsProxy(targetRefOf(r.spec.targetRef), pp.dp));
  return applying.find((r) => r.name === name) ?? applying.find((r) => displayNameOf(r) === name);
}

/** Whether a policy with a top-level MeshHTTPRoute targetRef selects this proxy: its route applies here. */
export function routeTargetSelects(pp: ProxyPolicies, policy: Resource): boolean {
  const top = targetRefOf(policy.spec.targetRef);
  return top.kind === 'MeshHTTPRoute' && routeNamed(pp, top.name) !== undefined;
}

function confsOf(policy: Resource): { targetRef: ReturnType<typeof targetRefOf>; conf: unknown }[] {
  const to = Array.isArray(policy.spec.to) ? policy.spec.to : [];
  return to.filter(isObj).map((o) => ({ targetRef: targetRefOf(o.targetRef), conf: o.default }));
}

function build(pp: ProxyPolicies, type: string): RouteTargetedItem[] {
  const out: RouteTargetedItem[] = [];
  const expand = (route: Resource | undefined, conf: unknown, policy: Resource) => {
    if (!route || !isObj(conf)) return;
    for (const r of routeRules(route)) out.push({ ...r, conf, policy });
  };
  const policies = [...pp.all(type)].sort(comparePolicies);
  for (const policy of policies) {
    const top = targetRefOf(policy.spec.targetRef);
    if (top.kind === 'MeshHTTPRoute') {
      const route = routeNamed(pp, top.name);
      for (const item of confsOf(policy)) expand(route, item.conf, policy);
    } else if (selectsProxy(top, pp.dp)) {
      for (const item of confsOf(policy)) if (item.targetRef.kind === 'MeshHTTPRoute') expand(routeNamed(pp, item.targetRef.name), item.conf, policy);
    }
  }
  return out;
}

const memo = new WeakMap<ProxyPolicies, Map<string, RouteTargetedItem[]>>();

/** Every route-targeted item of `type` for this proxy, least specific policy first. */
export function routeTargetedItems(pp: ProxyPolicies, type: string): readonly RouteTargetedItem[] {
  let byType = memo.get(pp);
  if (!byType) memo.set(pp, (byType = new Map()));
  let items = byType.get(type);
  if (!items) byType.set(type, (items = build(pp, type)));
  return items;
}

/**
 * The conf of `type` on the Envoy routes of one rule of traffic to `service`: the service-level
 * conf with the route-level items merged over it; undefined when no item targets that rule.
 */
export function routeConf(pp: ProxyPolicies, type: string, service: string, ruleKey: string | undefined): Obj | undefined {
  if (ruleKey === undefined) return undefined;
  const items = routeTargetedItems(pp, type).filter((i) => i.service === service && i.ruleKey === ruleKey);
  if (items.length === 0) return undefined;
  const base = pp.to(type, service);
  return mergeConfs([...(base ? [base] : []), ...items.map((i) => i.conf)]);
}

/** The value of the rule-matches tag for a rule, as Kuma shows it: base64 of a SHA-256 of the matches. */
export function ruleMatchesHash(ruleKey: string): string {
  return createHash('sha256').update(ruleKey).digest('base64');
}
