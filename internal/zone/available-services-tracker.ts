/**
 * Keeps the local ZoneIngresses' availableServices equal to what this zone
 * serves (kuma-kds-xds.md §2.2): recomputed shortly after any change of
 * Dataplanes, Meshes, ExternalServices or ZoneIngresses, written only when it
 * differs. KDS carries the result to the global and from there to the other
 * zones, whose sidecars turn it into weighted ingress endpoints.
 */
import type { Logger } from 'pino';
import { LABEL } from '../resources/model';
import type { ResourceStore, StoreEvent } from '../store/resource-store';
import { availableServicesEqual, availableServicesOf, computeAvailableServices } from '../xds/context/available-services';

const WATCHED = new Set(['Dataplane', 'Mesh', 'ExternalService', 'ZoneIngress']);

export function startAvailableServicesTracker(deps: { store: ResourceStore; zone: string; intervalMs: number; log: Logger }): () => void {
  const { store, zone } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  const isLocal = (spec: Record<string, unknown>, labels: Record<string, string>) => labels[LABEL.origin] !== 'global' && (!spec.zone || spec.zone === zone);

  const update = async () => {
    timer = undefined;
    if (running) return schedule();
    running = true;
    try {
      const want = computeAvailableServices(store.list('Dataplane').items, store.list('Mesh').items, store.list('ExternalService').items, zone);
      for (const zi of store.list('ZoneIngress').items) {
        if (!isLocal(zi.spec, zi.labels) || availableServicesEqual(availableServicesOf(zi.spec), want)) continue;
        await store.update({ type: zi.type, mesh: zi.mesh, name: zi.name, labels: zi.labels, spec: { ...zi.spec, availableServices: want } }, zi.version);
        deps.log.info({ ingress: zi.name, services: want.length }, 'updated the zone ingress availableServices');
      }
    } catch (e) {
      // A concurrent write won: the next round sees it.
      deps.log.debug({ err: (e as Error).message }, 'availableServices update deferred');
      schedule();
    } finally {
      running = false;
    }
  };

  const schedule = () => {
    if (!timer) timer = setTimeout(() => void update(), deps.intervalMs);
  };

  const stop = store.watch((events: StoreEvent[]) => {
    if (events.some((e) => WATCHED.has(e.resource.type))) schedule();
  });
  schedule();
  return () => {
    stop();
    if (timer) clearTimeout(timer);
  };
}
