/**
 * Inspect forwarding on real Envoy: 1 global + 2 zones on loopback, a sidecar in each zone and a
 * zone ingress in zone-1. `kuma inspect dataplane|zoneingress NAME --type ...` against the global
 * is answered by the zone that runs the proxy, over that zone's KDS connection (GlobalKDSService
 * StreamXDSConfigs / StreamStats / StreamClusters); an offline zone is a clear error naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, freePort, kumactlHome, removeDir, runKuma, spawnKuma, startGlobal, startProxy, startZone, tempDir, type ControlPlane, type Proc, type Proxy } from './harness';

const ZONE_ENV = { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none' };

const procs: Proc[] = [];

describe('inspect through the global, forwarded to the owning zone', () => {
  let global: ControlPlane & { kdsPort: number };
  const zones: Record<string, ControlPlane> = {};
  const home = tempDir('kuma-fwd-home-');
  let globalHome: string;
  const proxies: Record<string, Proxy> = {};
  const inbound: Record<string, number> = {};
  /** The names the global stores the zones' proxies under (hash-suffixed), by their zone name. */
  const globalName: Record<string, string> = {};

  const inspect = (args: string[]) => runKuma(['inspect', ...args], { home: globalHome });

  const sidecar = async (zone: string, name: string) => {
    const appPort = await freePort();
    procs.push(spawnKuma(['demo-app', 'http', '--port', String(appPort), '--service', name, '--zone', zone], { home }));
    inbound[name] = await freePort();
    const yaml = `type: Dataplane
mesh: default
name: ${name}
networking:
  address: 127.0.0.1
  inbound:
  - port: ${inbound[name]}
    servicePort: ${appPort}
    tags: { kuma.io/service: ${name}, kuma.io/protocol: http }
`;
    const p = await startProxy({ cp: zones[zone]!, home, name, yaml });
    procs.push(p.dp);
    proxies[name] = p;
  };

  beforeAll(async () => {
    global = await startGlobal({ args: ['--kds-auth=none'], env: { KUMA_STORE_TYPE: 'memory', KUMA_MULTIZONE_GLOBAL_KDS_ENVOY_ADMIN_TIMEOUT_MS: '3000' } });
    [zones['zone-1'], zones['zone-2']] = await Promise.all([startZone('zone-1', global.kdsPort, { env: ZONE_ENV }), startZone('zone-2', global.kdsPort, { env: ZONE_ENV })]);
    for (const z of Object.values(zones)) await eventually(async () => expect((await api(z, 'GET', '/meshes/default')).status).toBe(200), 15_000);
    await Promise.all([sidecar('zone-1', 'web-1'), sidecar('zone-2', 'web-2')]);
    const port = await freePort();
    const zi = await startProxy({
      cp: zones['zone-1']!,
      home,
      name: 'zi-1',
      kind: 'ingress',
      waitReady: false,
      yaml: `type: ZoneIngress\nname: zi-1\nnetworking:\n  address: 127.0.0.1\n  port: ${port}\n  advertisedAddress: 127.0.0.1\n  advertisedPort: ${port}\n`,
    });
    procs.push(zi.dp);
    proxies['zi-1'] = zi;
    globalHome = await kumactlHome(global);
    await eventually(async () => {
      const dps = (await api(global, 'GET', '/meshes/default/dataplanes')).json.items as { name: string; labels: Record<string, string> }[];
      const zis = (await api(global, 'GET', '/zoneingresses')).json.items as { name: string; labels: Record<string, string> }[];
      for (const r of [...dps, ...zis]) globalName[r.labels['kuma.io/display-name'] ?? r.name] = r.name;
      expect(Object.keys(globalName)).toEqual(expect.arrayContaining(['web-1', 'web-2', 'zi-1']));
    }, 20_000, 200);
  }, 120_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    for (const cp of [global, ...Object.values(zones)]) if (cp) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
    removeDir(home);
    if (globalHome) removeDir(globalHome);
  });

  it('config-dump, stats, clusters and config of a sidecar in each zone', async () => {
    for (const [name, zone] of [['web-1', 'zone-1'], ['web-2', 'zone-2']] as const) {
      const dump = await inspect(['dataplane', globalName[name]!, '--type', 'config-dump']);
      expect(dump.code, dump.stderr).toBe(0);
      expect(Array.isArray(JSON.parse(dump.stdout).configs)).toBe(true);
      expect(dump.stdout).toContain(`inbound:127.0.0.1:${inbound[name]}`);
      const eds = await inspect(['dataplane', globalName[name]!, '--type', 'config-dump', '--include-eds']);
      expect(eds.stdout).toContain('type.googleapis.com/envoy.admin.v3.EndpointsConfigDump');
      const stats = await inspect(['dataplane', globalName[name]!, '--type', 'stats']);
      expect(stats.code, stats.stderr).toBe(0);
      expect(stats.stdout).toMatch(/^server\.live: 1$/m);
      const clusters = await inspect(['dataplane', globalName[name]!, '--type', 'clusters']);
      expect(clusters.code, clusters.stderr).toBe(0);
      expect(clusters.stdout).toMatch(/::cx_active::/);
      const own = await api(zones[zone]!, 'GET', `/meshes/default/dataplanes/${name}/_config`);
      expect(own.status, own.text).toBe(200);
      const config = await inspect(['dataplane', globalName[name]!, '--type', 'config']);
      expect(config.code, config.stderr).toBe(0);
      expect(JSON.parse(config.stdout).xds.listeners.map((l: { name: string }) => l.name)).toContain(`inbound:127.0.0.1:${inbound[name]}`);
      // The same bytes as the zone's own answer (both read the proxy's Envoy admin).
      const direct = await api(zones[zone]!, 'GET', `/meshes/default/dataplanes/${name}/stats?format=json`);
      expect(direct.status).toBe(200);
      const viaGlobal = await api(global, 'GET', `/meshes/default/dataplanes/${globalName[name]}/stats?format=json`);
      expect([viaGlobal.status, Object.keys(viaGlobal.json)]).toEqual([200, Object.keys(direct.json)]);
    }
  });

  it('a zone ingress: config-dump and stats through the global', async () => {
    const dump = await inspect(['zoneingress', globalName['zi-1']!]);
    expect(dump.code, dump.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(dump.stdout).configs)).toBe(true);
    const stats = await inspect(['zoneingress', globalName['zi-1']!, '--type', 'stats']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toMatch(/^server\.live: 1$/m);
    const missing = await inspect(['zoneingress', 'nope']);
    expect([missing.code, missing.stderr]).toEqual([1, 'Error: Could not get zone ingress resource (Not found)\n']);
  });

  it('no TLS ServerName deprecation warning from zones dialling the global by IP', () => {
    for (const z of Object.values(zones)) {
      expect(z.logs()).not.toContain('DEP0123');
      expect(z.logs()).not.toContain('DeprecationWarning');
    }
  });

  it('an offline zone: a clear error naming it, and the other zone still answers', async () => {
    await zones['zone-2']!.kill9();
    await eventually(async () => {
      const r = await inspect(['dataplane', globalName['web-2']!, '--type', 'stats']);
      expect([r.code, r.stderr]).toEqual([1, 'Error: Could not execute admin operation (zone "zone-2" is offline (its control plane is not connected to this global); start it or check its KDS link, then retry (kuma inspect zones))\n']);
    }, 20_000, 200);
    const r = await api(global, 'GET', `/meshes/default/dataplanes/${globalName['web-2']}/xds`);
    expect(r.status).toBe(503);
    const ok = await inspect(['dataplane', globalName['web-1']!, '--type', 'stats']);
    expect(ok.code, ok.stderr).toBe(0);
  });
});
