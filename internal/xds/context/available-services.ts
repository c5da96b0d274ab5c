/**
 * What a zone advertises on its ZoneIngresses: `availableServices` (spec kuma-kds-xds.md §2.2; Kuma
 * pkg/zone/available_services.go, pkg/xds/ingress/dataplane.go GetIngressAvailableServices).
 *
 * Pure: the caller (a zone CP component) lists Dataplanes, Meshes and ExternalServices and writes the
 * result to every ZoneIngress whose `zone` is empty or this zone when it differs
 * (availableServicesEqual). Other zones turn these entries into endpoints (cross-zone.ts).
 */
import { LABEL, TAG, type Resource } from '../../resources/model';
import { dataplaneView } from './dataplane-view';

/** One `availableServices[]` entry of a ZoneIngress (ZoneIngress_AvailableService). */
export interface AvailableService {
  /** The tag set, kuma.io/service and kuma.io/zone included. */
  tags: Record<string, string>;
  /** Healthy inbounds carrying exactly this tag set (ExternalServices: resources). */
  instances: number;
  mesh: string;
  /** Set (true) only for ExternalServices this zone exposes. */
  externalService?: boolean;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function tagsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === 'string') out[k] = val;
  return out;
}

/** `k1=v1,k2=v2` with keys sorted (Kuma envoy.Tags.String). */
export function tagString(tags: Readonly<Record<string, string>>): string {
  return Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(',');
}

/** Meshes whose `meshServices.mode` is Exclusive advertise nothing (MeshService mode only). */
function isExclusive(mesh: Resource): boolean {
  return obj(mesh.spec.meshServices).mode === 'Exclusive';
}

function zoneEgressEnabled(mesh: Resource): boolean {
  return obj(mesh.spec.routing).zoneEgress === true;
}

export interface AvailableServicesOptions {
  /**
   * Keep only tags whose key starts with one of these prefixes (kuma.io/service is always kept);
   * Kuma's `experimental.ingressTagFilters`. Empty/undefined: every tag.
   */
  tagFilters?: readonly string[];
}

function filterTags(tags: Record<string, string>, filters: readonly string[] | undefined): Record<string, string> {
  if (!filters || filters.length === 0) return tags;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) if (k === TAG.service || filters.some((p) => k.startsWith(p))) out[k] = v;
  return out;
}

/**
 * The availableServices of zone `zone`:
 *
 * - every healthy inbound (not NotReady / Ignored, not health.ready false) of every local Dataplane
 *   (no kuma.io/zone label, or this zone) counts 1 for its (mesh, sorted tag set); the tag set always
 *   carries kuma.io/zone (added when the stored inbound lacks it);
 * - ExternalServices tagged kuma.io/zone: <zone> in meshes with `routing.zoneEgress: true` are added
 *   with `externalService: true`;
 * - meshes in `meshServices.mode: Exclusive` and Dataplanes of unknown meshes are skipped;
 * - sorted by mesh, then tag string (then plain services before external ones).
 */
export function computeAvailableServices(
  dataplanes: readonly Resource[],
  meshes: readonly Resource[],
  externalServices: readonly Resource[],
  zone: string,
  opts: AvailableServicesOptions = {},
): AvailableService[] {
  const meshByName = new Map(meshes.map((m) => [m.name, m]));
  const counts = new Map<string, AvailableService>();
  const add = (mesh: string, tags: Record<string, string>, externalService: boolean) => {
    const key = `${mesh}\u0000${externalService ? 1 : 0}\u0000${tagString(tags)}`;
    const prev = counts.get(key);
    if (prev) prev.instances++;
    else counts.set(key, { tags, instances: 1, mesh, ...(externalService ? { externalService: true } : {}) });
  };

  for (const dp of dataplanes) {
    const mesh = meshByName.get(dp.mesh);
    if (!mesh || isExclusive(mesh)) continue;
    const dpZone = dp.labels[LABEL.zone];
    if (dpZone && zone && dpZone !== zone) continue;
    for (const inbound of dataplaneView(dp).inbounds) {
      if (!inbound.ready || !inbound.service) continue;
      const tags = filterTags({ ...inbound.tags }, opts.tagFilters);
      if (zone && !tags[TAG.zone]) tags[TAG.zone] = zone;
      add(dp.mesh, tags, false);
    }
  }

  for (const es of externalServices) {
    const mesh = meshByName.get(es.mesh);
    if (!mesh || isExclusive(mesh) || !zoneEgressEnabled(mesh)) continue;
    const tags = tagsOf(es.spec.tags);
    if (!tags[TAG.service] || !zone || tags[TAG.zone] !== zone) continue;
    add(es.mesh, filterTags(tags, opts.tagFilters), true);
  }

  return [...counts.values()].sort(compareAvailableServices);
}

export function compareAvailableServices(a: AvailableService, b: AvailableService): number {
  if (a.mesh !== b.mesh) return a.mesh < b.mesh ? -1 : 1;
  const ta = tagString(a.tags);
  const tb = tagString(b.tags);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.externalService ? 1 : 0) - (b.externalService ? 1 : 0);
}

/** Whether two availableServices lists are the same (order matters: both are sorted). */
export function availableServicesEqual(a: readonly AvailableService[], b: readonly AvailableService[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.mesh !== y.mesh || x.instances !== y.instances || !!x.externalService !== !!y.externalService) return false;
    if (tagString(x.tags) !== tagString(y.tags)) return false;
  }
  return true;
}

/** The availableServices stored on a ZoneIngress spec, read leniently (bad entries are skipped). */
export function availableServicesOf(spec: Readonly<Record<string, unknown>>): AvailableService[] {
  const list = spec.availableServices;
  if (!Array.isArray(list)) return [];
  const out: AvailableService[] = [];
  for (const raw of list) {
    const e = obj(raw);
    const tags = tagsOf(e.tags);
    if (!tags[TAG.service]) continue;
    const n = typeof e.instances === 'number' ? e.instances : typeof e.instances === 'string' ? Number(e.instances) : 0;
    out.push({
      tags,
      instances: Number.isInteger(n) && n > 0 ? n : 0,
      mesh: typeof e.mesh === 'string' ? e.mesh : '',
      ...(e.externalService === true ? { externalService: true } : {}),
    });
  }
  return out;
}
