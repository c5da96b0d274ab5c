/**
 * Where the global keeps the status a zone sent with one of its resources over KDS (Kuma stores
 * it on the resource; here the resource stays what its spec says and the status is a record of
 * its own, written in the same transaction as the resource and deleted with it or its Zone).
 * `KdsStatus` is not in the registry: no API, no KDS, no kumactl name.
 */
import type { ResourceKey } from '../resources/model';

export const SYNCED_STATUS_TYPE = 'KdsStatus';

/** Our types Kuma gives a status (descriptor HasStatus, kuma-wire/kds-wire.md §2). */
const HAS_STATUS = new Set(['MeshService', 'MeshExternalService', 'MeshMultiZoneService']);

export function hasStatus(type: string): boolean {
  return HAS_STATUS.has(type);
}

/** The status record of stored resource `r` (`<type>/<name>` in its mesh). */
export function syncedStatusKey(r: ResourceKey): ResourceKey {
  return { type: SYNCED_STATUS_TYPE, mesh: r.mesh, name: `${r.type}/${r.name}` };
}
