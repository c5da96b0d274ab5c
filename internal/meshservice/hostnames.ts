/**
 * Hostnames of the MeshService family from HostnameGenerators (spec kuma-kds-xds.md §3.8; Kuma
 * hostnamegenerator): a generator whose `selector.<kind>.matchLabels` all appear in a resource's
 * labels renders its template for it with `.DisplayName` (kuma.io/display-name, else the name),
 * `.Namespace` (k8s.kuma.io/namespace), `.Zone` (kuma.io/zone), `.Mesh` and `label "key"`.
 * A template naming a value the resource does not have renders nothing. Generators are applied in
 * name order; a hostname claimed twice in a mesh keeps the first claimant (kind order MeshService,
 * MeshMultiZoneService, MeshExternalService, then resource name). Pure.
 */
import { LABEL, type Resource } from '../resources/model';
import { NAMESPACE_LABEL, displayName, labelsMatch, obj } from './labels';
import type { VipKind } from './vips';

const SELECTOR_FIELD: Record<VipKind, string> = {
  MeshService: 'meshService',
  MeshMultiZoneService: 'meshMultiZoneService',
  MeshExternalService: 'meshExternalService',
};

export interface GeneratedHostname {
  hostname: string;
  /** The HostnameGenerator that made it. */
  generator: string;
}

/** Renders one template for one resource; undefined when a value it names is missing. */
export function renderHostname(template: string, r: Pick<Resource, 'name' | 'mesh' | 'labels'>): string | undefined {
  const values: Record<string, string | undefined> = {
    DisplayName: displayName(r),
    Namespace: r.labels[NAMESPACE_LABEL],
    Zone: r.labels[LABEL.zone],
    Mesh: r.mesh,
  };
  let missing = false;
  const out = template.replace(/\{\{\s*(?:\.([A-Za-z]+)|label\s+"([^"]+)")\s*\}\}/g, (_, field: string | undefined, label: string | undefined) => {
    const v = field !== undefined ? values[field] : r.labels[label!];
    if (v === undefined || v === '') missing = true;
    return v ?? '';
  });
  return missing || out.includes('{{') ? undefined : out.toLowerCase();
}

/** Hostnames of one resource of `kind` from every generator selecting it, in generator name order. */
export function hostnamesOf(kind: VipKind, r: Pick<Resource, 'name' | 'mesh' | 'labels'>, generators: readonly Resource[]): GeneratedHostname[] {
  const out: GeneratedHostname[] = [];
  const seen = new Set<string>();
  for (const g of [...generators].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const sel = obj(obj(g.spec.selector)[SELECTOR_FIELD[kind]]);
    if (!labelsMatch(obj(sel.matchLabels), r.labels)) continue;
    if (typeof g.spec.template !== 'string') continue;
    const h = renderHostname(g.spec.template, r);
    if (!h || seen.has(h)) continue;
    seen.add(h);
    out.push({ hostname: h, generator: g.name });
  }
  return out;
}
