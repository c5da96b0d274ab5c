/**
 * One HostnameGenerator template rendered for one resource (spec kuma-kds-xds.md §3.8; Kuma
 * hostnamegenerator EvaluateTemplate): `.DisplayName` (kuma.io/display-name, else the name),
 * `.Namespace` (k8s.kuma.io/namespace), `.Zone` (kuma.io/zone), `.Mesh` and `label "key"`.
 * A template naming a value the resource does not have renders nothing. Which resource keeps a
 * hostname is hostname-assignment.ts. Pure.
 */
import { LABEL, type Resource } from '../resources/model';
import { NAMESPACE_LABEL, displayName } from './labels';

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
