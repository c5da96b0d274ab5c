/**
 * Cross-zone traffic on real Envoy: 1 global + 2 zones on loopback, a zone
 * ingress per zone, sidecars everywhere. A client in zone-1 calls `backend`,
 * which runs in both zones; the multi-zone failure modes of the seed follow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api, eventually, freePort, removeDir, spawnKuma, startGlobal, startProxy, startZone, tempDir,
  type ControlPlane, type Proc, type Proxy,
} from './harness';

const ZONE_ENV = { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none', KUMA_XDS_SERVER_DATAPLANE_DEREGISTRATION_DELAY_MS: '200' };

const ALLOW_ALL = { type: 'MeshTrafficPermission', mesh: 'default', name: 'allow-all', spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] } };

const procs: Proc[] = [];

describe('cross-zone traffic through zone ingresses', () => {
  let global: ControlPlane & { kdsPort: number };
  const zones: Record<string, ControlPlane> = {};
  const home = tempDir('kuma-xz-home-');
  const proxies: Record<string, Proxy> = {};
  const apps: Record<string, Proc> = {};
  let clientPort = 0;

  const app = async (zone: string, instance: string, service = 'backend') => {
    const port = await freePort();
    const p = spawnKuma(['demo-app', 'http', '--port', String(port), '--service', service, '--instance', instance, '--zone', zone], { home });
    procs.push(p);
    apps[instance] = p;
    return port;
  };

  const sidecar = async (zone: string, name: string, service: string, appPort: number, mesh = 'default', outbound?: number) => {
    const inPort = await freePort();
    const yaml = `type: Dataplane
mesh: ${mesh}
name: ${name}
networking:
  address: 127.0.0.1
  inbound:
  - port: ${inPort}
    servicePort: ${appPort}
    tags: { kuma.io/service: ${service}, kuma.io/protocol: http }
${outbound ? `  outbound:\n  - port: ${outbound}\n    tags: { kuma.io/service: backend }\n` : ''}`;
    const p = await startProxy({ cp: zones[zone]!, home, name, yaml });
    procs.push(p.dp);
    proxies[name] = p;
    return p;
  };

  const ingress = async (zone: string, name: string) => {
    const port = await freePort();
    const yaml = `type: ZoneIngress
name: ${name}
networking:
  address: 127.0.0.1
  port: ${port}
  advertisedAddress: 127.0.0.1
  advertisedPort: ${port}
`;
    // Envoy has no listener until the ingress has something to expose: do not wait for readiness here.
    const p = await startProxy({ cp: zones[zone]!, home, name, yaml, kind: 'ingress', waitReady: false });
    procs.push(p.dp);
    proxies[name] = p;
    return p;
  };

  /** Calls backend through the client's outbound; the answering instance and zone. */
  const call = async (): Promise<{ status: number; instance?: string; zone?: string }> => {
    try {
      const r = await fetch(`http://127.0.0.1:${clientPort}/`, { signal: AbortSignal.timeout(5000) });
      const text = await r.text();
      if (r.status !== 200) return { status: r.status };
      const j = JSON.parse(text) as { instance: string; zone: string };
      return { status: 200, instance: j.instance, zone: j.zone };
    } catch {
      return { status: 0 };
    }
  };
  const calls = async (n: number) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await call());
    return out;
  };
  const byZone = (rs: { zone?: string }[]) => rs.reduce<Record<string, number>>((m, r) => ((m[r.zone ?? 'failed'] = (m[r.zone ?? 'failed'] ?? 0) + 1), m), {});
  const setMesh = async (routing: Record<string, unknown>) => {
    const mesh = { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] }, routing };
    expect((await api(global, 'PUT', '/meshes/default', mesh)).status).toBe(200);
  };

  beforeAll(async () => {
    global = await startGlobal({ args: ['--kds-auth=none'], env: { KUMA_STORE_TYPE: 'memory' } });
    [zones['zone-1'], zones['zone-2']] = await Promise.all([startZone('zone-1', global.kdsPort, { env: ZONE_ENV }), startZone('zone-2', global.kdsPort, { env: ZONE_ENV })]);
    await setMesh({});
    expect((await api(global, 'PUT', '/meshes/default/meshtrafficpermissions/allow-all', ALLOW_ALL)).status).toBe(201);
    // Both zones hold the mesh with mTLS and its CA before proxies start.
    for (const z of Object.values(zones)) {
      await eventually(async () => expect((await api(z, 'GET', '/meshes/default/secrets')).json.items.map((s: { name: string }) => s.name)).toContain('default.ca-builtin-cert-ca-1'), 15_000);
    }
    await Promise.all([ingress('zone-1', 'zi-1'), ingress('zone-2', 'zi-2')]);
    await Promise.all([
      (async () => sidecar('zone-1', 'backend-1a', 'backend', await app('zone-1', 'backend-1a')))(),
      (async () => sidecar('zone-1', 'backend-1b', 'backend', await app('zone-1', 'backend-1b')))(),
      (async () => sidecar('zone-2', 'backend-2a', 'backend', await app('zone-2', 'backend-2a')))(),
    ]);
    clientPort = await freePort();
    await sidecar('zone-1', 'web-1', 'web', await app('zone-1', 'web-1', 'web'), 'default', clientPort);
  }, 120_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    for (const cp of [global, ...Object.values(zones)]) if (cp) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
    removeDir(home);
  });

  it('zone-1 reaches backend in zone-2 through zone-2\'s ingress', async () => {
    await eventually(async () => expect((await calls(10)).some((r) => r.zone === 'zone-2')).toBe(true), 30_000, 200);
    const zi2 = await eventually(async () => {
      const zi = (await api(zones['zone-1']!, 'GET', '/zoneingresses')).json.items.find((i: { labels: Record<string, string> }) => i.labels['kuma.io/display-name'] === 'zi-2');
      expect(zi?.availableServices?.find((s: { tags: Record<string, string> }) => s.tags['kuma.io/service'] === 'backend')?.instances).toBe(1);
      return zi;
    });
    expect(zi2.zone).toBe('zone-2');
  });

  it('splits by instance weight: 2 instances in zone-1 get twice the traffic of 1 in zone-2', async () => {
    const rs = await calls(300);
    const z = byZone(rs);
    expect(z.failed ?? 0).toBe(0);
    // Expected 200 / 100; a binomial spread over 300 calls stays well inside +-45.
    expect(z['zone-1']).toBeGreaterThan(155);
    expect(z['zone-1']).toBeLessThan(245);
    expect(z['zone-2']).toBeGreaterThan(55);
  });

  it('a second mesh with the same service names stays isolated', async () => {
    const other = { type: 'Mesh', name: 'other', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
    expect((await api(global, 'PUT', '/meshes/other', other)).status).toBe(201);
    await eventually(async () => expect((await api(zones['zone-2']!, 'GET', '/meshes/other/secrets')).json.items.map((s: { name: string }) => s.name)).toContain('other.ca-builtin-cert-ca-1'), 15_000);
    await sidecar('zone-2', 'backend-other', 'backend', await app('zone-2', 'backend-other'), 'other');
    await eventually(async () => {
      const zi = (await api(zones['zone-1']!, 'GET', '/zoneingresses')).json.items.find((i: { labels: Record<string, string> }) => i.labels['kuma.io/display-name'] === 'zi-2');
      expect(zi.availableServices.map((s: { mesh: string }) => s.mesh)).toContain('other');
    });
    const rs = await calls(60);
    expect(rs.filter((r) => r.instance === 'backend-other')).toEqual([]);
    expect(rs.every((r) => r.status === 200)).toBe(true);
  });

  it('locality-aware load balancing keeps traffic local, and fails over when the local instances die', async () => {
    await setMesh({ localityAwareLoadBalancing: true });
    await eventually(async () => expect(byZone(await calls(30))).toEqual({ 'zone-1': 30 }), 15_000, 200);
    expect(byZone(await calls(50))).toEqual({ 'zone-1': 50 });
    await proxies['backend-1a']!.dp.stop('SIGKILL');
    await proxies['backend-1b']!.dp.stop('SIGKILL');
    await eventually(async () => expect(byZone(await calls(20))).toEqual({ 'zone-2': 20 }), 15_000, 200);
    // Bring zone-1's instances back for what follows.
    await sidecar('zone-1', 'backend-1a', 'backend', (await apiPortOf('backend-1a'))!);
    await sidecar('zone-1', 'backend-1b', 'backend', (await apiPortOf('backend-1b'))!);
    await eventually(async () => expect(byZone(await calls(20))).toEqual({ 'zone-1': 20 }), 15_000, 200);
    await setMesh({});
  });

  it('disabling zone-2 removes its ingress from zone-1 and traffic stays local; enabling restores it', async () => {
    expect((await api(global, 'PUT', '/zones/zone-2', { type: 'Zone', name: 'zone-2', enabled: false })).status).toBe(200);
    await eventually(async () => {
      const names = (await api(zones['zone-1']!, 'GET', '/zoneingresses')).json.items.map((i: { labels: Record<string, string> }) => i.labels['kuma.io/display-name'] ?? i.labels);
      expect(names).not.toContain('zi-2');
    });
    await eventually(async () => expect(byZone(await calls(40))).toEqual({ 'zone-1': 40 }), 15_000, 200);
    expect((await api(global, 'PUT', '/zones/zone-2', { type: 'Zone', name: 'zone-2', enabled: true })).status).toBe(200);
    await eventually(async () => expect(byZone(await calls(30))['zone-2'] ?? 0).toBeGreaterThan(0), 15_000, 200);
  });

  it('the global killed: cross-zone traffic goes on with 0 failed requests, and zone-2 still serves a new proxy', async () => {
    await global.kill9();
    const rs = [];
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      rs.push(await call());
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(rs.filter((r) => r.status !== 200)).toEqual([]);
    expect(byZone(rs)['zone-2'] ?? 0).toBeGreaterThan(0);
    const fresh = await sidecar('zone-2', 'backend-2b', 'backend', await app('zone-2', 'backend-2b'));
    await eventually(async () => expect(await (await fetch(`http://127.0.0.1:${fresh.admin}/clusters`)).text()).toMatch(/^localhost:\d+::/m), 15_000);
  });

  it('the global restarted: everything converges', async () => {
    global = await startGlobal({ kdsPort: global.kdsPort, apiPort: global.apiPort, args: ['--kds-auth=none'], env: { KUMA_STORE_TYPE: 'memory' } });
    // A global with a fresh (memory) store gets the zones' resources again, and they get its config.
    await eventually(async () => {
      const dps = (await api(global, 'GET', '/meshes/default/dataplanes')).json.items.map((d: { labels: Record<string, string> }) => d.labels['kuma.io/display-name']);
      expect(dps.sort()).toEqual(['backend-1a', 'backend-1b', 'backend-2a', 'backend-2b', 'web-1']);
    }, 20_000);
    // zone-2 now advertises 2 instances.
    await eventually(async () => {
      const zi = (await api(zones['zone-1']!, 'GET', '/zoneingresses')).json.items.find((i: { labels: Record<string, string> }) => i.labels['kuma.io/display-name'] === 'zi-2');
      expect(zi?.availableServices?.find((s: { mesh: string; tags: Record<string, string> }) => s.mesh === 'default' && s.tags['kuma.io/service'] === 'backend')?.instances).toBe(2);
    }, 20_000);
    // A fresh store holds only the default Mesh (no mTLS) and no MeshTrafficPermission: the zones follow it
    // and traffic stays local. The operator applies the config again; a new CA rolls out to every proxy and
    // cross-zone traffic comes back. What follows must start from that settled state, not from mid-rollout.
    await eventually(async () => expect((await api(zones['zone-1']!, 'GET', '/meshes/default')).json.mtls).toBeUndefined(), 20_000);
    await setMesh({});
    expect((await api(global, 'PUT', '/meshes/default/meshtrafficpermissions/allow-all', ALLOW_ALL)).status).toBe(201);
    await eventually(async () => {
      const z = byZone(await calls(30));
      expect(z.failed ?? 0).toBe(0);
      expect(z['zone-2'] ?? 0).toBeGreaterThan(0);
    }, 30_000, 200);
    expect(byZone(await calls(50)).failed ?? 0).toBe(0);
  });

  it('the zone-1 CP killed: existing traffic goes on with 0 failed requests', async () => {
    await zones['zone-1']!.kill9();
    const rs = await calls(100);
    expect(rs.filter((r) => r.status !== 200)).toEqual([]);
    expect(byZone(rs)['zone-2'] ?? 0).toBeGreaterThan(0);
  });

  it('zone-2\'s ingress down: retries and outlier detection move the requests to local instances', async () => {
    await proxies['zi-2']!.dp.stop('SIGKILL');
    // The zone-1 CP is down too, so nothing but Envoy's own resilience (the default MeshRetry, outlier detection) helps.
    await eventually(async () => expect(byZone(await calls(20))).toEqual({ 'zone-1': 20 }), 20_000, 200);
  });

  /** The app port of a demo instance, from its log line "listening on 127.0.0.1:PORT". */
  async function apiPortOf(instance: string): Promise<number | undefined> {
    const m = /listening on [^:]+:(\d+)/.exec(apps[instance]!.logs());
    return m ? Number(m[1]) : undefined;
  }
});
