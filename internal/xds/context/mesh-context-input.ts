/**
 * Reads a mesh's MeshContext inputs from the store: its mesh-scoped
 * resources, every zone proxy and its VIP allocation. The reconciler and the
 * inspection endpoints use this one reader, so both see the same context.
 */
import { vipAllocationKey, vipMapOf } from '../../dns/vips';
import type { Resource } from '../../resources/model';
import type { Registry } from '../../resources/registry';
import type { ResourceStore } from '../../store/resource-store';
import type { MeshContextInput } from './mesh-context';
import { msVipAllocationKey, msVipsOf } from '../../meshservice/vips';

export function meshContextInputFromStore(store: ResourceStore, registry: Registry, mesh: Resource, zone: string, caCertsPem?: string): MeshContextInput {
  const resources = new Map<string, Resource[]>();
  for (const d of registry.all()) {
    if (d.scope !== 'Mesh' || d.readOnly) continue;
    const items = store.list(d.name, { mesh: mesh.name }).items;
    if (items.length) resources.set(d.name, [...items]);
  }
  return {
    mesh,
    resources,
    zone,
    ...(caCertsPem ? { caCertsPem } : {}),
    zoneIngresses: [...store.list('ZoneIngress').items],
    zoneEgresses: [...store.list('ZoneEgress').items],
    vips: vipMapOf(store.get(vipAllocationKey(mesh.name))),
    ...meshServiceInputs(store, mesh.name),
  };
}

const FAMILY = ['MeshService', 'MeshMultiZoneService', 'MeshExternalService'] as const;

/** HostnameGenerators and the mesh's MeshService VIPs, only when the mesh has MeshService-family resources. */
function meshServiceInputs(store: ResourceStore, mesh: string): Pick<MeshContextInput, 'hostnameGenerators' | 'meshServiceVips'> {
  // A mesh whose only members of the family are MeshExternalServices still needs both: their VIP
  // outbounds and hostnames come from here.
  if (FAMILY.every((type) => store.count(type, mesh) === 0)) return {};
  const vips = store.get(msVipAllocationKey(mesh));
  return { hostnameGenerators: [...store.list('HostnameGenerator').items], ...(vips ? { meshServiceVips: msVipsOf(vips.spec) } : {}) };
}
