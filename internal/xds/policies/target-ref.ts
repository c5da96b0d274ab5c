/**
 * targetRef policy matching (spec kuma-api-cli.md §1.11; Kuma
 * pkg/plugins/policies/core/matchers/dataplane.go and core/rules/sort):
 *
 * - which proxies / inbounds a policy's top-level targetRef selects;
 * - the order in which matched policies are merged, least specific first, so that the last one
 *   wins (Kuma core/rules/sort CompareByPolicyAttributes + CompareByDisplayName): by top-level kind
 *   (Mesh < MeshSubset < MeshService < MeshServiceSubset < Dataplane), for Dataplane by how it
 *   selects (all < labels < labels+sectionName < name < name+sectionName), then by origin
 *   (global < no origin label < zone), then by policy role (system < producer < consumer <
 *   workload-owner), then by display name descending, i.e. of two policies equal otherwise the
 *   lexicographically smaller display name wins;
 * - a zone's own policy selects that zone's proxies only (dppSelectedByZone), seen on the global;
 * - the order of `to[]` items once the matched policies' lists are concatenated in that order: a
 *   stable sort by the item's targetRef kind (Mesh < MeshSubset < MeshService < MeshService with
 *   sectionName < MeshServiceSubset ...), so a `to: MeshService backend` item beats any `to: Mesh`
 *   item whatever the policies' names (Kuma docs "How policies are combined").
 */
import { LABEL, TAG, type Resource } from '../../resources/model';
import type { DataplaneView, InboundView, Tags } from '../context/dataplane-view';
import { selectorMatches } from './selectors';

export interface TargetRef {
  kind: string;
  name?: string;
  tags?: Tags;
  labels?: Tags;
  sectionName?: string;
  proxyTypes?: string[];
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function tagsOf(v: unknown): Tags | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Reads a targetRef object; a missing one means kind Mesh (§1.11). */
export function targetRefOf(v: unknown): TargetRef {
  const o = obj(v);
  if (!o || typeof o.kind !== 'string') return { kind: 'Mesh' };
  const ref: TargetRef = { kind: o.kind };
  if (typeof o.name === 'string' && o.name !== '') ref.name = o.name;
  const tags = tagsOf(o.tags);
  if (tags) ref.tags = tags;
  const labels = tagsOf(o.labels);
  if (labels) ref.labels = labels;
  if (typeof o.sectionName === 'string' && o.sectionName !== '') ref.sectionName = o.sectionName;
  if (Array.isArray(o.proxyTypes)) ref.proxyTypes = o.proxyTypes.filter((p): p is string => typeof p === 'string');
  return ref;
}

const KIND_ORDER: Record<string, number> = {
  Mesh: 1,
  MeshSubset: 2,
  MeshGateway: 3,
  MeshService: 4,
  MeshExternalService: 5,
  MeshMultiZoneService: 6,
  MeshServiceSubset: 7,
  MeshHTTPRoute: 8,
  Dataplane: 9,
};

function kindRank(kind: string): number {
  return KIND_ORDER[kind] ?? 0;
}

/** Among Dataplane refs: all < labels < labels+sectionName < name < name+sectionName (Kuma docs, merge table). */
function dataplaneRank(ref: TargetRef): number {
  if (ref.kind !== 'Dataplane') return 0;
  return (ref.name ? 3 : ref.labels ? 1 : 0) + (ref.sectionName ? 1 : 0);
}

/** Kuma's ResourceOrigin.Compare: global < no origin label < zone. */
function originRank(r: Resource): number {
  const origin = r.labels[LABEL.origin];
  return origin === 'global' ? 0 : origin === 'zone' ? 2 : 1;
}

/** Kuma's PolicyRole order; no label (Universal, system namespace) is `system`. */
const ROLE_ORDER: Record<string, number> = { system: 0, producer: 1, consumer: 2, 'workload-owner': 3 };

function roleRank(r: Resource): number {
  return ROLE_ORDER[r.labels[LABEL.policyRole] ?? 'system'] ?? 0;
}

/** The name a user gave the policy: a synced copy keeps it in `kuma.io/display-name`. */
export function displayNameOf(r: Resource): string {
  return r.labels[LABEL.displayName] || r.name;
}

/** Orders matched policies least specific first; merging them in this order lets the most specific win. */
export function comparePolicies(a: Resource, b: Resource): number {
  const ra = targetRefOf(a.spec.targetRef);
  const rb = targetRefOf(b.spec.targetRef);
  const na = displayNameOf(a);
  const nb = displayNameOf(b);
  return (
    kindRank(ra.kind) - kindRank(rb.kind) ||
    dataplaneRank(ra) - dataplaneRank(rb) ||
    originRank(a) - originRank(b) ||
    roleRank(a) - roleRank(b) ||
    (na < nb ? 1 : na > nb ? -1 : 0) ||
    (a.name < b.name ? 1 : a.name > b.name ? -1 : 0)
  );
}

/** Rank of a `to[]` item's targetRef: MeshService with a sectionName is more specific than without. */
function toItemRank(ref: TargetRef): number {
  return kindRank(ref.kind) * 2 + (ref.kind === 'MeshService' && ref.sectionName ? 1 : 0);
}

/**
 * Orders `to[]` items concatenated from policies already in comparePolicies order: least specific
 * targetRef kind first; for equal kinds the policy order stands (use with a stable sort).
 */
export function compareToItems(a: { targetRef: TargetRef }, b: { targetRef: TargetRef }): number {
  return toItemRank(a.targetRef) - toItemRank(b.targetRef);
}

/**
 * Kuma's dppSelectedByZone: a policy a zone created applies to that zone's proxies only (a producer
 * policy excepted). Matters where proxies of several zones meet, i.e. inspection on the global;
 * a proxy without a zone origin (global-created) is selectable by all.
 */
export function selectableInZone(policy: Resource, dp: DataplaneView): boolean {
  if (policy.labels[LABEL.policyRole] === 'producer') return true;
  const dpOrigin = dp.labels[LABEL.origin];
  if (dpOrigin === undefined || dpOrigin === 'global') return true;
  if (policy.labels[LABEL.origin] !== 'zone') return true;
  const zone = policy.labels[LABEL.zone];
  if (zone === undefined) return true;
  // A proxy stamped origin zone without a zone label is local (Kuma 2.7 wrote them so).
  const dpZone = dp.labels[LABEL.zone];
  return dpZone === undefined || dpZone === zone;
}

/** A top-level targetRef with proxyTypes applies to sidecars only when it lists "Sidecar". */
function appliesToSidecars(ref: TargetRef): boolean {
  return !ref.proxyTypes || ref.proxyTypes.length === 0 || ref.proxyTypes.includes('Sidecar');
}

function labelsMatch(selector: Tags, labels: Tags): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

function dataplaneSelected(ref: TargetRef, dp: DataplaneView): boolean {
  if (ref.name !== undefined) return ref.name === dp.name;
  if (ref.labels) return labelsMatch(ref.labels, dp.labels);
  return true;
}

/** Whether a top-level targetRef selects a given inbound of the proxy (`from` / rules policies). */
export function selectsInbound(ref: TargetRef, dp: DataplaneView, inbound: InboundView): boolean {
  if (!appliesToSidecars(ref)) return false;
  switch (ref.kind) {
    case 'Mesh':
      return true;
    case 'MeshSubset':
      return selectorMatches(ref.tags ?? {}, inbound.tags);
    case 'MeshService':
      return inbound.service === ref.name;
    case 'MeshServiceSubset':
      return inbound.service === ref.name && selectorMatches(ref.tags ?? {}, inbound.tags);
    case 'Dataplane':
      if (!dataplaneSelected(ref, dp)) return false;
      return ref.sectionName === undefined || ref.sectionName === inbound.name || ref.sectionName === String(inbound.port);
    default:
      return false;
  }
}

/** Whether a top-level targetRef selects the proxy as a whole (`to` policies). */
export function selectsProxy(ref: TargetRef, dp: DataplaneView): boolean {
  if (!appliesToSidecars(ref)) return false;
  switch (ref.kind) {
    case 'Mesh':
      return true;
    case 'Dataplane':
      return dataplaneSelected(ref, dp);
    case 'MeshSubset':
    case 'MeshService':
    case 'MeshServiceSubset':
      return dp.inbounds.some((i) => selectsInbound(ref, dp, i)) || (dp.gatewayTags !== undefined && gatewaySelected(ref, dp.gatewayTags));
    default:
      return false;
  }
}

function gatewaySelected(ref: TargetRef, tags: Tags): boolean {
  if (ref.kind === 'MeshSubset') return selectorMatches(ref.tags ?? {}, tags);
  const service = tags[TAG.service];
  if (ref.kind === 'MeshService') return service === ref.name;
  return service === ref.name && selectorMatches(ref.tags ?? {}, tags);
}

/**
 * Whether a `to[].targetRef` applies to traffic towards a kuma.io/service: Mesh, MeshService of
 * that name, or a MeshSubset/MeshServiceSubset whose tags the bare service satisfies (Kuma computes
 * the conf of element {kuma.io/service: <service>}).
 */
export function toRefMatchesService(ref: TargetRef, service: string): boolean {
  const element: Tags = { [TAG.service]: service };
  switch (ref.kind) {
    case 'Mesh':
      return true;
    case 'MeshService':
      return ref.name === service;
    case 'MeshSubset':
      return exactSubset(ref.tags ?? {}, element);
    case 'MeshServiceSubset':
      return ref.name === service && exactSubset(ref.tags ?? {}, element);
    default:
      return false;
  }
}

function exactSubset(tags: Tags, element: Tags): boolean {
  for (const k in tags) if (element[k] !== tags[k]) return false;
  return true;
}
