/**
 * Objects a CP creates on start (spec §1.12): the `default` Mesh (global and
 * non-federated zones), the zone's own Zone resource, the cluster id and the
 * `envoy-admin-ca` GlobalSecret (every CP). The zone-token signing key is
 * created by control-plane.ts (auth/signing-key.ts).
 */
import { randomUUID } from 'node:crypto';
import type { CpConfig } from '../config/cp-config';
import { isFederatedZone } from '../config/cp-config';
import type { ResourceManager } from '../core/resource-manager';
import { ensureEnvoyAdminCa } from '../ca/envoy-admin-ca';
import { logger } from '../log/logger';
import type { ResourceStore } from '../store/resource-store';

export const CLUSTER_ID_KEY = { type: 'Config', mesh: '', name: 'kuma-cluster-id' } as const;

export async function ensureDefaults(cfg: CpConfig, store: ResourceStore, manager: ResourceManager): Promise<void> {
  const log = logger('defaults');
  if (!store.get(CLUSTER_ID_KEY)) {
    await store.create({ ...CLUSTER_ID_KEY, labels: {}, spec: { config: randomUUID() } });
  }
  if (await ensureEnvoyAdminCa(store)) log.info('created GlobalSecret "envoy-admin-ca"');
  if (!cfg.defaults.skipMeshCreation && !isFederatedZone(cfg) && !store.get({ type: 'Mesh', mesh: '', name: 'default' })) {
    await manager.createMesh('default');
    log.info('created Mesh "default"');
  }
  const relabelled = await manager.relabelMeshDefaults();
  if (relabelled) log.info(`relabelled ${relabelled} default mesh policies`);
  if (cfg.mode === 'zone') {
    const name = cfg.multizone.zone.name;
    if (!store.get({ type: 'Zone', mesh: '', name })) {
      await store.create({ type: 'Zone', mesh: '', name, labels: {}, spec: { enabled: true } });
    }
    for (const z of store.list('Zone').items) if (z.name !== name) await store.delete(z);
  }
}

export function clusterId(store: ResourceStore): string {
  return String(store.get(CLUSTER_ID_KEY)?.spec.config ?? '');
}
