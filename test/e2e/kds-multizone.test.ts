/**
 * KDS between real processes on loopback: one global and two zone control
 * planes, following the multi-zone checklist of the issue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, kumactlHome, removeDir, runKuma, startGlobal, startZone, tempDir, type ControlPlane } from './harness';

const dataplane = (name: string, service = 'web') => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address: '127.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': service } }] },
});
const mtp = (name: string, action = 'Allow') => ({
  type: 'MeshTrafficPermission',
  mesh: 'default',
  name,
  spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action } }] },
});

type Item = { name: string; labels?: Record<string, string>; [k: string]: unknown };
const items = async (cp: ControlPlane, path: string): Promise<Item[]> => (await api(cp, 'GET', path)).json.items;
const byDisplayName = (list: Item[], n: string) => list.find((i) => i.labels?.['kuma.io/display-name'] === n);
const zoneStatus = async (global: ControlPlane, zone: string) => {
  const o = (await api(global, 'GET', `/zones/${zone}/_overview`)).json;
  const subs = o.zoneInsight?.subscriptions ?? [];
  const online = subs.some((s: { connectTime?: string; disconnectTime?: string }) => s.connectTime && !s.disconnectTime);
  return online && o.zone?.enabled !== false ? 'Online' : 'Offline';
};

describe('multi-zone KDS: 1 global + 2 zones', () => {
  const dirs = { global: tempDir('kuma-g-'), z1: tempDir('kuma-z1-'), z2: tempDir('kuma-z2-') };
  let global: ControlPlane & { kdsPort: number };
  let z1: ControlPlane;
  let z2: ControlPlane;
  let home: string;

  beforeAll(async () => {
    global = await startGlobal({ workDir: dirs.global, args: ['--kds-auth=none'] });
    [z1, z2] = await Promise.all([startZone('zone-1', global.kdsPort, { workDir: dirs.z1 }), startZone('zone-2', global.kdsPort, { workDir: dirs.z2 })]);
    home = await kumactlHome(global);
    await eventually(async () => expect((await items(global, '/zones')).map((z) => z.name)).toEqual(['zone-1', 'zone-2']));
  });
  afterAll(async () => {
    await Promise.all([global, z1, z2].map((cp) => cp?.kill9()));
    for (const d of [...Object.values(dirs), home]) if (d) removeDir(d);
  });

  it('registers each zone on first contact and shows it Online in kuma inspect zones', async () => {
    await eventually(async () => {
      const r = await runKuma(['inspect', 'zones'], { home });
      expect(r.stdout).toMatch(/\nzone-1 +Online +\S+ +\S+ +\d+ +0 +2\.\d+\.\d+ +leveldb\n/);
      expect(r.stdout).toMatch(/\nzone-2 +Online /);
    });
    // Counters are flushed at most once per second.
    await eventually(async () => {
      const zi = (await api(global, 'GET', '/zones/zone-1/_overview')).json.zoneInsight.subscriptions.at(-1);
      expect(zi.globalInstanceId).toMatch(/-[0-9a-f]{4}$/);
      expect(zi.version.kumaCp.version).toMatch(/^2\./);
      expect(JSON.parse(zi.config)).toMatchObject({ environment: 'universal', store: { type: 'leveldb' } });
      expect(Number(zi.status.stat.Mesh.responsesSent)).toBeGreaterThanOrEqual(1);
      expect(Number(zi.status.stat.Mesh.responsesAcknowledged)).toBeGreaterThanOrEqual(1);
      expect(zi.status.total.responsesRejected).toBe('0');
      expect(Number(zi.status.stat.ZoneIngress?.responsesReceived ?? zi.status.stat.Dataplane?.responsesReceived)).toBeGreaterThanOrEqual(1);
    }, 5_000);
  });

  it('sends the default mesh and its policies down to both zones', async () => {
    for (const z of [z1, z2]) {
      await eventually(async () => {
        const meshes = await items(z, '/meshes');
        expect(meshes.map((m) => m.name)).toEqual(['default']);
        expect(meshes[0]!.labels).toMatchObject({ 'kuma.io/origin': 'global' });
        const retries = await items(z, '/meshes/default/meshretries');
        expect(retries.map((r) => r.labels?.['kuma.io/display-name'])).toEqual(['mesh-retry-all-default']);
      });
    }
  });

  it('a policy applied on the global appears in both zones, then its update and deletion', async () => {
    expect((await api(global, 'PUT', '/meshes/default/meshtrafficpermissions/allow-all', mtp('allow-all'))).status).toBe(201);
    for (const z of [z1, z2]) await eventually(async () => expect((byDisplayName(await items(z, '/meshes/default/meshtrafficpermissions'), 'allow-all') as any)?.spec.from[0].default.action).toBe('Allow'));
    expect((await api(global, 'PUT', '/meshes/default/meshtrafficpermissions/allow-all', mtp('allow-all', 'Deny'))).status).toBe(200);
    for (const z of [z1, z2]) await eventually(async () => expect((byDisplayName(await items(z, '/meshes/default/meshtrafficpermissions'), 'allow-all') as any)?.spec.from[0].default.action).toBe('Deny'));
    expect((await api(global, 'DELETE', '/meshes/default/meshtrafficpermissions/allow-all')).status).toBe(200);
    for (const z of [z1, z2]) await eventually(async () => expect(byDisplayName(await items(z, '/meshes/default/meshtrafficpermissions'), 'allow-all')).toBeUndefined());
  });

  it('a Dataplane applied in zone-1 reaches the global with zone labels, not zone-2; zone-2 gets zone-1\'s ingress only', async () => {
    expect((await api(z1, 'PUT', '/meshes/default/dataplanes/web-1', dataplane('web-1'))).status).toBe(201);
    expect((await api(z1, 'PUT', '/zoneingresses/ingress', { type: 'ZoneIngress', name: 'ingress', networking: { address: '127.0.0.1', port: 10001, advertisedAddress: '127.0.0.1', advertisedPort: 10001 } })).status).toBe(201);
    const onGlobal = await eventually(async () => {
      const dp = byDisplayName(await items(global, '/meshes/default/dataplanes'), 'web-1');
      expect(dp).toBeDefined();
      return dp!;
    });
    expect(onGlobal.name).toMatch(/^web-1-[bcdfghjklmnpqrstvwxz2456789]{16}$/);
    expect(onGlobal.labels).toMatchObject({ 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1', 'kuma.io/display-name': 'web-1' });
    const ingressInZone2 = await eventually(async () => {
      const zi = byDisplayName(await items(z2, '/zoneingresses'), 'ingress');
      expect(zi).toBeDefined();
      return zi!;
    });
    expect(ingressInZone2).toMatchObject({ zone: 'zone-1', labels: { 'kuma.io/zone': 'zone-1', 'kuma.io/origin': 'global' } });
    // Zone-1 does not get its own ingress back, and zone-2 never sees zone-1's Dataplanes.
    expect((await items(z1, '/zoneingresses')).map((i) => i.name)).toEqual(['ingress']);
    expect(await items(z2, '/meshes/default/dataplanes')).toEqual([]);
  });

  it('same-named Dataplanes of two zones coexist on the global', async () => {
    expect((await api(z2, 'PUT', '/meshes/default/dataplanes/web-1', dataplane('web-1'))).status).toBe(201);
    expect((await api(z2, 'PUT', '/zoneingresses/ingress-2', { type: 'ZoneIngress', name: 'ingress-2', networking: { address: '127.0.0.1', port: 10002, advertisedAddress: '127.0.0.1', advertisedPort: 10002 } })).status).toBe(201);
    await eventually(async () => expect(byDisplayName(await items(z1, '/zoneingresses'), 'ingress-2')).toBeDefined());
    await eventually(async () => {
      const dps = (await items(global, '/meshes/default/dataplanes')).filter((d) => d.labels?.['kuma.io/display-name'] === 'web-1');
      expect(dps.map((d) => d.labels?.['kuma.io/zone']).sort()).toEqual(['zone-1', 'zone-2']);
      expect(new Set(dps.map((d) => d.name)).size).toBe(2);
    });
  });

  it('refuses zone-local policy edits and global edits of zone-origin resources with Kuma\'s texts', async () => {
    const tp = { type: 'TrafficPermission', mesh: 'default', name: 'tp', sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: { 'kuma.io/service': '*' } }] };
    const legacy = await api(z1, 'PUT', '/meshes/default/traffic-permissions/tp', tp);
    expect(legacy.status).toBe(405);
    expect(legacy.json.detail).toMatch(/^On zone control plane you can only modify zone resources/);
    const noOrigin = await api(z1, 'PUT', '/meshes/default/meshtrafficpermissions/local', mtp('local'));
    expect(noOrigin.status).toBe(400);
    expect(noOrigin.json.invalid_parameters).toEqual([{ field: 'labels["kuma.io/origin"]', reason: "the origin label must be set to 'zone'" }]);
    const synced = byDisplayName(await items(z1, '/meshes/default/meshretries'), 'mesh-retry-all-default')!;
    const del = await api(z1, 'DELETE', `/meshes/default/meshretries/${synced.name}`);
    expect(del.status).toBe(400);
    expect(del.json.invalid_parameters[0].reason).toBe("the origin label must be set to 'zone'");
    expect((await api(z1, 'PUT', '/meshes/demo', { type: 'Mesh', name: 'demo' })).status).toBe(405);
    const dpOnGlobal = byDisplayName(await items(global, '/meshes/default/dataplanes'), 'web-1')!;
    expect((await api(global, 'DELETE', `/meshes/default/dataplanes/${dpOnGlobal.name}`)).status).toBe(405);
  });

  it('kill -9 of a zone CP turns it Offline on the global within 15 s, and its proxies with it', async () => {
    await z2.kill9();
    const t0 = Date.now();
    await eventually(async () => expect(await zoneStatus(global, 'zone-2')).toBe('Offline'), 15_000);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(await zoneStatus(global, 'zone-1')).toBe('Online');
    // Its synced Dataplane stays in the inventory, reported as offline (Kuma #7027).
    const dp = (await items(global, '/meshes/default/dataplanes/_overview')).find((d) => (d.labels as Record<string, string>)['kuma.io/zone'] === 'zone-2') as any;
    expect(dp).toBeDefined();
    expect((dp.dataplaneInsight?.subscriptions ?? []).every((s: { disconnectTime?: string }) => s.disconnectTime)).toBe(true);
  });

  it('refuses to delete a connected zone, deletes a disconnected one and cascades to the other zone', async () => {
    const refused = await api(global, 'DELETE', '/zones/zone-1');
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ title: 'Could not delete a resource', detail: 'Resource is not valid' });
    expect(refused.json.invalid_parameters).toEqual([{ field: 'zone', reason: 'unable to delete Zone, Zone CP is still connected, please shut it down first' }]);
    // zone-2 is down: deleting it removes what it synced, and zone-1 hears about it.
    expect((await api(global, 'PUT', '/zones/zone-2', { type: 'Zone', name: 'zone-2', enabled: true })).status).toBe(200);
    const r = await api(global, 'DELETE', '/zones/zone-2');
    expect(r.status).toBe(200);
    const left = (await items(global, '/meshes/default/dataplanes')).map((d) => d.labels?.['kuma.io/zone']);
    expect(left).toEqual(['zone-1']);
    expect((await items(global, '/zoneingresses')).map((i) => i.labels?.['kuma.io/zone'])).toEqual(['zone-1']);
    expect((await api(global, 'GET', '/zones/zone-2')).status).toBe(404);
    await eventually(async () => expect(byDisplayName(await items(z1, '/zoneingresses'), 'ingress-2')).toBeUndefined());
  });

  it('a zone coming back re-registers and resyncs', async () => {
    z2 = await startZone('zone-2', global.kdsPort, { workDir: dirs.z2 });
    await eventually(async () => expect(await zoneStatus(global, 'zone-2')).toBe('Online'));
    await eventually(async () => expect((await items(global, '/meshes/default/dataplanes')).map((d) => d.labels?.['kuma.io/zone']).sort()).toEqual(['zone-1', 'zone-2']));
  });

  it('disable a zone: its ingress leaves the other zones, it gets no config and shows Offline; enable restores it', async () => {
    // zone-2 resent its ingress when it came back.
    await eventually(async () => expect(byDisplayName(await items(z1, '/zoneingresses'), 'ingress-2')).toBeDefined());
    expect((await api(global, 'PUT', '/zones/zone-2', { type: 'Zone', name: 'zone-2', enabled: false })).status).toBe(200);
    await eventually(async () => expect(byDisplayName(await items(z1, '/zoneingresses'), 'ingress-2')).toBeUndefined());
    expect(await zoneStatus(global, 'zone-2')).toBe('Offline');
    const inspect = await runKuma(['inspect', 'zones'], { home });
    expect(inspect.stdout).toMatch(/\nzone-2 +Offline /);
    // Config stops flowing to the disabled zone.
    expect((await api(global, 'PUT', '/meshes/default/meshtrafficpermissions/while-disabled', mtp('while-disabled'))).status).toBe(201);
    await eventually(async () => expect(byDisplayName(await items(z1, '/meshes/default/meshtrafficpermissions'), 'while-disabled')).toBeDefined());
    await new Promise((r) => setTimeout(r, 500));
    expect(byDisplayName(await items(z2, '/meshes/default/meshtrafficpermissions'), 'while-disabled')).toBeUndefined();
    expect((await api(global, 'PUT', '/zones/zone-2', { type: 'Zone', name: 'zone-2', enabled: true })).status).toBe(200);
    await eventually(async () => expect(byDisplayName(await items(z1, '/zoneingresses'), 'ingress-2')).toBeDefined());
    await eventually(async () => expect(byDisplayName(await items(z2, '/meshes/default/meshtrafficpermissions'), 'while-disabled')).toBeDefined());
    expect(await zoneStatus(global, 'zone-2')).toBe('Online');
  });

  it('the global killed: zones keep serving their API and data; restarted, everything converges within 5 s, deletions included', async () => {
    const kdsPort = global.kdsPort;
    const apiPort = global.apiPort;
    await global.kill9();
    // Zones still serve, and still hold what they had.
    expect(byDisplayName(await items(z1, '/meshes/default/meshtrafficpermissions'), 'while-disabled')).toBeDefined();
    expect((await api(z1, 'PUT', '/meshes/default/dataplanes/web-new', dataplane('web-new'))).status).toBe(201);
    expect((await api(z1, 'DELETE', '/meshes/default/dataplanes/web-1')).status).toBe(200);
    expect(byDisplayName(await items(z2, '/zoneingresses'), 'ingress')).toBeDefined(); // no spurious deletes while the global is away
    global = await startGlobal({ workDir: dirs.global, kdsPort, apiPort, args: ['--kds-auth=none'] });
    // A deletion on the restarted global reaches both zones too.
    expect((await api(global, 'DELETE', '/meshes/default/meshtrafficpermissions/while-disabled')).status).toBe(200);
    const t0 = Date.now();
    await eventually(async () => {
      const names = (await items(global, '/meshes/default/dataplanes')).filter((d) => d.labels?.['kuma.io/zone'] === 'zone-1').map((d) => d.labels?.['kuma.io/display-name']);
      expect(names).toEqual(['web-new']);
      expect(byDisplayName(await items(z1, '/meshes/default/meshtrafficpermissions'), 'while-disabled')).toBeUndefined();
      expect(byDisplayName(await items(z2, '/meshes/default/meshtrafficpermissions'), 'while-disabled')).toBeUndefined();
      expect(await zoneStatus(global, 'zone-1')).toBe('Online');
    }, 5_000);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('a zone that was away converges to deletions made meanwhile; the others keep its ingress while it is away', async () => {
    expect((await api(global, 'PUT', '/meshes/default/meshtrafficpermissions/short-lived', mtp('short-lived'))).status).toBe(201);
    await eventually(async () => expect(byDisplayName(await items(z2, '/meshes/default/meshtrafficpermissions'), 'short-lived')).toBeDefined());
    await z2.kill9();
    expect((await api(global, 'DELETE', '/meshes/default/meshtrafficpermissions/short-lived')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(byDisplayName(await items(z1, '/zoneingresses'), 'ingress-2')).toBeDefined(); // Kuma #9455: no spurious delete
    z2 = await startZone('zone-2', global.kdsPort, { workDir: dirs.z2 });
    await eventually(async () => expect(byDisplayName(await items(z2, '/meshes/default/meshtrafficpermissions'), 'short-lived')).toBeUndefined(), 5_000);
    expect(byDisplayName(await items(z2, '/meshes/default/meshretries'), 'mesh-retry-all-default')).toBeDefined();
  });
});
