/**
 * A connection storm on the DP server: 200 simulated Envoys (bench/fleet-storm-client.ts: one
 * TLS h2 connection and one ADS stream each, in separate processes, half Delta, half SotW) connect
 * to a real zone CP within 2 s. Every one must see the server's HTTP/2 preface, get its first
 * config (CDS, EDS, LDS) and ACK it, the CP must record the ACKs, and neither side may report an
 * error. Speed is measured by `npm run bench:storm`, never asserted here.
 */
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleStormClient } from '../../bench/fleet-storm-bundle';
import { applyFleet, runStorm, type Fleet } from '../../bench/fleet-storm';
import { GLOBAL_REFUSES } from '../../internal/dpserver/bootstrap-handler';
import { api, eventually, removeDir, startCp, startGlobal, tempDir, type ControlPlane } from './harness';

const PROXIES = 200;

describe('DP server under a connection storm', () => {
  let cp: ControlPlane;
  let tmp: string;
  let fleet: Fleet;
  let clientFile: string;

  beforeAll(async () => {
    tmp = tempDir('kuma-storm-');
    cp = await startCp({ env: { KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_STORE_TYPE: 'leveldb' }, args: ['--log-level', 'info'] });
    fleet = await applyFleet(cp.apiUrl, PROXIES, 20);
    clientFile = await bundleStormClient(tmp);
  }, 60_000);

  afterAll(async () => {
    await cp?.stop();
    if (cp) removeDir(cp.workDir);
    if (tmp) removeDir(tmp);
  });

  it('configures every proxy that connects within 2 s, none dropped, no error on either side', async () => {
    const storm = await runStorm({ dpPort: cp.dpPort, cpPid: cp.proc.pid!, fleet, clientFile, processes: 2, windowMs: 2000, protocol: 'mixed', timeoutMs: 90_000 });
    try {
      const r = storm.report;
      expect(r.errors).toEqual([]);
      expect(r.prefaces).toBe(PROXIES);
      expect(r.configured).toBe(PROXIES);
      expect(r.dropped).toBe(0);
      // CDS, EDS and LDS ACKed by every proxy, as the CP saw it (DataplaneInsight, flushed every 500 ms)
      expect(r.acks).toBeGreaterThanOrEqual(3 * PROXIES);
      await eventually(async () => {
        let acked = 0;
        for (let offset = 0; offset < PROXIES; offset += 100) {
          const page = await api(cp, 'GET', `/meshes/default/dataplane-insights?size=100&offset=${offset}`);
          for (const item of page.json.items) {
            const subs = (item.subscriptions ?? []) as { status?: { total?: { responsesAcknowledged?: string } } }[];
            if (subs.some((s) => Number(s.status?.total?.responsesAcknowledged ?? 0) >= 3)) acked++;
          }
        }
        expect(acked).toBe(PROXIES);
      }, 20_000, 250);
      expect(r.late_errors).toBe(0);
    } finally {
      await storm.stop();
    }
    const errors = cp.logs().split('\n').filter((l) => /"level":(5|6)\d/.test(l));
    expect(errors).toEqual([]);
    // each proxy was announced once: one stream per proxy, no reconnect
    expect(cp.logs().split('\n').filter((l) => l.includes('"proxy connected"')).length).toBe(PROXIES);
  }, 150_000);
});

/** POST /bootstrap over HTTP/1.1 (no ALPN offered) on the DP server's TLS port (self-signed: not verified). */
function postBootstrap(port: number, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/bootstrap', method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('DP server of a global CP', () => {
  let global: ControlPlane;
  let tmp: string;

  beforeAll(async () => {
    tmp = tempDir('kuma-storm-global-');
    global = await startGlobal();
  }, 60_000);

  afterAll(async () => {
    await global?.stop();
    if (global) removeDir(global.workDir);
    if (tmp) removeDir(tmp);
  });

  it('refuses ADS streams (h2) and bootstrap requests (HTTP/1.1) on its one port, with the reason', async () => {
    const clientFile = await bundleStormClient(tmp);
    const storm = await runStorm({ dpPort: global.dpPort, cpPid: global.proc.pid!, fleet: { mesh: 'default', names: ['web-1', 'web-2'] }, clientFile, processes: 1, windowMs: 100, protocol: 'mixed', timeoutMs: 20_000 });
    await storm.stop();
    expect(storm.report.prefaces).toBe(2);
    expect(storm.report.configured).toBe(0);
    // PERMISSION_DENIED with the reason, for Delta and SotW alike (then the stream's end, reported late)
    expect(storm.report.errors.slice(0, 2)).toEqual([
      `web-1 (delta): stream ended: grpc-status 7 ${GLOBAL_REFUSES}`,
      `web-2 (sotw): stream ended: grpc-status 7 ${GLOBAL_REFUSES}`,
    ]);
    const boot = await postBootstrap(global.dpPort, { mesh: 'default', name: 'web-1', proxyType: 'dataplane', dataplaneToken: 'x' });
    expect(boot.status).toBe(400);
    expect(boot.text).toContain(GLOBAL_REFUSES);
  }, 60_000);
});
