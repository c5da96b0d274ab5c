/**
 * The control planes the fuzz targets attack, in this process, on loopback,
 * with memory stores:
 * - apiOnly: the real API server and write path with nothing else writing
 *   (no insights, CA or trackers), so any store change is the request's doing;
 * - zoneCp / globalCp: a whole CP from startControlPlane (DP server with ADS and
 *   /bootstrap; KDS), proxy and zone authentication off so fuzzed streams reach
 *   the stream logic instead of stopping at a missing token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../internal/apiserver/server';
import { defaultConfig, type CpConfig } from '../../internal/config/cp-config';
import { startControlPlane, type RunningControlPlane } from '../../internal/cp/control-plane';
import { ResourceManager } from '../../internal/core/resource-manager';
import { clusterId, ensureDefaults } from '../../internal/defaults/ensure-defaults';
import { setupLogging } from '../../internal/log/logger';
import { registry } from '../../internal/resources/types/index';
import { MemoryStore } from '../../internal/store/memory-store';

// The CP logs every refusal at warn; thousands of cases would bury the test output.
setupLogging(process.env.FUZZ_LOG_LEVEL ?? 'fatal');

function baseConfig(mode: 'zone' | 'global'): CpConfig {
  const cfg = defaultConfig() as CpConfig;
  cfg.mode = mode;
  cfg.general.workDir = mkdtempSync(join(tmpdir(), `kuma-fuzz-${mode}-`));
  cfg.store.type = 'memory';
  cfg.apiServer.http.interface = '127.0.0.1';
  cfg.apiServer.http.port = 0;
  cfg.apiServer.https.port = 0; // 5682 may be held by another CP on this machine
  cfg.diagnostics.serverPort = 0;
  cfg.dpServer.port = 0;
  cfg.multizone.global.kds.grpcPort = 0;
  return cfg;
}

export interface ApiOnly {
  store: MemoryStore;
  port: number;
  stop(): Promise<void>;
}

export async function startApiOnly(mode: 'zone' | 'global' = 'zone'): Promise<ApiOnly> {
  const cfg = baseConfig(mode);
  const store = new MemoryStore();
  const manager = new ResourceManager({ store, registry, ctx: { mode, federated: false, zoneName: '' }, unsafeDelete: false, readOnly: false });
  await ensureDefaults(cfg, store, manager);
  const api = await startApiServer({ config: cfg, registry, store, manager, instanceId: 'fuzz-api', clusterId: () => clusterId(store) }, { port: 0, iface: '127.0.0.1' });
  return {
    store,
    port: api.port,
    stop: async () => {
      api.server.closeAllConnections();
      await new Promise((r) => api.server.close(r));
      await store.close();
      rmSync(cfg.general.workDir, { recursive: true, force: true });
    },
  };
}

async function zoneSigningKeyCreated(cp: RunningControlPlane): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!cp.store.list('GlobalSecret').items.some((s) => s.name.startsWith('zone-token-signing-key'))) {
    if (Date.now() > deadline) throw new Error('the CP did not create its zone token signing key within 20 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startFuzzCp(mode: 'zone' | 'global'): Promise<RunningControlPlane & { cfg: CpConfig }> {
  const cfg = baseConfig(mode);
  cfg.dpServer.authn.dpProxy.type = 'none';
  cfg.dpServer.authn.zoneProxy.type = 'none';
  cfg.multizone.global.kds.authType = 'none';
  cfg.multizone.global.kds.tlsEnabled = false;
  cfg.xdsServer.debounceMs = 5;
  const cp = await startControlPlane(cfg);
  // The zone token signing key is made after /ready (off the startup path); a case must not
  // see that write as its own doing, so wait for it before the first case.
  await zoneSigningKeyCreated(cp);
  return {
    ...cp,
    cfg,
    stop: async () => {
      await cp.stop();
      rmSync(cfg.general.workDir, { recursive: true, force: true });
    },
  };
}
