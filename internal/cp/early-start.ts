/**
 * Work a control plane start can begin before its modules are loaded:
 * opening the LevelDB store (LevelDB reads its files on the thread pool) and,
 * for a store that does not exist yet, generating the RSA signing keys the
 * first start creates (also the thread pool). Loading the control plane's
 * modules is some 150 ms of main-thread work that both then overlap with.
 * Imports stay light on purpose: this module runs before that load.
 */
import { existsSync } from 'node:fs';
import { prefetchSigningKeys } from '../auth/signing-key';
import type { CpConfig } from '../config/cp-config';
import { missingStartupKeys } from '../defaults/startup-keys';
import { LevelDbStore } from '../store/leveldb-store';
import { MemoryStore } from '../store/memory-store';
import type { ResourceStore } from '../store/resource-store';

export interface EarlyStart {
  /** The opened LevelDB store (leveldb only); a failure surfaces where it is awaited. */
  store?: Promise<ResourceStore>;
  /** Whether the signing keys this start needs are already being generated. */
  keysPrefetched: boolean;
}

export function beginStart(cfg: CpConfig): EarlyStart {
  if (cfg.store.type !== 'leveldb') return { keysPrefetched: false };
  const fresh = !existsSync(cfg.store.leveldb.path);
  // A store that does not exist yet holds no keys: the count is that of an empty store.
  if (fresh) prefetchSigningKeys(missingStartupKeys(cfg, new MemoryStore()));
  const store: Promise<ResourceStore> = LevelDbStore.open(cfg.store.leveldb.path);
  store.catch(() => undefined); // awaited (and reported) by startControlPlane
  return { store, keysPrefetched: fresh };
}
