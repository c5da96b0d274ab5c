/**
 * Whether a `to[].targetRef` applies to a MeshService-mode destination (spec kuma-api-cli.md
 * §1.11; Kuma's real-resource targetRefs): Mesh always; MeshService / MeshMultiZoneService of the
 * destination's kind, by name (the resource's display name, or its name as this zone stores it)
 * or by labels (every one present on the resource); `sectionName` picks one port by name or
 * number. kuma.io/service kinds (MeshSubset, MeshServiceSubset) never do.
 */
import type { MeshServiceDestination } from '../context/mesh-services';
import type { TargetRef } from './target-ref';

export function toRefMatchesMeshService(ref: TargetRef, dest: MeshServiceDestination): boolean {
  if (ref.kind === 'Mesh') return true;
  if (ref.kind !== dest.kind) return false;
  if (ref.labels) {
    const keys = Object.keys(ref.labels);
    if (keys.length === 0 || !keys.every((k) => dest.labels[k] === ref.labels![k])) return false;
  } else if (ref.name !== dest.displayName && ref.name !== dest.name) return false;
  return ref.sectionName === undefined || ref.sectionName === dest.port.name || ref.sectionName === String(dest.port.port);
}
