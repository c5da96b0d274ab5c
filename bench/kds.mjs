// KDS benchmarks: policy propagation global -> 2 zones, and a zone's full resync.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { freePort, median, round, startCp } from './foundation.mjs';

const json = async (url) => {
  const r = await request(url);
  return r.body.json();
};

async function waitFor(pred, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 1));
  }
}

const mtp = (name) => JSON.stringify({ type: 'MeshTrafficPermission', mesh: 'default', name, spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] } });

async function put(url, body) {
  const r = await request(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
  await r.body.text();
  if (r.statusCode >= 300) throw new Error(`PUT ${url}: ${r.statusCode}`);
}

const countIn = async (zone, display) => {
  const l = await json(`${zone.url}/meshes/default/meshtrafficpermissions?name=${display}-`);
  return l.items.some((i) => i.labels?.['kuma.io/display-name'] === display);
};

export async function benchKds() {
  const kdsPort = await freePort();
  const global = await startCp(['--mode=global', '--kds-auth=none'], { KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT: String(kdsPort), KUMA_STORE_TYPE: 'memory' });
  const zoneArgs = (z) => ['--mode=zone', '--zone', z, '--kds-global-address', `grpcs://127.0.0.1:${kdsPort}`];
  const zoneEnv = { KUMA_MULTIZONE_ZONE_KDS_TLS_SKIP_VERIFY: 'true' };
  const z1 = await startCp(zoneArgs('zone-1'), { ...zoneEnv, KUMA_STORE_TYPE: 'memory' });
  const z2Dir = mkdtempSync(join(tmpdir(), 'kuma-bench-z2-'));
  let z2 = await startCp(zoneArgs('zone-2'), zoneEnv, z2Dir);
  try {
    await waitFor(async () => (await json(`${z1.url}/meshes`)).total === 1 && (await json(`${z2.url}/meshes`)).total === 1);
    const props = [];
    for (let i = 0; i < 20; i++) {
      const name = `prop-${i}`;
      const t0 = performance.now();
      await put(`${global.url}/meshes/default/meshtrafficpermissions/${name}`, mtp(name));
      await waitFor(async () => (await countIn(z1, name)) && (await countIn(z2, name)));
      props.push(performance.now() - t0);
    }

    // Full resync: zone-2 reconnects holding 5000 synced policies, one of which changed meanwhile.
    const agent = new Agent({ connections: 32 });
    let i = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (i < 5000) {
          const name = `bulk-${i++}`;
          const r = await request(`${global.url}/meshes/default/meshtrafficpermissions/${name}`, { method: 'PUT', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: mtp(name) });
          await r.body.text();
        }
      }),
    );
    await agent.close();
    await waitFor(async () => (await json(`${z2.url}/meshes/default/meshtrafficpermissions?size=1`)).total >= 5020, 60_000);
    z2.kill();
    await new Promise((r) => setTimeout(r, 300));
    await put(`${global.url}/meshes/default/meshtrafficpermissions/while-away`, mtp('while-away'));
    const t0 = performance.now();
    z2 = await startCp(zoneArgs('zone-2'), zoneEnv, z2Dir);
    await waitFor(async () => countIn(z2, 'while-away').catch(() => false), 60_000);
    const resync = performance.now() - t0;
    return { kds_policy_propagation_ms: round(median(props)), kds_full_resync_ms: Math.round(resync) };
  } finally {
    global.stop();
    z1.stop();
    z2.kill();
    rmSync(z2Dir, { recursive: true, force: true });
  }
}
