/**
 * What the inspection routes say about one sidecar, from the same matchers the generators use
 * (matched-policies.ts, ProxyPolicies): pure, a Dataplane and its MeshContext in, plain values out.
 *
 * - `inspectEntries`: Kuma 2.14's `/meshes/{m}/dataplanes/{n}/policies` (DataplaneInspectEntry):
 *   one entry per attachment (`dataplane`, `inbound <addr>:<port>:<servicePort>`, `outbound
 *   <addr>:<port>`, `service <name>`) with the policies attached there, by type. targetRef `to`
 *   items attach to the destination services they reach (a `to: Mesh` item without destinations to
 *   the dataplane), `from` and `rules` to the inbounds they select, policies with only a top-level
 *   conf to the dataplane.
 * - `inspectRules`: Kuma's `_rules` (InspectRule per type): `toRules` from the `to[]` items in merge
 *   order, `fromRules` per inbound from `from[]`, `inboundRules` per inbound from `rules[]`; items
 *   aimed at a MeshHTTPRoute's rules (route-targeted.ts) count as `{kuma.io/service, __rule-matches-hash__}`
 *   subsets, as Kuma builds them, and `inspectHttpMatches` says which matches each hash stands for.
 * - `policyAttachments`: where one policy attaches on one proxy (`/{policy}/{name}/dataplanes`).
 */
import type { Resource } from '../../resources/model';
import type { InboundView } from '../context/dataplane-view';
import type { MeshContext } from '../context/types';
import { outboundListenerName, inboundListenerName } from '../generators/envoy/names';
import { outboundPlans } from '../generators/sidecar/outbound-plan';
import { mergeConfs } from './merge';
import { type MatchedPolicy, matchedPolicies } from './matched-policies';
import { proxyPolicies } from './proxy-policies';
import { type Rule, type RuleItem, buildRules } from './rules';
import { RULE_MATCHES_HASH_TAG, routeTargetSelects, routeTargetedItems, ruleMatchesHash } from './route-targeted';
import { comparePolicies, selectableInZone, selectsInbound, selectsProxy, targetRefOf } from './target-ref';

export type AttachmentType = 'dataplane' | 'inbound' | 'outbound' | 'service';

export interface Attachment {
  type: AttachmentType;
  name: string;
  service: string;
}

export interface InspectEntry extends Attachment {
  /** Policies by type (types sorted), each list in merge order. */
  matchedPolicies: Map<string, Resource[]>;
}

type Obj = Record<string, unknown>;

const ATTACHMENT_ORDER: Record<AttachmentType, number> = { dataplane: 0, inbound: 1, outbound: 2, service: 3 };

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function listOf(policy: Resource, section: string): Obj[] {
  const l = policy.spec[section];
  return Array.isArray(l) ? l.filter(isObj) : [];
}

/** Policies with a top-level conf only (no to/from/rules): they shape the proxy as a whole. */
function isProxyWide(policy: Resource): boolean {
  return isObj(policy.spec.default) && listOf(policy, 'to').length === 0 && listOf(policy, 'from').length === 0 && listOf(policy, 'rules').length === 0;
}

function inboundsOf(ctx: MeshContext, dataplane: Resource): InboundView[] {
  return proxyPolicies(dataplane, ctx).dp.inbounds.filter((i) => i.state !== 'Ignored' && i.port > 0);
}

/** Every (attachment, policy) pair of a proxy, legacy and targetRef alike. */
function attachmentsOf(dataplane: Resource, ctx: MeshContext, isTargetRef: (type: string) => boolean): { at: Attachment; policy: Resource }[] {
  const pp = proxyPolicies(dataplane, ctx);
  const inbounds = new Map(inboundsOf(ctx, dataplane).map((i) => [inboundListenerName(i.address, i.port), i]));
  const outbounds = new Map(outboundPlans(dataplane, ctx).map((p) => [outboundListenerName(p.outbound.address, p.outbound.port), p.outbound]));
  const byName = new Map<string, Resource>();
  for (const [type, list] of ctx.resources) for (const r of list) byName.set(`${type}\u0000${r.name}`, r);
  const out: { at: Attachment; policy: Resource }[] = [];
  const push = (m: MatchedPolicy, at: Attachment) => {
    const policy = byName.get(`${m.type}\u0000${m.name}`);
    if (policy) out.push({ at, policy });
  };
  for (const m of matchedPolicies(dataplane, ctx, isTargetRef)) {
    switch (m.section) {
      case 'to':
      case 'service':
        if (m.appliesTo.length === 0) push(m, { type: 'dataplane', name: '', service: '' });
        for (const s of m.appliesTo) push(m, { type: 'service', name: s, service: s });
        break;
      case 'from':
      case 'rules':
      case 'inbound':
        for (const l of m.appliesTo) {
          const i = inbounds.get(l);
          if (i) push(m, { type: 'inbound', name: `${i.address}:${i.port}:${i.servicePort}`, service: i.service });
        }
        break;
      case 'outbound':
        for (const l of m.appliesTo) {
          const o = outbounds.get(l);
          if (o) push(m, { type: 'outbound', name: `${o.address}:${o.port}`, service: o.service });
        }
        break;
    }
  }
  for (const [type, list] of ctx.resources) {
    if (!isTargetRef(type)) continue;
    for (const p of list) if (isProxyWide(p) && selectsProxy(targetRefOf(p.spec.targetRef), pp.dp)) out.push({ at: { type: 'dataplane', name: '', service: '' }, policy: p });
  }
  return out;
}

function attachmentKey(a: Attachment): string {
  return `${a.type}\u0000${a.name}\u0000${a.service}`;
}

function compareAttachments(a: Attachment, b: Attachment): number {
  return ATTACHMENT_ORDER[a.type] - ATTACHMENT_ORDER[b.type] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Kuma 2.14's DataplaneInspectEntry list of a proxy: attachments in dataplane, inbound, outbound, service order. */
export function inspectEntries(dataplane: Resource, ctx: MeshContext, isTargetRef: (type: string) => boolean): InspectEntry[] {
  const byKey = new Map<string, InspectEntry>();
  for (const { at, policy } of attachmentsOf(dataplane, ctx, isTargetRef)) {
    const k = attachmentKey(at);
    let e = byKey.get(k);
    if (!e) byKey.set(k, (e = { ...at, matchedPolicies: new Map() }));
    let list = e.matchedPolicies.get(policy.type);
    if (!list) e.matchedPolicies.set(policy.type, (list = []));
    if (!list.includes(policy)) list.push(policy);
  }
  const entries = [...byKey.values()].sort(compareAttachments);
  for (const e of entries) {
    const sorted = new Map([...e.matchedPolicies.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const list of sorted.values()) list.sort(comparePolicies);
    e.matchedPolicies = sorted;
  }
  return entries;
}

/** Where `policy` attaches on `dataplane`; empty when it does not shape the proxy. */
export function policyAttachments(policy: Resource, dataplane: Resource, ctx: MeshContext, isTargetRef: (type: string) => boolean): Attachment[] {
  const seen = new Map<string, Attachment>();
  for (const { at, policy: p } of attachmentsOf(dataplane, ctx, isTargetRef)) if (p.type === policy.type && p.name === policy.name) seen.set(attachmentKey(at), at);
  return [...seen.values()].sort(compareAttachments);
}

/** Whether a targetRef policy's top-level targetRef selects the proxy (Kuma `_resources/dataplanes`). */
export function topLevelSelects(policy: Resource, dataplane: Resource, ctx: MeshContext): boolean {
  const pp = proxyPolicies(dataplane, ctx);
  return selectableInZone(policy, pp.dp) && (selectsProxy(targetRefOf(policy.spec.targetRef), pp.dp) || routeTargetSelects(pp, policy));
}

export interface InboundRef {
  name?: string;
  tags: Record<string, string>;
  port: number;
}

export interface InspectRule {
  type: string;
  proxyRule?: { conf: Obj; origin: Resource[] };
  toRules?: Rule[];
  fromRules?: { inbound: InboundRef; rules: Rule[] }[];
  inboundRules?: { inbound: InboundRef; rules: { conf: Obj[]; origin: { policy: Resource; ruleIndex: number }[] }[] }[];
  warnings: string[];
}

function inboundRef(i: InboundView): InboundRef {
  return { ...(i.name ? { name: i.name } : {}), tags: i.tags, port: i.port };
}

/** A route-targeted item as Kuma's artificial one: the rule's service and its matches hash. */
function routeRuleItem(i: ReturnType<typeof routeTargetedItems>[number]): RuleItem {
  return { targetRef: { kind: 'MeshServiceSubset', name: i.service, tags: { [RULE_MATCHES_HASH_TAG]: ruleMatchesHash(i.ruleKey) } }, conf: i.conf, policy: i.policy };
}

/** Kuma's `_rules` `httpMatches`: per rule-matches hash used in the toRules, the matches it stands for; sorted by hash. */
export function inspectHttpMatches(dataplane: Resource, ctx: MeshContext, isTargetRef: (type: string) => boolean): { hash: string; match: unknown[] }[] {
  const pp = proxyPolicies(dataplane, ctx);
  const byHash = new Map<string, unknown[]>();
  for (const type of [...ctx.resources.keys()].filter(isTargetRef)) {
    for (const i of routeTargetedItems(pp, type)) byHash.set(ruleMatchesHash(i.ruleKey), JSON.parse(i.ruleKey) as unknown[]);
  }
  return [...byHash].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([hash, match]) => ({ hash, match }));
}

/** Kuma's `_rules` of a proxy: one InspectRule per targetRef policy type that has any, types sorted. */
export function inspectRules(dataplane: Resource, ctx: MeshContext, isTargetRef: (type: string) => boolean): InspectRule[] {
  const pp = proxyPolicies(dataplane, ctx);
  const inbounds = inboundsOf(ctx, dataplane);
  const out: InspectRule[] = [];
  for (const type of [...ctx.resources.keys()].filter(isTargetRef).sort()) {
    const rule: InspectRule = { type, warnings: [] };
    const all = pp.all(type);
    const wide = all.filter((p) => isProxyWide(p) && selectsProxy(targetRefOf(p.spec.targetRef), pp.dp)).sort(comparePolicies);
    if (wide.length > 0) rule.proxyRule = { conf: mergeConfs(wide.map((p) => p.spec.default)), origin: wide };
    const toItems: RuleItem[] = [...pp.toItems(type), ...routeTargetedItems(pp, type).map(routeRuleItem)];
    if (toItems.length > 0) rule.toRules = buildRules(toItems);
    const from: NonNullable<InspectRule['fromRules']> = [];
    const inboundRules: NonNullable<InspectRule['inboundRules']> = [];
    for (const i of inbounds) {
      const matched = all.filter((p) => selectsInbound(targetRefOf(p.spec.targetRef), pp.dp, i)).sort(comparePolicies);
      const rules = pp.fromRules(type, i);
      if (rules && rules.length > 0) from.push({ inbound: inboundRef(i), rules });
      const items = matched.flatMap((p) => listOf(p, 'rules').map((r, ruleIndex) => ({ conf: r.default, origin: { policy: p, ruleIndex } })));
      if (items.length > 0) inboundRules.push({ inbound: inboundRef(i), rules: [{ conf: [mergeConfs(items.map((x) => x.conf))], origin: items.map((x) => x.origin) }] });
    }
    if (from.length > 0) rule.fromRules = from;
    if (inboundRules.length > 0) rule.inboundRules = inboundRules;
    if (rule.proxyRule || rule.toRules || rule.fromRules || rule.inboundRules) out.push(rule);
  }
  return out;
}

export interface LayoutInbound {
  /** The inbound's section: its name, else its port. */
  sectionName: string;
  port: number;
  protocol: string;
  /** The Envoy listener (and stat prefix) of the inbound. */
  proxyResourceName: string;
  inbound: InboundView;
}

/** Kuma's `_layout` inbounds (DataplaneInbound): every inbound the proxy serves, in declaration order. */
export function layoutInbounds(dataplane: Resource, ctx: MeshContext): LayoutInbound[] {
  return inboundsOf(ctx, dataplane).map((i) => ({
    sectionName: i.name ?? String(i.port),
    port: i.port,
    protocol: i.tags['kuma.io/protocol'] ?? 'tcp',
    proxyResourceName: inboundListenerName(i.address, i.port),
    inbound: i,
  }));
}

export interface InboundPolicyConf {
  kind: string;
  conf: Obj;
  origins: Resource[];
}

/**
 * Kuma's `_inbounds/{kri}/_policies` (InboundPolicyConf): per targetRef type the conf that applies
 * to the inbound whoever the client, i.e. `rules[]` and the `from[]` items of kind Mesh (Kuma's
 * from-as-rules conversion), merged in policy order, with the policies that contributed.
 */
export function inboundPolicies(dataplane: Resource, ctx: MeshContext, isTargetRef: (type: string) => boolean, inbound: InboundView): InboundPolicyConf[] {
  const pp = proxyPolicies(dataplane, ctx);
  const out: InboundPolicyConf[] = [];
  for (const type of [...ctx.resources.keys()].filter(isTargetRef).sort()) {
    const conf = pp.fromMesh(type, inbound);
    if (!conf) continue;
    const origins = pp
      .all(type)
      .filter((p) => selectsInbound(targetRefOf(p.spec.targetRef), pp.dp, inbound))
      .filter((p) => listOf(p, 'rules').length > 0 || listOf(p, 'from').some((f) => targetRefOf(f.targetRef).kind === 'Mesh'))
      .sort(comparePolicies);
    out.push({ kind: type, conf, origins });
  }
  return out;
}

/** Kuma's `_policies` (PolicyConf): policies with only a top-level conf, merged per type. */
export function proxyPoliciesConf(dataplane: Resource, ctx: MeshContext, isTargetRef: (type: string) => boolean): InboundPolicyConf[] {
  return inspectRules(dataplane, ctx, isTargetRef).flatMap((r) => (r.proxyRule ? [{ kind: r.type, conf: r.proxyRule.conf, origins: r.proxyRule.origin }] : []));
}
