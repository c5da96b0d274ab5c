/**
 * kill -9 of the control plane while 500 PUTs are in flight: after a
 * restart every PUT that was answered 2xx is present and the store opens.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { removeDir, startCp, tempDir, type ControlPlane } from './harness';

const dataplane = (name: string) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address: '127.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': `svc-${name}` } }] },
});

describe('crash safety of the LevelDB store', () => {
  const work = tempDir('kuma-crash-');
  let cp: ControlPlane | undefined;
  afterAll(async () => {
    await cp?.kill9();
    removeDir(work);
  });

  it('keeps every acknowledged PUT across kill -9 and restart', async () => {
    cp = await startCp({ workDir: work });
    const agent = new Agent({ connections: 32 });
    const acked: string[] = [];
    let failed = 0;
    const puts = Array.from({ length: 500 }, (_, i) => `dp-${i}`).map(async (name, i) => {
      // Spread the requests so the kill lands while many are in flight.
      await new Promise((r) => setTimeout(r, i % 50));
      try {
        const r = await request(`${cp!.apiUrl}/meshes/default/dataplanes/${name}`, {
          method: 'PUT',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(dataplane(name)),
        });
        await r.body.text();
        if (r.statusCode >= 200 && r.statusCode < 300) acked.push(name);
        else failed++;
      } catch {
        failed++;
      }
    });
    // Kill once some have been acknowledged but while others are still pending.
    while (acked.length < 100) await new Promise((r) => setTimeout(r, 1));
    await cp.kill9();
    await Promise.all(puts);
    await agent.close();
    expect(acked.length).toBeGreaterThanOrEqual(100);
    expect(acked.length + failed).toBe(500);

    cp = await startCp({ workDir: work });
    const r = await request(`${cp.apiUrl}/meshes/default/dataplanes?size=1000`);
    const body = (await r.body.json()) as { total: number; items: { name: string }[] };
    const present = new Set(body.items.map((i) => i.name));
    const missing = acked.filter((n) => !present.has(n));
    expect(missing).toEqual([]);
    // Nothing half-written: every stored Dataplane is whole.
    for (const item of body.items as unknown as ReturnType<typeof dataplane>[]) {
      expect(item.networking.inbound[0]!.tags['kuma.io/service']).toBe(`svc-${item.name}`);
    }
  });
});
