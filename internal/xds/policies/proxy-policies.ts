/**
 * The policies that apply to one sidecar, resolved once per (proxy, MeshContext) and memoized:
 * targetRef policies merged per destination service (`to`) or per inbound (`from` rules), and
 * legacy connection-policy selectors. Generators ask this object instead of scanning the mesh.
 */
import type { Resource } from '../../resources/model';
import type { DataplaneView, InboundView } from '../context/dataplane-view';
import { dataplaneView } from '../context/dataplane-view';
import type { MeshContext } from '../context/types';
import { mergeConfs } from './merge';
import { toRefMatchesMeshService } from './mesh-service-target';
import { type Rule, type RuleItem, buildRules } from './rules';
import { ConnectionPolicySelector } from './selectors';
import { comparePolicies, compareToItems, selectableInZone, selectsInbound, selectsProxy, targetRefOf, toRefMatchesService } from './target-ref';

type Obj = Record<string, unknown>;

export interface Item {
  targetRef: ReturnType<typeof targetRefOf>;
  conf: unknown;
  /** The policy the item comes from. */
  policy: Resource;
}

/** The `to` or `from` items of one policy, each with its targetRef read and its conf. */
export function itemsOf(policy: Resource, section: 'to' | 'from'): Item[] {
  const list = policy.spec[section];
  if (!Array.isArray(list)) return [];
  const out: Item[] = [];
  for (const it of list) {
    if (typeof it !== 'object' || it === null) continue;
    const o = it as Obj;
    // Route policies (MeshHTTPRoute, MeshTCPRoute) hold `rules[]` where others hold `default`.
    const conf = o.default ?? (Array.isArray(o.rules) ? { rules: o.rules } : undefined);
    out.push({ targetRef: targetRefOf(o.targetRef), conf, policy });
  }
  return out;
}

export class ProxyPolicies {
  readonly dp: DataplaneView;
  readonly #ctx: MeshContext;
  readonly #toItems = new Map<string, Item[]>();
  readonly #toConf = new Map<string, Obj | undefined>();
  readonly #fromRules = new Map<string, Rule[] | undefined>();
  readonly #fromMesh = new Map<string, Obj | undefined>();
  readonly #legacy = new Map<string, ConnectionPolicySelector>();
  readonly #all = new Map<string, readonly Resource[]>();
  readonly #single = new Map<string, Obj | undefined>();

  constructor(dataplane: Resource, ctx: MeshContext) {
    this.dp = dataplaneView(dataplane);
    this.#ctx = ctx;
  }

  /** Policies of a type that may select this proxy: the MeshContext's, less other zones' own. */
  all(type: string): readonly Resource[] {
    let list = this.#all.get(type);
    if (!list) {
      const held = this.#ctx.resources.get(type) ?? [];
      const kept = held.filter((p) => selectableInZone(p, this.dp));
      list = kept.length === held.length ? held : kept;
      this.#all.set(type, list);
    }
    return list;
  }

  /**
   * `to` items of the policies of `type` selecting this proxy, least specific first: the items of
   * all matched policies concatenated in policy order, then stably sorted by their own targetRef.
   */
  toItems(type: string): readonly Item[] {
    let items = this.#toItems.get(type);
    if (!items) {
      const matched = this.all(type)
        .filter((p) => selectsProxy(targetRefOf(p.spec.targetRef), this.dp))
        .sort(comparePolicies);
      items = matched.flatMap((p) => itemsOf(p, 'to')).sort(compareToItems);
      this.#toItems.set(type, items);
    }
    return items;
  }

  /** The merged `to` conf of `type` for traffic to `service`; undefined when no item applies. */
  to(type: string, service: string): Obj | undefined {
    const key = `${type}\u0000${service}`;
    if (this.#toConf.has(key)) return this.#toConf.get(key);
    // A MeshService-mode destination key (MeshContext.meshServices) is matched as that resource.
    const dest = this.#ctx.meshServices?.get(service);
    const confs = this.toItems(type)
      .filter((i) => (dest ? toRefMatchesMeshService(i.targetRef, dest) : toRefMatchesService(i.targetRef, service)))
      .map((i) => i.conf);
    const conf = confs.length > 0 ? mergeConfs(confs) : undefined;
    this.#toConf.set(key, conf);
    return conf;
  }

  /** The `from` rules of `type` for an inbound; undefined when no policy of the type selects it. */
  fromRules(type: string, inbound: InboundView): Rule[] | undefined {
    const key = `${type}\u0000${inbound.address}:${inbound.port}`;
    if (this.#fromRules.has(key)) return this.#fromRules.get(key);
    const items: RuleItem[] = this.#matchedForInbound(type, inbound).flatMap((p) => itemsOf(p, 'from'));
    const rules = items.length > 0 ? buildRules(items) : undefined;
    this.#fromRules.set(key, rules);
    return rules;
  }

  /**
   * The conf that applies to an inbound as a whole, whoever the client: the merge of the
   * `from[]` items of kind Mesh and the `rules[]` items of the policies selecting the inbound (what
   * Kuma computes for the empty client element). Used for listener-wide settings (timeouts).
   */
  fromMesh(type: string, inbound: InboundView): Obj | undefined {
    const key = `${type}\u0000${inbound.address}:${inbound.port}`;
    if (this.#fromMesh.has(key)) return this.#fromMesh.get(key);
    const confs: unknown[] = [];
    for (const p of this.#matchedForInbound(type, inbound)) {
      for (const item of itemsOf(p, 'from')) if (item.targetRef.kind === 'Mesh') confs.push(item.conf);
      const rules = p.spec.rules;
      if (Array.isArray(rules)) for (const r of rules) if (typeof r === 'object' && r !== null) confs.push((r as Obj).default);
    }
    const conf = confs.length > 0 ? mergeConfs(confs) : undefined;
    this.#fromMesh.set(key, conf);
    return conf;
  }

  #matchedForInbound(type: string, inbound: InboundView): Resource[] {
    return this.all(type)
      .filter((p) => selectsInbound(targetRefOf(p.spec.targetRef), this.dp, inbound))
      .sort(comparePolicies);
  }

  /**
   * The conf of a single-item policy (top-level `default` only: MeshTrace) for the whole proxy: the
   * `default`s of the policies selecting it merged least specific first; undefined when none does.
   */
  single(type: string): Obj | undefined {
    if (this.#single.has(type)) return this.#single.get(type);
    const confs = this.all(type)
      .filter((p) => selectsProxy(targetRefOf(p.spec.targetRef), this.dp))
      .sort(comparePolicies)
      .map((p) => p.spec.default);
    const conf = confs.length > 0 ? mergeConfs(confs) : undefined;
    this.#single.set(type, conf);
    return conf;
  }

  /** The legacy connection-policy selector of a type for this proxy. */
  legacy(type: string): ConnectionPolicySelector {
    let s = this.#legacy.get(type);
    if (!s) this.#legacy.set(type, (s = new ConnectionPolicySelector(this.all(type), this.dp.tagSets)));
    return s;
  }
}

const memo = new WeakMap<MeshContext, WeakMap<Resource, ProxyPolicies>>();

/** Drops the memoized ProxyPolicies of a proxy in a context (outbound-plan.ts forgetProxyPlans says when). */
export function forgetProxyPolicies(dataplane: Resource, ctx: MeshContext): void {
  memo.get(ctx)?.delete(dataplane);
}

/** The ProxyPolicies of a proxy in a MeshContext (memoized: both objects are immutable). */
export function proxyPolicies(dataplane: Resource, ctx: MeshContext): ProxyPolicies {
  let byDp = memo.get(ctx);
  if (!byDp) memo.set(ctx, (byDp = new WeakMap()));
  let p = byDp.get(dataplane);
  if (!p) byDp.set(dataplane, (p = new ProxyPolicies(dataplane, ctx)));
  return p;
}
