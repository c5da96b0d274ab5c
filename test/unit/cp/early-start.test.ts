import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { beginStart } from '../../../internal/cp/early-start';
import { loadConfig } from '../../../internal/config/cp-config';
import type { ResourceStore } from '../../../internal/store/resource-store';

describe('beginStart', () => {
  const dirs: string[] = [];
  const opened: ResourceStore[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  const cfgIn = (env: Record<string, string> = {}) => {
    const d = mkdtempSync(join(tmpdir(), 'kuma-early-'));
    dirs.push(d);
    return loadConfig({ env: { KUMA_GENERAL_WORK_DIR: d, ...env } });
  };

  it('opens the LevelDB store and, for a new store, already generates its signing keys', async () => {
    const cfg = cfgIn();
    const early = beginStart(cfg);
    expect(early.keysPrefetched).toBe(true);
    const store = await early.store!;
    opened.push(store);
    expect(store.count('Mesh')).toBe(0);
    await store.close();
    opened.pop();
    // The store exists now: its keys are counted against what it holds, after it is read.
    const again = beginStart(cfg);
    expect(again.keysPrefetched).toBe(false);
    opened.push(await again.store!);
  });

  it('leaves other stores to startControlPlane', () => {
    expect(beginStart(cfgIn({ KUMA_STORE_TYPE: 'memory' }))).toEqual({ keysPrefetched: false });
  });
});
