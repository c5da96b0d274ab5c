/**
 * How many RSA signing keys this start will create before /ready (so they
 * can be generated together, auth/signing-key.ts prefetchSigningKeys): the
 * user-token key (every CP) and the dataplane-token key of the default Mesh
 * when the defaults create it. The zone-token key is made after /ready
 * (ensureZoneSigningKeySoon) and is not counted.
 */
import { USER_SIGNING_KEY_PREFIX, dataplaneSigningKeyName, latestSigningKey } from '../auth/signing-key';
import { isFederatedZone, type CpConfig } from '../config/cp-config';
import type { ResourceStore } from '../store/resource-store';

export function missingStartupKeys(cfg: CpConfig, store: ResourceStore): number {
  const federated = isFederatedZone(cfg);
  let n = 0;
  if (!latestSigningKey(store, 'GlobalSecret', '', USER_SIGNING_KEY_PREFIX)) n++;
  const createsMesh = !cfg.defaults.skipMeshCreation && !federated && !store.get({ type: 'Mesh', mesh: '', name: 'default' });
  if (createsMesh && !store.get({ type: 'Secret', mesh: 'default', name: dataplaneSigningKeyName('default') })) n++;
  return n;
}
