/**
 * Zone CP component of the MeshService family: per mesh, keeps the generated MeshServices equal to
 * what the Dataplanes say (generate.ts; deleted when the last Dataplane of a service goes or the
 * mode stops generating) and the `MeshServiceVipAllocation` record equal to the VIPs the mesh's
 * MeshServices, MeshMultiZoneServices and MeshExternalServices need (vips.ts). Runs shortly after
 * any change of those types; writes only differences. Hand-written MeshServices are never touched.
 */
import type { Logger } from 'pino';
import type { Resource } from '../resources/model';
import type { ResourceStore, StoreEvent, WriteOp } from '../store/resource-store';
import { canonicalJson } from '../xds/context/mesh-context';
import { isGenerated, wantedMeshServices } from './generate';
import { isLocal } from './labels';
import { MS_VIP_ALLOCATION_TYPE, VIP_KINDS, allocateMsVips, msVipAllocationKey, msVipsOf, type VipKind } from './vips';

const WATCHED = new Set(['Mesh', 'Dataplane', ...VIP_KINDS, MS_VIP_ALLOCATION_TYPE]);
export const DEFAULT_MESH_SERVICE_DEBOUNCE_MS = 200;

function same(a: Pick<Resource, 'labels' | 'spec'>, b: Pick<Resource, 'labels' | 'spec'>): boolean {
  return canonicalJson([a.labels, a.spec]) === canonicalJson([b.labels, b.spec]);
}

/** One round over every mesh; returns the store ops it committed. */
export async function reconcileMeshServices(store: ResourceStore, zone: string): Promise<WriteOp[]> {
  const ops: WriteOp[] = [];
  const meshes = store.list('Mesh').items;
  for (const mesh of meshes) {
    const wanted = wantedMeshServices(mesh, store.list('Dataplane', { mesh: mesh.name }).items, zone);
    // Copies of other zones' MeshServices (origin global) carry the generator label too: never ours to touch.
    const existing = new Map(store.list('MeshService', { mesh: mesh.name }).items.filter((r) => isLocal(r, zone)).map((r) => [r.name, r]));
    const wantedNames = new Set<string>();
    for (const w of wanted) {
      wantedNames.add(w.name);
      const cur = existing.get(w.name);
      if (!cur) ops.push({ op: 'create', resource: w });
      else if (isGenerated(cur) && !same(cur, { labels: w.labels ?? {}, spec: w.spec })) ops.push({ op: 'update', resource: w, version: cur.version });
    }
    for (const cur of existing.values()) if (isGenerated(cur) && !wantedNames.has(cur.name)) ops.push({ op: 'delete', key: { type: cur.type, mesh: cur.mesh, name: cur.name }, version: cur.version });
  }
  if (ops.length) await store.transact(ops);
  const vipOps: WriteOp[] = [];
  for (const mesh of meshes) {
    const key = msVipAllocationKey(mesh.name);
    const current = store.get(key);
    const names = {} as Record<VipKind, string[]>;
    for (const kind of VIP_KINDS) names[kind] = store.list(kind, { mesh: mesh.name }).items.map((r) => r.name);
    const next = allocateMsVips(msVipsOf(current?.spec), names);
    const empty = VIP_KINDS.every((k) => names[k].length === 0);
    if (!current && empty) continue;
    if (current && canonicalJson(msVipsOf(current.spec)) === canonicalJson(next)) continue;
    const spec = next as unknown as Record<string, unknown>;
    vipOps.push(current ? { op: 'update', resource: { ...key, labels: {}, spec }, version: current.version } : { op: 'create', resource: { ...key, labels: {}, spec } });
  }
  const alive = new Set(meshes.map((m) => m.name));
  for (const r of store.list(MS_VIP_ALLOCATION_TYPE).items) if (!alive.has(r.mesh)) vipOps.push({ op: 'delete', key: { type: r.type, mesh: r.mesh, name: r.name }, version: r.version });
  if (vipOps.length) await store.transact(vipOps);
  return [...ops, ...vipOps];
}

export interface MeshServiceControllerDeps {
  store: ResourceStore;
  zone: string;
  log: Logger;
  debounceMs?: number;
}

/** Starts the controller; returns its stop function. */
export function startMeshServiceController(deps: MeshServiceControllerDeps): () => void {
  const { store, zone, log } = deps;
  const debounceMs = deps.debounceMs ?? DEFAULT_MESH_SERVICE_DEBOUNCE_MS;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let stopped = false;
  const schedule = () => {
    if (!timer && !stopped) timer = setTimeout(() => void round(), debounceMs);
  };
  const round = async () => {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const ops = await reconcileMeshServices(store, zone);
      if (ops.length) log.info({ changes: ops.length }, 'updated MeshServices and their VIPs');
    } catch (e) {
      // A concurrent write won (conflict) or the store is closing: the next round sees the result.
      log.debug({ err: (e as Error).message }, 'MeshService reconciliation deferred');
      again = true;
    } finally {
      running = false;
    }
    if (again && !stopped) {
      again = false;
      schedule();
    }
  };
  const unwatch = store.watch((events: StoreEvent[]) => {
    if (events.some((e) => WATCHED.has(e.resource.type))) schedule();
  });
  schedule();
  return () => {
    stopped = true;
    unwatch();
    if (timer) clearTimeout(timer);
  };
}
