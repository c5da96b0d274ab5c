/**
 * Per-proxy state is freed when proxies go away: 1000 simulated Envoys (bench/fleet-storm-client.ts,
 * one TLS h2 connection and one ADS stream each, in child processes) connect to an in-process zone
 * CP with mTLS on, get their config and an identity certificate each, and disconnect. Afterwards
 * every per-proxy map of the DP server (generated config, identities with their private keys,
 * insight subscriptions, stream registry, reconciler, snapshot cache, connections) is back to empty.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleStormClient } from '../../../bench/fleet-storm-bundle';
import { applyFleet, runStorm, type Fleet } from '../../../bench/fleet-storm';
import { defaultConfig, type CpConfig } from '../../../internal/config/cp-config';
import { startControlPlane, type RunningControlPlane } from '../../../internal/cp/control-plane';
import { setupLogging } from '../../../internal/log/logger';

setupLogging('error');

const PROXIES = 1000;

async function eventually(fn: () => void, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('DP server state after 1000 proxies connected and left', () => {
  let cp: RunningControlPlane;
  let cfg: CpConfig;
  let tmp: string;
  let fleet: Fleet;
  let clientFile: string;
  let apiUrl: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'kuma-freed-'));
    cfg = defaultConfig() as CpConfig;
    cfg.mode = 'zone';
    cfg.general.workDir = join(tmp, 'cp');
    cfg.store.type = 'memory';
    cfg.apiServer.http.interface = '127.0.0.1';
    cfg.apiServer.http.port = 0;
    cfg.apiServer.https.port = 0; // 5682 may be held by another CP on this machine
    cfg.diagnostics.serverPort = 0;
    cfg.dpServer.port = 0;
    cfg.dpServer.authn.dpProxy.type = 'none';
    cfg.xdsServer.debounceMs = 5;
    cp = await startControlPlane(cfg);
    apiUrl = `http://127.0.0.1:${cp.apiPort}`;
    const mesh = { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
    const r = await fetch(`${apiUrl}/meshes/default`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(mesh) });
    expect(r.status).toBeLessThan(300);
    fleet = await applyFleet(apiUrl, PROXIES, 50);
    clientFile = await bundleStormClient(tmp);
  }, 120_000);

  afterAll(async () => {
    await cp?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('keeps one entry per connected proxy and none once they are gone', async () => {
    const idle = cp.dpServer.stateSizes();
    expect(Object.values(idle).every((v) => v === 0)).toBe(true);
    const storm = await runStorm({ dpPort: cp.dpPort, cpPid: process.pid, fleet, clientFile, processes: 2, windowMs: 2000, protocol: 'mixed', timeoutMs: 120_000 });
    try {
      expect(storm.report.errors).toEqual([]);
      expect(storm.report.configured).toBe(PROXIES);
      await eventually(() => {
        const s = cp.dpServer.stateSizes();
        expect(s).toMatchObject({
          adsStreams: PROXIES,
          connections: PROXIES,
          'reconciler.proxies': PROXIES,
          'identities.identities': PROXIES,
          'identities.proxies': PROXIES,
          'insights.subscriptions': PROXIES,
          'insights.mtls': PROXIES,
          'streams.streams': PROXIES,
          'cache.snapshots': PROXIES,
        });
      }, 30_000);
    } finally {
      await storm.stop();
    }
    await eventually(() => {
      const s = cp.dpServer.stateSizes();
      expect(Object.entries(s).filter(([, v]) => v !== 0)).toEqual([]);
    }, 30_000);
    // The insights were written on the way out: every proxy's subscription is closed.
    const page = await (await fetch(`${apiUrl}/meshes/default/dataplane-insights?size=1000`)).json();
    const open = (page.items as { subscriptions?: { disconnectTime?: string }[] }[]).filter((i) => (i.subscriptions ?? []).some((s) => !s.disconnectTime));
    expect(page.items.length).toBe(PROXIES);
    expect(open.length).toBe(0);
  }, 300_000);
});
