/**
 * Legacy (selector-based) policy matching: TrafficPermission, TrafficRoute, HealthCheck,
 * CircuitBreaker, Retry, Timeout (spec kuma-api-cli.md §1.10). Ports Kuma's
 * pkg/core/policy/connection_policies.go and api/mesh/v1alpha1/selectors.go:
 *
 * - a selector matches a tag set when every selector tag is present with the same value, "*"
 *   meaning any value (the key must still be present);
 * - a selector's rank is (exact tags, wildcard tags), compared in that order;
 * - for a connection (proxy -> destination service) the best policy has the highest
 *   rank(best matching source) + rank(matching destination); ties go to the policy created later,
 *   then to the first by name.
 */
import type { Resource } from '../../resources/model';
import type { Tags } from '../context/dataplane-view';

export const MATCH_ALL = '*';

export interface Rank {
  exact: number;
  wildcard: number;
}

type Obj = Record<string, unknown>;

export function selectorMatches(selector: Tags, tags: Tags): boolean {
  for (const key in selector) {
    const value = tags[key];
    if (value === undefined) return false;
    if (selector[key] !== MATCH_ALL && selector[key] !== value) return false;
  }
  return true;
}

export function rankOf(selector: Tags): Rank {
  let exact = 0;
  let wildcard = 0;
  for (const key in selector) {
    if (selector[key] === MATCH_ALL) wildcard++;
    else exact++;
  }
  return { exact, wildcard };
}

export function compareRank(a: Rank, b: Rank): number {
  return a.exact !== b.exact ? a.exact - b.exact : a.wildcard - b.wildcard;
}

export function combineRank(a: Rank, b: Rank): Rank {
  return { exact: a.exact + b.exact, wildcard: a.wildcard + b.wildcard };
}

/** The `match` maps of a legacy policy's `sources` or `destinations`. */
export function selectorsOf(spec: Obj, field: 'sources' | 'destinations'): Tags[] {
  const items = spec[field];
  if (!Array.isArray(items)) return [];
  const out: Tags[] = [];
  for (const item of items) {
    const match = typeof item === 'object' && item !== null ? (item as Obj).match : undefined;
    if (typeof match !== 'object' || match === null || Array.isArray(match)) continue;
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(match as Obj)) if (typeof v === 'string') tags[k] = v;
    out.push(tags);
  }
  return out;
}

/** Whether any of a Dataplane's tag sets (inbounds, gateway) matches the selector (Kuma Dataplane.Matches). */
export function anyMatches(selector: Tags, tagSets: readonly Tags[]): boolean {
  for (const tags of tagSets) if (selectorMatches(selector, tags)) return true;
  return false;
}

function createdAfter(a: Resource, b: Resource): boolean {
  return a.creationTime > b.creationTime;
}

function byName(a: Resource, b: Resource): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

interface SourceCandidate {
  policy: Resource;
  destinations: Tags[];
  sourceRank: Rank;
}

/**
 * Picks the connection policy for each destination a proxy talks to. Build it once per proxy and
 * policy type, then call `select(destinationTags)` per outbound (Kuma SelectConnectionPolicies).
 */
export class ConnectionPolicySelector {
  readonly #candidates: SourceCandidate[] = [];

  constructor(policies: readonly Resource[], proxyTagSets: readonly Tags[]) {
    for (const policy of [...policies].sort(byName)) {
      let best: Rank | undefined;
      for (const source of selectorsOf(policy.spec, 'sources')) {
        if (!anyMatches(source, proxyTagSets)) continue;
        const r = rankOf(source);
        if (!best || compareRank(r, best) > 0) best = r;
      }
      if (best) this.#candidates.push({ policy, destinations: selectorsOf(policy.spec, 'destinations'), sourceRank: best });
    }
  }

  get empty(): boolean {
    return this.#candidates.length === 0;
  }

  /** The best policy for a destination, given its tags (usually just {kuma.io/service}). */
  select(destination: Tags): Resource | undefined {
    let best: Resource | undefined;
    let bestRank: Rank | undefined;
    for (const c of this.#candidates) {
      for (const d of c.destinations) {
        if (!selectorMatches(d, destination)) continue;
        const rank = combineRank(rankOf(d), c.sourceRank);
        const cmp = bestRank ? compareRank(rank, bestRank) : 1;
        if (cmp > 0 || (cmp === 0 && best && best !== c.policy && createdAfter(c.policy, best))) {
          best = c.policy;
          bestRank = rank;
        }
      }
    }
    return best;
  }
}

/**
 * Every policy whose `destinations` match an inbound's tags, most specific source first, later
 * creation first on ties (Kuma SelectInboundConnectionAllPolicies, used for TrafficPermission).
 */
export function selectInboundMatchingPolicies(policies: readonly Resource[], inboundTags: Tags): Resource[] {
  const out: Resource[] = [];
  for (const policy of [...policies].sort(byName)) {
    if (selectorsOf(policy.spec, 'destinations').some((d) => selectorMatches(d, inboundTags))) out.push(policy);
  }
  const firstSourceRank = (p: Resource): Rank => rankOf(selectorsOf(p.spec, 'sources')[0] ?? {});
  return out
    .map((p, i) => ({ p, i, rank: firstSourceRank(p) }))
    .sort((a, b) => {
      const c = compareRank(b.rank, a.rank);
      if (c !== 0) return c;
      if (a.p.creationTime !== b.p.creationTime) return a.p.creationTime > b.p.creationTime ? -1 : 1;
      return a.i - b.i;
    })
    .map((x) => x.p);
}
