/** REST paths of a resource type (spec §2.3): `/meshes/{mesh}/<path>` for mesh-scoped types, `/<path>` for global ones. */
import type { ResourceDescriptor } from '../resources/registry';

export function listPath(d: ResourceDescriptor, mesh: string): string {
  return d.scope === 'Mesh' ? `/meshes/${encodeURIComponent(mesh)}/${d.path}` : `/${d.path}`;
}

export function itemPath(d: ResourceDescriptor, mesh: string, name: string): string {
  return `${listPath(d, mesh)}/${encodeURIComponent(name)}`;
}
