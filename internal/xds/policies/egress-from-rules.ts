/**
 * The `from` rules a zone egress applies to the chain of one legacy ExternalService (Kuma 2.14
 * `matchers/egress.go` EgressMatchedPolicies -> processFromRules): the ExternalService's tags stand
 * in for the selected proxy, so a policy counts when its top-level targetRef is Mesh, a MeshSubset
 * whose tags the ExternalService carries, or a MeshService / MeshServiceSubset naming its
 * kuma.io/service. The egress has one listener for every client, so the rules are built from the
 * matched policies' `from[]` items exactly as for a sidecar inbound (rules.ts), and a rule's
 * subset is matched against the client's tags (x-kuma-tags) by the filters that use it.
 *
 * Unlike a sidecar, `proxyTypes` and kind Dataplane are not consulted: the egress is no proxy of
 * the mesh (Kuma's serviceSelectedByTargetRef ignores them), and `rules[]` items are not read
 * (Kuma's egress only builds `from` rules).
 *
 * Pure; memoized per MeshContext, which is immutable.
 */
import { TAG, type Resource } from '../../resources/model';
import type { MeshContext } from '../context/types';
import { itemsOf } from './proxy-policies';
import { type Rule, buildRules } from './rules';
import { selectorMatches } from './selectors';
import { type TargetRef, comparePolicies, targetRefOf } from './target-ref';

type Tags = Readonly<Record<string, string>>;

function selectsExternalService(ref: TargetRef, tags: Tags): boolean {
  switch (ref.kind) {
    case 'Mesh':
      return true;
    case 'MeshSubset':
      return selectorMatches(ref.tags ?? {}, tags);
    case 'MeshService':
      return ref.name === tags[TAG.service];
    case 'MeshServiceSubset':
      return ref.name === tags[TAG.service] && selectorMatches(ref.tags ?? {}, tags);
    default:
      return false;
  }
}

const memo = new WeakMap<MeshContext, Map<string, Rule[] | undefined>>();

/** The `from` rules of `type` for an ExternalService with `tags`; undefined when no policy of the type selects it. */
export function egressFromRules(ctx: MeshContext, type: string, tags: Tags): Rule[] | undefined {
  let byKey = memo.get(ctx);
  if (!byKey) memo.set(ctx, (byKey = new Map()));
  const key = `${type}\u0000${Object.keys(tags).sort().map((k) => `${k}=${tags[k]}`).join('&')}`;
  if (byKey.has(key)) return byKey.get(key);
  const matched: Resource[] = (ctx.resources.get(type) ?? []).filter((p) => selectsExternalService(targetRefOf(p.spec.targetRef), tags)).sort(comparePolicies);
  const items = matched.flatMap((p) => itemsOf(p, 'from'));
  const rules = items.length > 0 ? buildRules(items) : undefined;
  byKey.set(key, rules);
  return rules;
}

/** The conf of the rule for every client (Kuma's ComputeConf(rules, MeshSubset())): `from` of kind Mesh only. */
export function egressFromMesh(ctx: MeshContext, type: string, tags: Tags): Record<string, unknown> | undefined {
  return egressFromRules(ctx, type, tags)?.find((r) => r.subset.length === 0)?.conf;
}
