/**
 * Zone CP component: keeps one `VipAllocation` record per mesh (vips.ts) equal to what the mesh
 * needs, recomputed shortly after any change of Meshes, Dataplanes, ZoneIngresses (remote
 * services), ExternalServices or VirtualOutbounds, written only when it differs. Assignments are
 * read back from the store each round, so they survive restarts (leveldb) and stay stable while
 * services come and go.
 *
 * The record is mesh-scoped, so the xDS reconciler drops the mesh's MeshContext when it changes;
 * the DP server serves it as DNS records (GET /dns). The type is not in the registry: no API
 * route, no KDS sync, and a Mesh delete leaves it behind; this component deletes allocations of
 * meshes that no longer exist.
 */
import type { Logger } from 'pino';
import type { CpConfig } from '../config/cp-config';
import type { Resource } from '../resources/model';
import type { ResourceStore, StoreEvent } from '../store/resource-store';
import { VIP_ALLOCATION_TYPE, allocateVips, buildVipView, vipAllocationKey, vipAllocationSpec, vipAllocationsEqual, parseCidr } from './vips';

const WATCHED = new Set(['Mesh', 'Dataplane', 'ZoneIngress', 'ExternalService', 'VirtualOutbound', VIP_ALLOCATION_TYPE]);
export const DEFAULT_VIP_DEBOUNCE_MS = 200;

export interface VipAllocatorDeps {
  store: ResourceStore;
  cfg: Pick<CpConfig, 'dnsServer' | 'multizone'>;
  log: Logger;
  /** Bursts of store changes within this window give one round (default 200 ms). */
  debounceMs?: number;
}

/** One allocation round over every mesh; returns the meshes whose record was written or deleted. */
export async function reconcileVips(store: ResourceStore, cfg: VipAllocatorDeps['cfg'], log?: Logger): Promise<string[]> {
  const changed: string[] = [];
  const meshes = store.list('Mesh').items;
  const zoneIngresses = store.list('ZoneIngress').items;
  for (const mesh of meshes) {
    const key = vipAllocationKey(mesh.name);
    const current = store.get(key);
    const previous = current ? vipAllocationSpec(current.spec) : undefined;
    const view = buildVipView({
      mesh: mesh.name,
      zone: cfg.multizone.zone.name,
      serviceVipPort: cfg.dnsServer.serviceVipPort,
      dataplanes: store.list('Dataplane', { mesh: mesh.name }).items,
      zoneIngresses,
      externalServices: store.list('ExternalService', { mesh: mesh.name }).items,
      virtualOutbounds: store.list('VirtualOutbound', { mesh: mesh.name }).items,
    });
    if (!current && view.length === 0) continue;
    let next;
    try {
      next = allocateVips(previous, view, { cidr: cfg.dnsServer.cidr, domain: cfg.dnsServer.domain, serviceVipPort: cfg.dnsServer.serviceVipPort });
    } catch (e) {
      log?.error({ mesh: mesh.name, err: (e as Error).message }, 'could not allocate Kuma DNS VIPs');
      continue;
    }
    if (current && vipAllocationsEqual(previous, next)) continue;
    const input = { ...key, labels: {}, spec: next as unknown as Record<string, unknown> };
    if (current) await store.update(input, current.version);
    else await store.create(input);
    changed.push(mesh.name);
    log?.info({ mesh: mesh.name, vips: next.entries.length }, 'updated the Kuma DNS VIPs');
  }
  const names = new Set(meshes.map((m) => m.name));
  for (const r of store.list(VIP_ALLOCATION_TYPE).items as Resource[]) {
    if (names.has(r.mesh)) continue;
    await store.delete(r, r.version);
    changed.push(r.mesh);
  }
  return changed;
}

/** Starts the allocator; returns its stop function. Throws at once on an invalid dnsServer.cidr. */
export function startVipAllocator(deps: VipAllocatorDeps): () => void {
  const { store, cfg, log } = deps;
  parseCidr(cfg.dnsServer.cidr);
  const debounceMs = deps.debounceMs ?? DEFAULT_VIP_DEBOUNCE_MS;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let stopped = false;

  const round = async () => {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await reconcileVips(store, cfg, log);
    } catch (e) {
      // A concurrent write won (conflict) or the store is closing: the next round sees the result.
      log.debug({ err: (e as Error).message }, 'VIP allocation deferred');
      again = true;
    } finally {
      running = false;
    }
    if (again && !stopped) {
      again = false;
      schedule();
    }
  };

  const schedule = () => {
    if (!timer && !stopped) timer = setTimeout(() => void round(), debounceMs);
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
