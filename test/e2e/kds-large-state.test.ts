/**
 * 5000 resources of one type cross KDS although a message may carry only
 * 256 KiB: the state is split into parts, nothing exceeds the limit, and the
 * link stays up (no reconnect loop).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { api, eventually, removeDir, startGlobal, startZone, type ControlPlane } from './harness';

const SMALL_LIMIT = { KUMA_MULTIZONE_GLOBAL_KDS_MAX_MSG_SIZE_BYTES: String(256 * 1024) };

async function putMany(cp: ControlPlane, n: number): Promise<void> {
  const agent = new Agent({ connections: 16 });
  let i = 0;
  const worker = async () => {
    while (i < n) {
      const name = `dp-${i++}`;
      const body = JSON.stringify({ type: 'Dataplane', mesh: 'default', name, networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': `svc-${name}`, version: 'v1' } }] } });
      const r = await request(`${cp.apiUrl}/meshes/default/dataplanes/${name}`, { method: 'PUT', dispatcher: agent, headers: { 'content-type': 'application/json' }, body });
      await r.body.text();
      if (r.statusCode !== 201) throw new Error(`PUT ${name}: ${r.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await agent.close();
}

describe('KDS with large state', () => {
  const cps: ControlPlane[] = [];
  afterAll(async () => {
    for (const cp of cps) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
  });

  it('syncs 5000 Dataplanes zone->global in parts under the message limit, on one connection', async () => {
    const global = await startGlobal({ args: ['--kds-auth=none'], env: { KUMA_STORE_TYPE: 'memory', ...SMALL_LIMIT } });
    cps.push(global);
    let zone = await startZone('zone-1', global.kdsPort, { env: SMALL_LIMIT });
    cps.push(zone);
    await eventually(async () => expect((await api(zone, 'GET', '/meshes')).json.total).toBe(1));
    await putMany(zone, 5000);
    await eventually(async () => expect((await api(global, 'GET', '/meshes/default/dataplanes?size=1')).json.total).toBe(5000), 30_000);
    const insight = (await api(global, 'GET', '/zones/zone-1/_overview')).json.zoneInsight;
    expect(insight.subscriptions).toHaveLength(1); // never reconnected
    expect(zone.logs()).not.toMatch(/RESOURCE_EXHAUSTED|stream failed/);
    expect(global.logs()).not.toMatch(/RESOURCE_EXHAUSTED/);

    // A reconnect sends the whole state at once: 5000 Dataplanes in several parts, applied as one.
    await zone.kill9();
    zone = await startZone('zone-1', global.kdsPort, { workDir: zone.workDir, env: SMALL_LIMIT });
    cps.push(zone);
    await eventually(async () => expect((await api(global, 'GET', '/zones/zone-1/_overview')).json.zoneInsight.subscriptions.filter((s: { disconnectTime?: string }) => !s.disconnectTime)).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 1000));
    expect((await api(global, 'GET', '/meshes/default/dataplanes?size=1')).json.total).toBe(5000);
    expect(zone.logs()).not.toMatch(/RESOURCE_EXHAUSTED|stream failed/);
    expect(global.logs()).not.toMatch(/RESOURCE_EXHAUSTED|applying zone resources failed/);
  });
});
