import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LevelDbStore } from '../../../internal/store/leveldb-store';
import type { ResourceStore } from '../../../internal/store/resource-store';
import { storeContract } from './contract';

const root = mkdtempSync(join(tmpdir(), 'kuma-leveldb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

storeContract('leveldb', {
  create: async () => LevelDbStore.open(join(root, `db-${n++}`)),
  reopen: async (s: ResourceStore) => {
    const path = (s as LevelDbStore).path;
    await s.close();
    return LevelDbStore.open(path);
  },
});

describe('LevelDbStore', () => {
  it('refuses a second opener of the same folder with a clear reason', async () => {
    const path = join(root, 'locked');
    const a = await LevelDbStore.open(path);
    await expect(LevelDbStore.open(path)).rejects.toThrow(/in use by another process.*KUMA_STORE_LEVELDB_PATH/);
    await a.close();
  });
});
