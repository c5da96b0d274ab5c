/**
 * Kuma's "rules" for `from` items of targetRef policies (Kuma pkg/plugins/policies/core/rules,
 * BuildRules; docs/madr/decisions/007-mesh-traffic-permission.md).
 *
 * Each `from[].targetRef` names a group of clients as a tag subset (Mesh = every client,
 * MeshService = {kuma.io/service: name}, MeshSubset = its tags). The rules partition all possible
 * clients by every combination of those tags, positive or negated ("service = a, version != v1"),
 * and give each partition the merge of the items that cover it, in item order (least specific
 * policy first). Generators turn a rule into Envoy matchers, e.g. RBAC principals.
 */
import { TAG, type Resource } from '../../resources/model';
import { mergeConfs } from './merge';
import type { TargetRef } from './target-ref';

export interface SubsetTag {
  key: string;
  value: string;
  /** true: the client does NOT have this tag value. */
  not: boolean;
}

export type Subset = SubsetTag[];

export interface Rule {
  subset: Subset;
  conf: Record<string, unknown>;
  /** The policies whose items were merged into `conf`, by name (what `_rules` shows as origin). */
  origins: Resource[];
}

export interface RuleItem {
  targetRef: TargetRef;
  conf: unknown;
  /** The policy the item comes from. */
  policy?: Resource;
}

/**
 * Above this many distinct tags in one group of overlapping targetRefs the 2^n enumeration gets
 * too slow for a request path; such a policy set is refused with an explanation.
 */
export const MAX_RULE_TAGS = 16;

/** The tag subset of a `from`/`to` targetRef; undefined for kinds that are not tag-based. */
export function subsetOf(ref: TargetRef): Subset | undefined {
  const fromTags = (tags: Record<string, string> | undefined): Subset =>
    Object.keys(tags ?? {})
      .sort()
      .map((k) => ({ key: k, value: tags![k]!, not: false }));
  switch (ref.kind) {
    case 'Mesh':
      return [];
    case 'MeshSubset':
      return fromTags(ref.tags);
    case 'MeshService':
      return [{ key: TAG.service, value: ref.name ?? '', not: false }];
    case 'MeshServiceSubset':
      return [{ key: TAG.service, value: ref.name ?? '', not: false }, ...fromTags(ref.tags).filter((t) => t.key !== TAG.service)];
    default:
      return undefined;
  }
}

/** Whether two subsets can describe the same client (no positive tag of one contradicts the other). */
export function intersects(a: Subset, b: Subset): boolean {
  if (a.length === 0 || b.length === 0) return true;
  for (const t of a) {
    if (t.not) continue;
    for (const o of b) if (!o.not && o.key === t.key && o.value !== t.value) return false;
  }
  return true;
}

/** Whether `item` covers `ss`: each tag of `item` appears in `ss`, and `ss` says nothing else about that key. */
export function covers(item: Subset, ss: Subset): boolean {
  for (const t of item) {
    let found = false;
    for (const o of ss) {
      if (o.key !== t.key) continue;
      if (o.value !== t.value || o.not !== t.not) return false;
      found = true;
    }
    if (!found) return false;
  }
  return true;
}

/** Whether a client with `tags` belongs to the subset. */
export function containsElement(ss: Subset, tags: Record<string, string>): boolean {
  for (const t of ss) {
    const has = tags[t.key] === t.value;
    if (t.not ? has : !has) return false;
  }
  return true;
}

function numPositive(ss: Subset): number {
  let n = 0;
  for (const t of ss) if (!t.not) n++;
  return n;
}

/** Drops negations made redundant by a positive tag of the same key; undefined when contradictory. */
function simplified(current: Subset): Subset | undefined {
  const byKey = new Map<string, SubsetTag[]>();
  for (const t of current) {
    const l = byKey.get(t.key);
    if (l) l.push({ ...t });
    else byKey.set(t.key, [{ ...t }]);
  }
  const out: Subset = [];
  for (const tags of byKey.values()) {
    const positives = tags.filter((t) => !t.not);
    if (positives.length === 0) out.push(...tags);
    else if (positives.length === 1) out.push(positives[0]!);
    else return undefined;
  }
  return out;
}

/** Every non-contradictory positive/negated combination of `tags`, in Kuma's SubsetIter order. */
function* combinations(tags: Subset): Generator<Subset> {
  const current = tags.map((t) => ({ ...t }));
  for (;;) {
    let advanced = false;
    for (const t of current) {
      if (t.not) t.not = false;
      else {
        t.not = true;
        advanced = true;
        break;
      }
    }
    const s = simplified(current);
    if (s) yield s;
    if (!advanced) return;
  }
}

/** Groups of items whose subsets (transitively) intersect, in Kuma's component order. */
function components(subsets: Subset[]): number[][] {
  const n = subsets.length;
  const seen = new Array<boolean>(n).fill(false);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (seen[i]) continue;
    const comp: number[] = [];
    const stack = [i];
    seen[i] = true;
    while (stack.length > 0) {
      const x = stack.pop()!;
      comp.push(x);
      for (let y = 0; y < n; y++) {
        if (!seen[y] && y !== x && intersects(subsets[x]!, subsets[y]!)) {
          seen[y] = true;
          stack.push(y);
        }
      }
    }
    comp.sort((a, b) => a - b);
    out.push(comp);
  }
  const key = (c: number[]) => c.join(':');
  return out.sort((a, b) => (key(a) > key(b) ? -1 : key(a) < key(b) ? 1 : 0));
}

/**
 * Builds the rules of an ordered item list (least specific first). Items whose targetRef kind is
 * not tag-based are ignored. Rules come out most positive tags first, so the first rule containing
 * a client is its most specific one.
 */
export function buildRules(items: readonly RuleItem[]): Rule[] {
  const usable: { subset: Subset; conf: unknown; policy?: Resource }[] = [];
  for (const item of items) {
    const subset = subsetOf(item.targetRef);
    if (subset) usable.push({ subset, conf: item.conf, policy: item.policy });
  }
  if (usable.length === 0) return [];
  const rules: Rule[] = [];
  for (const comp of components(usable.map((u) => u.subset))) {
    const tagSet = new Map<string, SubsetTag>();
    for (const i of comp) for (const t of usable[i]!.subset) tagSet.set(`${t.key}\u0000${t.value}`, t);
    const tags = [...tagSet.values()].sort((a, b) => (a.key !== b.key ? (a.key < b.key ? -1 : 1) : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    if (tags.length > MAX_RULE_TAGS) {
      throw new Error(
        `targetRef rules over ${tags.length} distinct tags (${tags.map((t) => `${t.key}=${t.value}`).join(', ')}) exceed the limit of ${MAX_RULE_TAGS}; ` +
          'split the from[] targetRefs into fewer tag combinations',
      );
    }
    for (const ss of combinations(tags)) {
      const confs: unknown[] = [];
      const origins = new Set<Resource>();
      for (const u of usable) {
        if (!covers(u.subset, ss)) continue;
        confs.push(u.conf);
        if (u.policy) origins.add(u.policy);
      }
      if (confs.length > 0) rules.push({ subset: ss, conf: mergeConfs(confs), origins: [...origins].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) });
    }
  }
  // Array.prototype.sort is stable.
  return rules.sort((a, b) => numPositive(b.subset) - numPositive(a.subset));
}

/** The conf of the first (most specific) rule containing a client with `tags`. */
export function computeConf(rules: readonly Rule[], tags: Record<string, string>): Record<string, unknown> | undefined {
  for (const r of rules) if (containsElement(r.subset, tags)) return r.conf;
  return undefined;
}
