/**
 * `npm run bench:fleet` runs end to end with a tiny fleet (20 simulated data planes per zone,
 * 1 global + 2 zone CPs from dist/kuma) and prints a JSON document of the promised shape: every
 * scenario, per-CP RSS and CPU, delivery percentiles, KDS propagation, pushes, and a verdict per
 * target. Speed is not asserted (the verdicts are printed, not checked).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kumaBinary, removeDir, tempDir } from './harness';

describe('bench:fleet', () => {
  it('prints every scenario with its figures for a 20-proxy fleet', async () => {
    const dir = tempDir('kuma-bench-fleet-');
    const out = join(dir, 'fleet.json');
    try {
      await new Promise<void>((resolve, reject) =>
        execFile(process.execPath, [join(__dirname, '..', '..', 'bench', 'fleet-full.mjs'), '--n', '20', '--services', '10', '--idle-s', '2', '--bounce', '10', '--processes', '1', '--timeout-s', '60', '--out', out], { env: { ...process.env, KUMA_BIN: kumaBinary() }, timeout: 240_000 }, (e, _stdout, stderr) =>
          e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(),
        ),
      );
      const r = JSON.parse(readFileSync(out, 'utf8'));
      expect(r.error).toBeUndefined();
      expect(Object.keys(r.scenarios)).toEqual(['connect', 'global_policy', 'mtls', 'scale_up', 'idle', 'reconnect']);
      const cpShape = { rss_mb: expect.any(Number), cpu_seconds: expect.any(Number) };
      for (const s of Object.values(r.scenarios) as { cps: Record<string, unknown> }[]) {
        expect(s.cps).toEqual({ global: cpShape, 'zone-1': cpShape, 'zone-2': cpShape });
      }
      const pct = { n: expect.any(Number), p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) };
      expect(r.scenarios.connect).toMatchObject({ configured: 40, failed: 0, zone_rss_mb_per_proxy: expect.any(Number), connect_to_config_ms: pct, targets_met: { zone_rss_mb_per_proxy: expect.any(Boolean), connect_all_configured_ms: expect.any(Boolean) } });
      expect(r.scenarios.global_policy).toMatchObject({ not_delivered: 0, delivery_ms: { ...pct, n: 40 }, kds_propagation_ms: { 'zone-1': expect.any(Number), 'zone-2': expect.any(Number) }, pushes: expect.any(Number), bytes_received: expect.any(Number), targets_met: { global_policy_acked_ms: expect.any(Boolean) } });
      expect(r.scenarios.mtls).toMatchObject({ not_delivered: 0, delivery_ms: { ...pct, n: 40 }, targets_met: { mtls_all_certified_ms: expect.any(Boolean) } });
      // Both zones: zone-2's own proxies, and zone-1's through the zone-2 ingress endpoint.
      expect(r.scenarios.scale_up).toMatchObject({ zone1_eds_delivery_ms: pct, zone2_eds_delivery_ms: pct, targets_met: { new_instance_in_eds_ms: expect.any(Boolean) } });
      expect(r.scenarios.scale_up.proxies_reaching_per_zone).toBeGreaterThan(0);
      expect(r.scenarios.scale_up.zone1_eds_delivery_ms.n).toBe(r.scenarios.scale_up.proxies_reaching_per_zone);
      expect(r.scenarios.scale_up.zone2_eds_delivery_ms.n).toBe(r.scenarios.scale_up.proxies_reaching_per_zone);
      // xDS generation per zone CP, from its /metrics: every proxy was generated on connect.
      const gen = { generated: expect.any(Number), mean: expect.any(Number), window_p50: expect.any(Number), window_p99: expect.any(Number) };
      expect(r.scenarios.connect.xds_generation_ms).toEqual({ 'zone-1': gen, 'zone-2': gen });
      expect(r.scenarios.connect.xds_generation_ms['zone-1'].generated).toBeGreaterThanOrEqual(20);
      expect(r.scenarios.global_policy.xds_generation_ms['zone-2'].generated).toBeGreaterThanOrEqual(20);
      expect(r.scenarios.idle).toMatchObject({ seconds: 2, pushes: expect.any(Number), cpu_percent: { global: expect.any(Number), 'zone-1': expect.any(Number), 'zone-2': expect.any(Number) }, targets_met: { idle_cpu_percent: expect.any(Boolean), idle_pushes: expect.any(Boolean) } });
      expect(r.scenarios.reconnect).toMatchObject({ proxies: 10, reconfigured: 10, failed: 0, reconnect_to_config_ms: pct });
      expect(r.targets).toMatchObject({ zone_rss_mb_per_proxy: 0.1, connect_all_configured_ms: 5000, global_policy_acked_ms: 1000, new_instance_in_eds_ms: 1000, idle_cpu_percent: 1, idle_pushes: 0, mtls_all_certified_ms: 10000 });
    } finally {
      removeDir(dir);
    }
  }, 300_000);
});
