/**
 * A zone sends the global its MeshServices and MeshExternalServices with their status (Kuma: the
 * status is computed by the source zone and synced to the global, MADR 056). The status is
 * derived from other records, so a change of those must make the sender look at the resources
 * whose status it may move; this adds them to a refresh's change set as updates (the sender
 * re-encodes them and sends only those whose bytes changed):
 *
 * - a Dataplane change: the MeshServices of its mesh selecting it before or after (one pass over
 *   the mesh's MeshServices per refresh, against an index of just the changed Dataplanes);
 * - a DataplaneInsight change that moves `connected` or the issued certificate backend (the
 *   counters an insight write usually carries move neither): as its Dataplane;
 * - a HostnameGenerator: every MeshService and MeshExternalService; the mesh's VIP record, its
 *   Mesh (mTLS), or a MeshService / MeshExternalService created, deleted or relabelled (hostname
 *   collisions): every one of that kind in the mesh.
 */
import { isDeepStrictEqual } from 'node:util';
import { isOnline } from '../../core/insight-status';
import { indexDataplanes, selectedDataplanes } from '../../meshservice/dataplane-proxies';
import { MS_VIP_ALLOCATION_TYPE } from '../../meshservice/vips';
import type { Resource } from '../../resources/model';
import type { ResourceStore, StoreEvent } from '../../store/resource-store';
import { meshMtlsEnabled } from '../../xds/context/cross-zone';
import type { ChangeSet } from '../delta-sender';

const KINDS = ['MeshService', 'MeshExternalService'] as const;
type Kind = (typeof KINDS)[number];

function issuedBackend(insight: Resource | undefined): unknown {
  return (insight?.spec.mTLS as { issuedBackend?: unknown } | undefined)?.issuedBackend;
}

function insightMoved(e: StoreEvent): boolean {
  const before = e.kind === 'create' ? undefined : e.kind === 'delete' ? e.resource : e.previous;
  const after = e.kind === 'delete' ? undefined : e.resource;
  return isOnline(before?.spec) !== isOnline(after?.spec) || issuedBackend(before) !== issuedBackend(after);
}

function relabelled(e: StoreEvent): boolean {
  return e.kind !== 'update' || !e.previous || !isDeepStrictEqual(e.previous.labels, e.resource.labels);
}

export function withStatusChanges(changes: ChangeSet, store: ResourceStore, zone: string): ChangeSet {
  /** kind -> meshes where every resource of the kind may have moved ("*" = every mesh). */
  const whole: Record<Kind, Set<string>> = { MeshService: new Set(), MeshExternalService: new Set() };
  /** mesh -> Dataplanes (both versions) whose selection may have moved. */
  const touched = new Map<string, Resource[]>();
  const touch = (dp: Resource | undefined) => {
    if (!dp) return;
    let l = touched.get(dp.mesh);
    if (!l) touched.set(dp.mesh, (l = []));
    l.push(dp);
  };
  for (const e of changes.get('Dataplane') ?? []) {
    touch(e.resource);
    touch(e.previous);
  }
  for (const e of changes.get('DataplaneInsight') ?? []) {
    if (insightMoved(e)) touch(store.get({ type: 'Dataplane', mesh: e.resource.mesh, name: e.resource.name }));
  }
  if (changes.has('HostnameGenerator')) for (const k of KINDS) whole[k].add('*');
  for (const e of changes.get(MS_VIP_ALLOCATION_TYPE) ?? []) for (const k of KINDS) whole[k].add(e.resource.mesh);
  for (const e of changes.get('Mesh') ?? []) {
    const before = e.kind === 'create' ? false : meshMtlsEnabled(e.kind === 'delete' ? e.resource : (e.previous ?? e.resource));
    const after = e.kind === 'delete' ? false : meshMtlsEnabled(e.resource);
    if (before !== after) whole.MeshService.add(e.resource.name);
  }
  for (const k of KINDS) for (const e of changes.get(k) ?? []) if (relabelled(e)) whole[k].add(e.resource.mesh);

  const extra: Record<Kind, Resource[]> = { MeshService: [], MeshExternalService: [] };
  for (const k of KINDS) {
    if (whole[k].has('*')) extra[k].push(...store.list(k).items);
    else for (const mesh of whole[k]) extra[k].push(...store.list(k, { mesh }).items);
  }
  for (const [mesh, dps] of touched) {
    if (whole.MeshService.has('*') || whole.MeshService.has(mesh)) continue;
    const idx = indexDataplanes(dps, zone);
    for (const ms of store.list('MeshService', { mesh }).items) if (selectedDataplanes(ms, idx).length > 0) extra.MeshService.push(ms);
  }
  if (extra.MeshService.length === 0 && extra.MeshExternalService.length === 0) return changes;
  const out = new Map(changes);
  for (const k of KINDS) {
    if (extra[k].length === 0) continue;
    out.set(k, [...(changes.get(k) ?? []), ...extra[k].map((resource): StoreEvent => ({ kind: 'update', resource }))]);
  }
  return out;
}
