/**
 * The subsets of each service a zone ingress must route to (spec kuma-kds-xds.md §2.3: Kuma
 * BuildMeshDestinations): every destination tag set beyond kuma.io/service that a route in the
 * mesh can send to, i.e. MeshServiceSubset backendRefs and mirror backends of MeshHTTPRoute /
 * MeshTCPRoute, and TrafficRoute split / destination tags. A remote sidecar sends those tags in its
 * SNI (`backend{mesh=default,version=v2}`); the ingress picks the matching local endpoints by
 * `envoy.lb` metadata.
 *
 * Computed once per MeshContext (both are immutable) and shared by every ingress.
 */
import { type Resource, TAG } from '../../../resources/model';
import type { MeshContext } from '../../context/types';
import { MATCH_ALL } from '../../policies/selectors';

type Obj = Record<string, unknown>;
export type SubsetTags = Record<string, string>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function addSubset(out: Map<string, Map<string, SubsetTags>>, service: unknown, tags: unknown): void {
  if (typeof service !== 'string' || service === '' || service === MATCH_ALL || !isObj(tags)) return;
  const subset: SubsetTags = {};
  for (const k of Object.keys(tags).sort()) {
    const v = tags[k];
    if (k !== TAG.service && typeof v === 'string' && v !== MATCH_ALL) subset[k] = v;
  }
  const keys = Object.keys(subset);
  if (keys.length === 0) return;
  let byKey = out.get(service);
  if (!byKey) out.set(service, (byKey = new Map()));
  byKey.set(keys.map((k) => `${k}=${subset[k]}`).join(','), subset);
}

function fromBackendRef(out: Map<string, Map<string, SubsetTags>>, ref: unknown): void {
  if (isObj(ref) && ref.kind === 'MeshServiceSubset') addSubset(out, ref.name, ref.tags);
}

function fromRoutePolicy(out: Map<string, Map<string, SubsetTags>>, spec: Obj): void {
  for (const to of list(spec.to)) {
    if (!isObj(to)) continue;
    for (const rule of list(to.rules)) {
      const conf = isObj(rule) ? rule.default : undefined;
      if (!isObj(conf)) continue;
      for (const ref of list(conf.backendRefs)) fromBackendRef(out, ref);
      for (const f of list(conf.filters)) if (isObj(f) && isObj(f.requestMirror)) fromBackendRef(out, f.requestMirror.backendRef);
    }
  }
}

function fromTrafficRouteTargets(out: Map<string, Map<string, SubsetTags>>, o: unknown): void {
  if (!isObj(o)) return;
  for (const s of list(o.split)) if (isObj(s) && isObj(s.destination)) addSubset(out, s.destination[TAG.service], s.destination);
  if (isObj(o.destination)) addSubset(out, o.destination[TAG.service], o.destination);
}

/** The route policies whose destinations the ingress looks at. */
const SUBSET_SOURCES = ['MeshHTTPRoute', 'MeshTCPRoute', 'TrafficRoute'];

function fromPolicy(out: Map<string, Map<string, SubsetTags>>, p: Resource): void {
  if (p.type !== 'TrafficRoute') return fromRoutePolicy(out, p.spec);
  const conf = p.spec.conf;
  fromTrafficRouteTargets(out, conf);
  if (isObj(conf)) for (const h of list(conf.http)) fromTrafficRouteTargets(out, h);
}

/** Whether a route policy sends to a subset, so the ingresses have a chain for it (for propagation status). */
export function namesSubsets(p: Resource): boolean {
  if (!SUBSET_SOURCES.includes(p.type)) return false;
  const out = new Map<string, Map<string, SubsetTags>>();
  fromPolicy(out, p);
  return out.size > 0;
}

function compute(ctx: MeshContext): Map<string, SubsetTags[]> {
  const out = new Map<string, Map<string, SubsetTags>>();
  for (const type of SUBSET_SOURCES) for (const p of ctx.resources.get(type) ?? []) fromPolicy(out, p);
  const sorted = new Map<string, SubsetTags[]>();
  for (const [service, byKey] of out) sorted.set(service, [...byKey.keys()].sort().map((k) => byKey.get(k)!));
  return sorted;
}

const memo = new WeakMap<MeshContext, Map<string, SubsetTags[]>>();

/** The subsets of `service` routes in the mesh name, sorted by their `k=v,...` form; [] when none. */
export function subsetDestinations(ctx: MeshContext | undefined, service: string): readonly SubsetTags[] {
  if (!ctx) return [];
  let m = memo.get(ctx);
  if (!m) memo.set(ctx, (m = compute(ctx)));
  return m.get(service) ?? [];
}
