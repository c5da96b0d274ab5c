/**
 * MeshService mode across zones on real Envoy (spec kuma-kds-xds.md §2.3-§2.5, §3.8): 1 global +
 * 2 zones on loopback, a mesh with `meshServices.mode: Exclusive`, `backend` in both zones (each
 * zone generates its MeshService from its Dataplane; the global relays it to the other zone), and a
 * MeshMultiZoneService `backend` on the global selecting both by `kuma.io/display-name`.
 *
 * The client in zone-1 resolves `backend.mzsvc.mesh.local` through kuma-dp's resolver to the
 * zone's 243/8 VIP, whose listener its Envoy binds; requests go through its declared backendRef
 * outbound to the same cluster (reaching the VIP itself would need a local route for 243.0.0.0/8,
 * which the host must not get). zone-2's answers come through zone-2's ingress, routed by the
 * hashed SNI `a<hash>.backend.<port>.default.mzms`.
 *
 * Both backends listen on the same port (127.0.0.1 in zone-1, 127.0.0.2 in zone-2): a
 * MeshMultiZoneService port gathers the MeshServices' ports of that number.
 */
import { createSocket } from 'node:dgram';
import { get as httpGet } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RCODE, TYPE_A, buildQuery, parseResponse } from '../../internal/dns/dns-wire';
import { api, envoyBinary, eventually, freePort, jsonObjects, kumactlHome, removeDir, runKuma, spawnKuma, startGlobal, startProxy, startZone, tempDir, waitEnvoyReady, type ControlPlane, type Proc, type Proxy } from './harness';

const ZONE_ENV = { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none', KUMA_XDS_SERVER_DATAPLANE_DEREGISTRATION_DELAY_MS: '200' };

const procs: Proc[] = [];

/** `kuma dp run` with kuma-dp's DNS resolver on 127.0.0.1:dnsPort (harness startProxy has no extra flags). */
async function startDnsProxy(cp: ControlPlane, name: string, dnsPort: number, yaml: string, home: string): Promise<Proxy> {
  const file = join(home, `${name}.yaml`);
  writeFileSync(file, yaml);
  const admin = await freePort();
  const dp = spawnKuma(
    ['dp', 'run', '--cp-address', `https://127.0.0.1:${cp.dpPort}`, '--dataplane-file', file, '--ca-cert-file', join(cp.workDir, 'kuma-cp.crt'), '--binary-path', envoyBinary(), '--admin-port', String(admin), '--concurrency', '1', '--drain-time', '1s', '--dns-enabled', '--dns-port', String(dnsPort)],
    { home },
  );
  procs.push(dp);
  await waitEnvoyReady(admin);
  return { name, admin, dp };
}

/** One A query to a resolver on 127.0.0.1:port. */
function resolveA(port: number, name: string): Promise<{ rcode: number; ips: string[] }> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      reject(new Error(`no DNS answer for ${name}`));
    }, 2000);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      const r = parseResponse(m);
      resolve({ rcode: r.rcode, ips: r.answers.map((a) => a.ip) });
    });
    s.send(buildQuery(Math.floor(Math.random() * 65535), name, TYPE_A), port, '127.0.0.1');
  });
}

describe('MeshMultiZoneService across two zones (meshServices Exclusive)', () => {
  let global: ControlPlane & { kdsPort: number };
  const zones: Record<string, ControlPlane> = {};
  const home = tempDir('kuma-mzs-home-');
  const proxies: Record<string, Proxy> = {};
  const apps: Record<string, Proc> = {};
  let backendPort = 0;
  let clientPort = 0;
  let zone2Port = 0;
  let dnsPort = 0;

  const app = async (zone: string, instance: string, service: string) => {
    const port = await freePort();
    const p = spawnKuma(['demo-app', 'http', '--port', String(port), '--service', service, '--instance', instance, '--zone', zone], { home });
    procs.push(p);
    apps[instance] = p;
    return port;
  };

  const backend = async (zone: string, name: string, address: string) => {
    const appPort = await app(zone, name, 'backend');
    const yaml = `type: Dataplane
mesh: default
name: ${name}
networking:
  address: ${address}
  inbound:
  - port: ${backendPort}
    servicePort: ${appPort}
    tags: { kuma.io/service: backend, kuma.io/protocol: http }
`;
    const p = await startProxy({ cp: zones[zone]!, home, name, yaml });
    procs.push(p.dp);
    proxies[name] = p;
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
    const p = await startProxy({ cp: zones[zone]!, home, name, yaml, kind: 'ingress', waitReady: false });
    procs.push(p.dp);
    proxies[name] = p;
  };

  const call = async (port = clientPort): Promise<{ status: number; instance?: string; zone?: string }> => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
      const text = await r.text();
      if (r.status !== 200) return { status: r.status };
      const j = JSON.parse(text) as { instance: string; zone: string };
      return { status: 200, instance: j.instance, zone: j.zone };
    } catch {
      return { status: 0 };
    }
  };
  /**
   * One request on a connection of its own: a kept-alive connection opened before a listener
   * update keeps the old listener's routes (Envoy drains it), so it would not show the new ones.
   */
  const callFresh = (headers: Record<string, string>): Promise<string> =>
    new Promise((resolve) => {
      const req = httpGet({ host: '127.0.0.1', port: clientPort, path: '/', headers, agent: false, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(res.statusCode === 200 ? (JSON.parse(body) as { instance: string }).instance : `failed-${res.statusCode}`));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve('failed-0'));
    });
  const byZone = async (n: number, port = clientPort) => {
    const m: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const r = await call(port);
      const k = r.zone ?? `failed-${r.status}`;
      m[k] = (m[k] ?? 0) + 1;
    }
    return m;
  };

  beforeAll(async () => {
    global = await startGlobal({ args: ['--kds-auth=none'], env: { KUMA_STORE_TYPE: 'memory' } });
    [zones['zone-1'], zones['zone-2']] = await Promise.all([startZone('zone-1', global.kdsPort, { env: ZONE_ENV }), startZone('zone-2', global.kdsPort, { env: ZONE_ENV })]);
    const mesh = { type: 'Mesh', name: 'default', meshServices: { mode: 'Exclusive' }, mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
    expect((await api(global, 'PUT', '/meshes/default', mesh)).status).toBe(200);
    const mtp = { type: 'MeshTrafficPermission', mesh: 'default', name: 'allow-all', spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] } };
    expect((await api(global, 'PUT', '/meshes/default/meshtrafficpermissions/allow-all', mtp)).status).toBe(201);
    for (const z of Object.values(zones)) {
      await eventually(async () => expect((await api(z, 'GET', '/meshes/default/secrets')).json.items.map((s: { name: string }) => s.name)).toContain('default.ca-builtin-cert-ca-1'), 15_000);
    }
    backendPort = await freePort();
    await Promise.all([ingress('zone-1', 'zi-1'), ingress('zone-2', 'zi-2'), backend('zone-1', 'backend-1', '127.0.0.1'), backend('zone-2', 'backend-2', '127.0.0.2')]);
    const mzs = { type: 'MeshMultiZoneService', mesh: 'default', name: 'backend', spec: { selector: { meshService: { matchLabels: { 'kuma.io/display-name': 'backend' } } }, ports: [{ port: backendPort, appProtocol: 'http' }] } };
    expect((await api(global, 'PUT', '/meshes/default/meshmultizoneservices/backend', mzs)).status).toBe(201);
    clientPort = await freePort();
    zone2Port = await freePort();
    dnsPort = await freePort();
    const webApp = await app('zone-1', 'web-1', 'web');
    const web = await startDnsProxy(zones['zone-1']!, 'web-1', dnsPort, `type: Dataplane
mesh: default
name: web-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${await freePort()}
    servicePort: ${webApp}
    tags: { kuma.io/service: web, kuma.io/protocol: http }
  outbound:
  - port: ${clientPort}
    backendRef: { kind: MeshMultiZoneService, name: backend, port: ${backendPort} }
  - port: ${zone2Port}
    backendRef: { kind: MeshService, labels: { kuma.io/display-name: backend, kuma.io/zone: zone-2 }, port: ${backendPort} }
`, home);
    proxies['web-1'] = web;
  }, 120_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    for (const cp of [global, ...Object.values(zones)]) if (cp) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
    removeDir(home);
  });

  it('each zone generates its MeshService and receives the other zone\'s copy; the MeshMultiZoneService gets a 243/8 VIP and its hostname', async () => {
    await eventually(async () => {
      const items = (await api(zones['zone-1']!, 'GET', '/meshes/default/meshservices')).json.items as { name: string; labels: Record<string, string> }[];
      const backends = items.filter((i) => i.labels['kuma.io/display-name'] === 'backend');
      expect(backends.map((i) => `${i.labels['kuma.io/origin']}/${i.labels['kuma.io/zone']}`).sort()).toEqual(['global/zone-2', 'zone/zone-1']);
    }, 20_000, 200);
    const answer = await eventually(async () => {
      const r = await resolveA(dnsPort, 'backend.mzsvc.mesh.local');
      expect(r.rcode).toBe(RCODE.NOERROR);
      expect(r.ips).toHaveLength(1);
      return r;
    }, 20_000, 200);
    expect(answer.ips[0]).toMatch(/^243\./);
    // The local MeshService and zone-2's copy resolve to 241/8 VIPs.
    expect((await resolveA(dnsPort, 'backend.svc.mesh.local')).ips[0]).toMatch(/^241\./);
    expect((await resolveA(dnsPort, 'backend.svc.zone-2.mesh.local')).ips[0]).toMatch(/^241\./);
    // The client's Envoy holds an outbound on that VIP (and no kuma.io/service one: Exclusive).
    const listeners = await eventually(async () => {
      const text = await (await fetch(`http://127.0.0.1:${proxies['web-1']!.admin}/listeners`)).text();
      expect(text).toContain(`outbound:${answer.ips[0]}:${backendPort}`);
      return text;
    }, 15_000, 200);
    expect(listeners).not.toMatch(/outbound:240\./);
    // ... which routes to the MeshMultiZoneService's cluster, the one the declared outbound uses below.
    const dump = (await (await fetch(`http://127.0.0.1:${proxies['web-1']!.admin}/config_dump?resource=dynamic_listeners`)).json()) as { configs: { name: string; active_state?: { listener: unknown } }[] };
    const vipListener = dump.configs.find((c) => c.name === `outbound:${answer.ips[0]}:${backendPort}`);
    expect(JSON.stringify(vipListener?.active_state?.listener)).toContain(`"cluster":"default_backend___mzsvc_${backendPort}"`);
  });

  it('kuma get meshservice shows each zone\'s own proxies (connected, healthy, total from kuma dp + Envoy) and TLS Ready once their certificates are issued; the global shows the same, as each zone sent it', async () => {
    const homes: string[] = [];
    try {
      for (const zone of ['zone-1', 'zone-2']) {
        const kh = await kumactlHome(zones[zone]!);
        homes.push(kh);
        await eventually(async () => {
          const r = await runKuma(['get', 'meshservice', 'backend', '--mesh', 'default', '-o', 'json'], { home: kh });
          expect(r.code, r.stderr).toBe(0);
          const status = JSON.parse(r.stdout).status;
          expect(status.dataplaneProxies).toEqual({ connected: 1, healthy: 1, total: 1 });
          expect(status.tls).toEqual({ status: 'Ready' });
          expect(status.addresses.map((a: { hostname: string }) => a.hostname)).toEqual(['backend.svc.mesh.local']);
        }, 20_000, 500);
      }
      // zone-1's copy of zone-2's backend: its proxies are zone-2's to count.
      const list = await runKuma(['get', 'meshservices', '--mesh', 'default', '-o', 'json'], { home: homes[0]! });
      const copy = JSON.parse(list.stdout).items.find((i: { labels: Record<string, string> }) => i.labels['kuma.io/zone'] === 'zone-2');
      expect(copy.status.dataplaneProxies).toEqual({});
      expect(copy.status.tls).toEqual({});
      // The global shows each zone's MeshService with the status that zone computed, sent over KDS.
      const gh = await kumactlHome(global);
      homes.push(gh);
      await eventually(async () => {
        const r = await runKuma(['get', 'meshservices', '--mesh', 'default', '-o', 'json'], { home: gh });
        expect(r.code, r.stderr).toBe(0);
        const items = JSON.parse(r.stdout).items as { labels: Record<string, string>; status: Record<string, any> }[];
        const backends = items.filter((i) => i.labels['kuma.io/display-name'] === 'backend').sort((a, b) => a.labels['kuma.io/zone']!.localeCompare(b.labels['kuma.io/zone']!));
        expect(backends.map((b) => b.labels['kuma.io/zone'])).toEqual(['zone-1', 'zone-2']);
        for (const b of backends) {
          expect(b.status.dataplaneProxies).toEqual({ connected: 1, healthy: 1, total: 1 });
          expect(b.status.tls).toEqual({ status: 'Ready' });
          expect(b.status.addresses.map((a: { hostname: string }) => a.hostname)).toEqual(['backend.svc.mesh.local']);
          expect(b.status.vips[0].ip).toMatch(/^241\./);
        }
      }, 20_000, 500);
    } finally {
      for (const h of homes) removeDir(h);
    }
  });

  it('a MeshService outbound to zone-2\'s backend (backendRef by labels) is answered by zone-2 through its ingress, by the hashed SNI', async () => {
    await eventually(async () => expect(await byZone(10, zone2Port)).toEqual({ 'zone-2': 10 }), 20_000, 200);
    const stats = await (await fetch(`http://127.0.0.1:${proxies['zi-2']!.admin}/stats?filter=msvc`)).text();
    expect(stats).toMatch(/default_backend__zone-2_msvc_\d+\.upstream_cx_total: [1-9]/);
  });

  it('sends to the local zone first', async () => {
    await eventually(async () => expect(await byZone(20)).toEqual({ 'zone-1': 20 }), 20_000, 200);
  });

  it('with locality awareness disabled for the MeshMultiZoneService, answers come from both zones (zone-2 through its ingress, by hashed SNI)', async () => {
    const mlbs = { type: 'MeshLoadBalancingStrategy', mesh: 'default', name: 'spread', spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'MeshMultiZoneService', name: 'backend' }, default: { localityAwareness: { disabled: true } } }] } };
    expect((await api(global, 'PUT', '/meshes/default/meshloadbalancingstrategies/spread', mlbs)).status).toBe(201);
    const z = await eventually(async () => {
      const m = await byZone(40);
      expect(Object.keys(m).sort()).toEqual(['zone-1', 'zone-2']);
      return m;
    }, 20_000, 200);
    expect(z['zone-1']! + z['zone-2']!).toBe(40);
    const stats = await (await fetch(`http://127.0.0.1:${proxies['zi-2']!.admin}/stats?filter=mzsvc`)).text();
    expect(stats).toMatch(/default_backend___mzsvc_\d+\.upstream_cx_total: [1-9]/);
  });

  it('a header hash policy at default.hashPolicies (RingHash) pins each client to one backend instance; clients spread over both zones', async () => {
    const mlbs = {
      type: 'MeshLoadBalancingStrategy',
      mesh: 'default',
      name: 'spread',
      spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'MeshMultiZoneService', name: 'backend' }, default: { localityAwareness: { disabled: true }, loadBalancer: { type: 'RingHash' }, hashPolicies: [{ type: 'Header', header: { name: 'x-user' } }] } }] },
    };
    expect([200, 201]).toContain((await api(global, 'PUT', '/meshes/default/meshloadbalancingstrategies/spread', mlbs)).status);
    // The client's Envoy runs it: a ring hash cluster, and the hash policy on the outbound's route.
    await eventually(async () => {
      const dump = (await (await fetch(`http://127.0.0.1:${proxies['web-1']!.admin}/config_dump`)).json()) as { configs: Record<string, any>[] };
      // Active, not warming: the new cluster replaces the old one only once its endpoints came.
      const active = dump.configs.flatMap((c) => (c.dynamic_active_clusters ?? []) as { cluster: { name: string; lb_policy?: string } }[]).map((c) => c.cluster);
      expect(active.find((c) => c.name === `default_backend___mzsvc_${backendPort}`)?.lb_policy).toBe('RING_HASH');
      const hashPolicies = [...jsonObjects(dump.configs.filter((c) => c['@type'].endsWith('ListenersConfigDump')))].filter((o) => o.cluster === `default_backend___mzsvc_${backendPort}` && o.hash_policy);
      expect(hashPolicies.length).toBeGreaterThan(0);
      for (const r of hashPolicies) expect(r.hash_policy).toEqual([{ header: { header_name: 'x-user' } }]);
    }, 20_000, 200);
    const pinned: Record<string, string> = {};
    for (let u = 0; u < 16; u++) {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        seen.add(await callFresh({ 'x-user': `user-${u}` }));
      }
      expect([...seen], `user-${u}`).toHaveLength(1);
      pinned[`user-${u}`] = [...seen][0]!;
    }
    // Each user is pinned, and the ring spreads users over both instances (one per zone).
    expect(new Set(Object.values(pinned))).toEqual(new Set(['backend-1', 'backend-2']));
  });

  it('when zone-1\'s instance goes away every answer comes from zone-2', async () => {
    await proxies['backend-1']!.dp.stop('SIGKILL');
    await apps['backend-1']!.stop('SIGKILL');
    await eventually(async () => expect(await byZone(20)).toEqual({ 'zone-2': 20 }), 20_000, 200);
    expect(await byZone(30)).toEqual({ 'zone-2': 30 });
  });
});
