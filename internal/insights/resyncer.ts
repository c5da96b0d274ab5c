/**
 * Keeps MeshInsight and ServiceInsight current: store changes mark meshes
 * dirty; at most once per interval the dirty meshes are recomputed and
 * written only when the result differs, so the resyncer never feeds itself.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ResourceManager } from '../core/resource-manager';
import { logger } from '../log/logger';
import type { ResourceInput } from '../resources/model';
import type { Registry } from '../resources/registry';
import type { ResourceStore, StoreEvent } from '../store/resource-store';
import { allServicesName } from '../apiserver/service-insight-endpoints';
import { computeMeshInsight, computeServiceInsight } from './compute';

const OWN_TYPES = new Set(['MeshInsight', 'ServiceInsight']);

export function startInsightResyncer(deps: { store: ResourceStore; registry: Registry; manager: ResourceManager; minIntervalMs: number }): () => void {
  const log = logger('insights');
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  const resync = async () => {
    timer = undefined;
    if (running) return schedule();
    running = true;
    const meshes = [...dirty];
    dirty.clear();
    try {
      const writes: ResourceInput[] = [];
      for (const mesh of meshes) {
        if (!deps.store.get({ type: 'Mesh', mesh: '', name: mesh })) continue;
        const mi = computeMeshInsight(deps.store, deps.registry, mesh);
        if (!isDeepStrictEqual(deps.store.get({ type: 'MeshInsight', mesh: '', name: mesh })?.spec, mi)) {
          writes.push({ type: 'MeshInsight', mesh: '', name: mesh, labels: {}, spec: mi });
        }
        const si = computeServiceInsight(deps.store, mesh);
        const siName = allServicesName(mesh);
        if (!isDeepStrictEqual(deps.store.get({ type: 'ServiceInsight', mesh, name: siName })?.spec, si)) {
          writes.push({ type: 'ServiceInsight', mesh, name: siName, labels: { 'kuma.io/mesh': mesh }, spec: si });
        }
      }
      await deps.manager.writeSystem(writes);
    } catch (e) {
      // A concurrent writer won (conflict): recompute on the next round.
      for (const m of meshes) dirty.add(m);
      log.debug({ err: e }, 'insight resync deferred');
    } finally {
      running = false;
    }
    if (dirty.size) schedule();
  };

  const schedule = () => {
    if (!timer) timer = setTimeout(() => void resync(), deps.minIntervalMs);
  };

  const onEvents = (events: StoreEvent[]) => {
    for (const e of events) {
      if (OWN_TYPES.has(e.resource.type)) continue;
      if (e.resource.type === 'Zone' || e.resource.type === 'ZoneInsight') {
        // A zone going offline changes how every mesh's synced proxies count.
        for (const m of deps.store.list('Mesh').items) dirty.add(m.name);
        continue;
      }
      dirty.add(e.resource.type === 'Mesh' ? e.resource.name : e.resource.mesh || '');
    }
    dirty.delete('');
    if (dirty.size) schedule();
  };
  const stop = deps.store.watch(onEvents);
  // A mesh without a MeshInsight gets one right away, so a fresh CP answers `inspect meshes` at once;
  // a restarted CP's stored insights stand until the first interval, off the path to /ready.
  for (const m of deps.store.list('Mesh').items) dirty.add(m.name);
  if ([...dirty].some((m) => !deps.store.get({ type: 'MeshInsight', mesh: '', name: m }))) void resync();
  else if (dirty.size) schedule();
  return () => {
    stop();
    if (timer) clearTimeout(timer);
  };
}
