/**
 * Kuma Resource Identifiers (MADR 070; spec kuma-api-cli.md §1.1):
 * `kri_<shortName>_<mesh>_<zone>_<namespace>_<displayName>_<sectionName>`. Zone comes from the
 * `kuma.io/zone` label, namespace from `k8s.kuma.io/namespace`, the name is the display name (a
 * synced copy keeps the original in `kuma.io/display-name`). Only types with a shortName have one,
 * and only when no part holds `_` (the separator), so every KRI printed parses back. Pure.
 */
import { LABEL, type Resource } from './model';
import type { Registry, ResourceDescriptor } from './registry';

export const NAMESPACE_LABEL = 'k8s.kuma.io/namespace';

export interface Kri {
  shortName: string;
  mesh: string;
  zone: string;
  namespace: string;
  name: string;
  sectionName: string;
}

export function formatKri(k: Kri): string {
  return ['kri', k.shortName, k.mesh, k.zone, k.namespace, k.name, k.sectionName].join('_');
}

/** The identifier parts of a stored resource (and an optional section, e.g. an inbound's name or port). */
export function kriPartsOf(d: ResourceDescriptor, r: Resource, sectionName = ''): Kri | undefined {
  if (!d.shortName) return undefined;
  const k: Kri = {
    shortName: d.shortName,
    mesh: d.scope === 'Mesh' ? r.mesh : '',
    zone: r.labels[LABEL.zone] ?? '',
    namespace: r.labels[NAMESPACE_LABEL] ?? '',
    name: r.labels[LABEL.displayName] || r.name,
    sectionName,
  };
  for (const v of [k.mesh, k.zone, k.namespace, k.name, k.sectionName]) if (v.includes('_')) return undefined;
  return k;
}

/** The KRI of a stored resource, or undefined when the type has none or a part holds "_". */
export function kriOf(d: ResourceDescriptor, r: Resource, sectionName = ''): string | undefined {
  const k = kriPartsOf(d, r, sectionName);
  return k ? formatKri(k) : undefined;
}

/** Parses a KRI; the error says which part is wrong. */
export function parseKri(text: string): Kri | { error: string } {
  const parts = text.split('_');
  if (parts[0] !== 'kri') return { error: `a KRI starts with "kri_", got "${text}"` };
  if (parts.length !== 7) {
    return { error: `a KRI has 7 parts separated by "_" (kri_<shortName>_<mesh>_<zone>_<namespace>_<name>_<sectionName>), got ${parts.length} in "${text}"` };
  }
  const [, shortName, mesh, zone, namespace, name, sectionName] = parts as [string, string, string, string, string, string, string];
  if (shortName === '') return { error: `the KRI "${text}" has no resource type (its second part)` };
  if (name === '') return { error: `the KRI "${text}" has no name (its sixth part)` };
  return { shortName, mesh, zone, namespace, name, sectionName };
}

/** The descriptor of a KRI's shortName, if the registry has one. */
export function descriptorOfShortName(registry: Registry, shortName: string): ResourceDescriptor | undefined {
  return registry.all().find((d) => d.shortName === shortName);
}
