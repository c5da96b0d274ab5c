/**
 * Which policies shape one sidecar's config, and where: what `GET /meshes/{m}/dataplanes/{name}/policies`
 * and `kuma inspect dataplane NAME --type policies` list. It asks the same matchers the generators
 * use (ProxyPolicies, the outbound plans), so an entry here means the policy is an input of the
 * proxy's Envoy config:
 *
 * - targetRef policies whose top-level targetRef selects the proxy: one entry per `to[]` item that
 *   reaches a destination of the proxy (or any destination: kind Mesh), one per `from[]` item and
 *   one for the `rules[]` section when the top-level targetRef selects at least one inbound;
 *   policies of a type are listed in merge order (least specific first: the last one wins);
 * - legacy policies where the generators still use them: TrafficPermission on inbounds without
 *   MeshTrafficPermission rules, TrafficRoute on outbounds, Timeout / CircuitBreaker / HealthCheck /
 *   Retry on destination services without a conf of their targetRef counterpart.
 *
 * Pure: a Dataplane and its MeshContext in, plain values out.
 */
import type { Resource } from '../../resources/model';
import type { InboundView } from '../context/dataplane-view';
import type { MeshContext } from '../context/types';
import { inboundListenerName, outboundListenerName } from '../generators/envoy/names';
import { outboundPlans } from '../generators/sidecar/outbound-plan';
import { proxyPolicies } from './proxy-policies';
import { selectInboundMatchingPolicies } from './selectors';
import { type TargetRef, comparePolicies, selectsInbound, selectsProxy, targetRefOf, toRefMatchesService } from './target-ref';

/** targetRef policies: `to`, `from`, `rules`. Legacy policies: what they attach to. */
export type PolicySection = 'to' | 'from' | 'rules' | 'inbound' | 'outbound' | 'service';

export interface MatchedPolicy {
  /** Policy type, e.g. MeshTimeout, TrafficPermission. */
  type: string;
  name: string;
  section: PolicySection;
  /** The policy's top-level targetRef (targetRef policies only). */
  targetRef?: TargetRef;
  /** The targetRef of the `to[]` / `from[]` item (targetRef policies only). */
  target?: TargetRef;
  /**
   * What the entry configures: inbound listeners (`from`, `rules`, legacy inbound), outbound
   * listeners (legacy outbound) or destination services (`to`, legacy service).
   */
  appliesTo: string[];
}

/** Legacy policies selected per destination service, and the targetRef type that takes precedence over each. */
const LEGACY_SERVICE_POLICIES: readonly [string, string][] = [
  ['CircuitBreaker', 'MeshCircuitBreaker'],
  ['HealthCheck', 'MeshHealthCheck'],
  ['Retry', 'MeshRetry'],
  ['Timeout', 'MeshTimeout'],
];

type Obj = Record<string, unknown>;

function items(policy: Resource, section: 'to' | 'from' | 'rules'): Obj[] {
  const list = policy.spec[section];
  return Array.isArray(list) ? list.filter((i): i is Obj => typeof i === 'object' && i !== null && !Array.isArray(i)) : [];
}

function inboundName(i: InboundView): string {
  return inboundListenerName(i.address, i.port);
}

/** Collects legacy matches as one entry per policy, with everything it attaches to. */
class LegacyEntries {
  readonly #byKey = new Map<string, MatchedPolicy>();

  add(policy: Resource, section: PolicySection, target: string): void {
    const key = `${policy.type}\u0000${policy.name}\u0000${section}`;
    let e = this.#byKey.get(key);
    if (!e) this.#byKey.set(key, (e = { type: policy.type, name: policy.name, section, appliesTo: [] }));
    if (!e.appliesTo.includes(target)) e.appliesTo.push(target);
  }

  entries(): MatchedPolicy[] {
    return [...this.#byKey.values()];
  }
}

/**
 * The policies that apply to `dataplane`, grouped by type (alphabetical); within a type in merge
 * order, a policy's entries in `to`, `from`, `rules` order. `isTargetRef` tells which resource
 * types of the context are targetRef policies (the registry's `policy.isTargetRef`).
 */
export function matchedPolicies(dataplane: Resource, ctx: MeshContext, isTargetRef: (type: string) => boolean): MatchedPolicy[] {
  const pp = proxyPolicies(dataplane, ctx);
  const dp = pp.dp;
  const inbounds = dp.inbounds.filter((i) => i.state !== 'Ignored' && i.port > 0);
  const plans = outboundPlans(dataplane, ctx);
  const services = [...new Set(plans.flatMap((p) => [p.service, ...p.clusters.map((c) => c.service)]))].sort();
  const byType = new Map<string, MatchedPolicy[]>();
  const push = (e: MatchedPolicy) => {
    let list = byType.get(e.type);
    if (!list) byType.set(e.type, (list = []));
    list.push(e);
  };

  for (const type of ctx.resources.keys()) {
    if (!isTargetRef(type)) continue;
    for (const policy of [...pp.all(type)].sort(comparePolicies)) {
      const top = targetRefOf(policy.spec.targetRef);
      const base = { type, name: policy.name, targetRef: top };
      if (selectsProxy(top, dp)) {
        for (const item of items(policy, 'to')) {
          const target = targetRefOf(item.targetRef);
          const appliesTo = services.filter((s) => toRefMatchesService(target, s));
          if (target.kind === 'Mesh' || appliesTo.length > 0) push({ ...base, section: 'to', target, appliesTo });
        }
      }
      const selected = inbounds.filter((i) => selectsInbound(top, dp, i)).map(inboundName);
      if (selected.length === 0) continue;
      for (const item of items(policy, 'from')) push({ ...base, section: 'from', target: targetRefOf(item.targetRef), appliesTo: selected });
      if (items(policy, 'rules').length > 0) push({ ...base, section: 'rules', appliesTo: selected });
    }
  }

  const legacy = new LegacyEntries();
  for (const inbound of inbounds) {
    if (pp.fromRules('MeshTrafficPermission', inbound)) continue;
    for (const p of selectInboundMatchingPolicies(pp.all('TrafficPermission'), inbound.tags)) legacy.add(p, 'inbound', inboundName(inbound));
  }
  if (pp.all('TrafficRoute').length > 0) {
    for (const plan of plans) {
      const route = pp.legacy('TrafficRoute').select({ 'kuma.io/service': plan.outbound.service });
      if (route) legacy.add(route, 'outbound', outboundListenerName(plan.outbound.address, plan.outbound.port));
    }
  }
  for (const [type, replacement] of LEGACY_SERVICE_POLICIES) {
    if (pp.all(type).length === 0) continue;
    for (const service of services) {
      if (pp.to(replacement, service)) continue;
      const p = pp.legacy(type).select({ 'kuma.io/service': service });
      if (p) legacy.add(p, 'service', service);
    }
  }
  for (const e of legacy.entries()) push(e);

  return [...byType.keys()].sort().flatMap((t) => byType.get(t)!);
}
