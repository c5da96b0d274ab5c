/** Descriptor defaults, so each type file states only what is particular to it. */
import type { KdsFlags, ResourceDescriptor } from './registry';

export const KDS_GLOBAL_TO_ZONE: KdsFlags = { globalToZone: true, zoneToGlobal: false, zoneToOtherZones: false };
/** Mesh, Secret, GlobalSecret: sent down under their own names. */
export const KDS_GLOBAL_TO_ZONE_KEEP_NAME: KdsFlags = { globalToZone: true, zoneToGlobal: false, zoneToOtherZones: false, keepName: true };
export const KDS_ZONE_TO_GLOBAL: KdsFlags = { globalToZone: false, zoneToGlobal: true, zoneToOtherZones: false };
/** targetRef policies: authored on either side; zone-authored ones reach the other zones through the global. */
export const KDS_BOTH_WAYS: KdsFlags = { globalToZone: true, zoneToGlobal: true, zoneToOtherZones: true };
export const KDS_NONE: KdsFlags = { globalToZone: false, zoneToGlobal: false, zoneToOtherZones: false };

type Required = Pick<ResourceDescriptor, 'name' | 'scope' | 'path' | 'validate' | 'fields'>;

export function defineType(d: Required & Partial<ResourceDescriptor>): ResourceDescriptor {
  return {
    altPaths: [],
    cliAliases: [],
    singularDisplayName: splitWords(d.name),
    pluralDisplayName: `${splitWords(d.name)}s`,
    nestedSpec: false,
    readOnly: false,
    adminOnly: false,
    kds: KDS_GLOBAL_TO_ZONE,
    providedByGlobal: true,
    providedByZone: false,
    ...d,
  };
}

/** "MeshTrafficPermission" -> "Mesh Traffic Permission". */
function splitWords(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2');
}
