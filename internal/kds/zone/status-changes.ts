/**
 * A zone sends the global its MeshServices and MeshExternalServices with their status (Kuma: the
 * status is computed by the source zone and synced to the global, MADR 056). The status is
 * derived from other records, so a change of those must make the sender look again at the
 * resources whose status it may move (it re-encodes them and sends only those whose bytes
 * changed). Which ones, for one refresh's changes:
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
import type { Resource, ResourceKey } from '../../resources/model';
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

/** The stored resources whose status `changes` may have moved (a resource may appear twice). */
export function statusMoved(changes: ChangeSet, store: ResourceStore, zone: string): Resource[] {
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

  const out: Resource[] = [];
  for (const k of KINDS) {
    if (whole[k].has('*')) out.push(...store.list(k).items);
    else for (const mesh of whole[k]) out.push(...store.list(k, { mesh }).items);
  }
  for (const [mesh, dps] of touched) {
    if (whole.MeshService.has('*') || whole.MeshService.has(mesh)) continue;
    const idx = indexDataplanes(dps, zone);
    for (const ms of store.list('MeshService', { mesh }).items) if (selectedDataplanes(ms, idx).length > 0) out.push(ms);
  }
  return out;
}

/** The change set that makes the sender look at `keys` as they are stored now (gone ones are left out). */
export function statusRefreshOf(keys: Iterable<ResourceKey>, store: ResourceStore): ChangeSet {
  const out = new Map<string, StoreEvent[]>();
  for (const k of keys) {
    const resource = store.get(k);
    if (!resource) continue;
    const l = out.get(resource.type);
    if (l) l.push({ kind: 'update', resource });
    else out.set(resource.type, [{ kind: 'update', resource }]);
  }
  return out;
}
