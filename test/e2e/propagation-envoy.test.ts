/**
 * Propagation status (issue 10 item 6) on real processes: one global, two federated zones, two
 * real Envoys in zone-1. A MeshTimeout applied on the global: `_propagation` and
 * `kuma inspect meshtimeout NAME --propagation` show it stored on the global, Synced in each zone
 * at the global's version, ACKed by zone-1's healthy proxy and NACKed (with Envoy's own error) by
 * a proxy whose inbound listener cannot bind because another process holds its address. Zone-2's
 * control plane stopped: its row says Offline. A proxy whose Envoy is paused shows Pending until it ACKs.
 *
 * Zone proxies: zone-1 also runs a real zone ingress and egress (`kuma dp run --proxy-type
 * ingress|egress`) and a sidecar in a second mesh `zp` (mTLS, MeshService mode Exclusive). A
 * MeshMultiZoneService gathering that sidecar's MeshService gives the ingress a new SNI chain, a
 * MeshExternalService gives the egress a new cluster: each lists its zone proxy, ACKed after the
 * change, with Envoy running it; so does a MeshCircuitBreaker towards the MeshExternalService,
 * which the egress applies whatever its top-level targetRef. The egress stopped: its row says
 * Disconnected, and why.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, freePort, jsonObjects, kumactlHome, removeDir, runKuma, startGlobal, startProxy, startZone, tempDir, type ControlPlane, type Proxy } from './harness';

type ProxyRow = { kind?: string; name: string; state: string; error?: string; note?: string; ackedAt?: string; waitingFor?: string[] };
type Row = { zone: string; state: string; synced: boolean; version?: number; note: string; proxies?: { total: number; acked: number; items: ProxyRow[] }; proxiesNote?: string };
/** connect_timeout of the outbound cluster `backend` in an Envoy's config dump. */
async function backendConnectTimeout(proxy: Proxy): Promise<string | undefined> {
  const dump = await (await fetch(`http://127.0.0.1:${proxy.admin}/config_dump`)).json();
  const clusters = dump.configs.find((c: { '@type': string }) => c['@type'].endsWith('ClustersConfigDump'));
  return (clusters.dynamic_active_clusters ?? []).map((c: { cluster: { name: string; connect_timeout?: string } }) => c.cluster).find((c: { name: string }) => c.name === 'backend')?.connect_timeout;
}

type Body = { resource: { type: string; mesh: string; name: string; version: number }; zones: Row[] };

/** The second mesh: zone proxies serve it (the egress only meshes with mTLS). */
const ZP_MESH = { type: 'Mesh', name: 'zp', meshServices: { mode: 'Exclusive' }, mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };

const timeoutYaml = (name: string) =>
  ['type: MeshTimeout', 'mesh: default', `name: ${name}`, 'spec:', '  targetRef:', '    kind: Mesh', '  to:', '    - targetRef:', '        kind: Mesh', '      default:', '        connectionTimeout: 7s', ''].join('\n');

const dataplaneYaml = (name: string, inbound: number, app: number, outbound: number) => `type: Dataplane
mesh: default
name: ${name}
networking:
  address: 127.0.0.1
  inbound:
  - port: ${inbound}
    servicePort: ${app}
    tags: { kuma.io/service: ${name} }
  outbound:
  - port: ${outbound}
    tags: { kuma.io/service: backend }
`;

describe('propagation status: 1 global + 2 zones, real Envoys', () => {
  const dirs = { global: tempDir('kuma-g-'), z1: tempDir('kuma-z1-'), z2: tempDir('kuma-z2-') };
  let global: ControlPlane & { kdsPort: number };
  let z1: ControlPlane;
  let z2: ControlPlane;
  const proxies: Proxy[] = [];
  let blocker: Server | undefined;
  let blockedPort = 0;
  const homes: Record<string, string> = {};
  const zoneProxies: { zi?: Proxy; ze?: Proxy } = {};
  let apiPort = 0;
  /** `_propagation` of a resource of mesh zp, zone-1's row. */
  const zpRow = async (typePath: string, name: string): Promise<Row> => {
    const r = await api(global, 'GET', `/meshes/zp/${typePath}/${name}/_propagation`);
    expect(r.status, r.text).toBe(200);
    return row(r.json, 'zone-1');
  };
  const zoneProxyRows = (r: Row) => (r.proxies?.items ?? []).filter((p) => p.kind).map((p) => `${p.kind}/${p.name}`);
  const propagation = async (name: string): Promise<Body> => {
    const r = await api(global, 'GET', `/meshes/default/meshtimeouts/${name}/_propagation`);
    expect(r.status, r.text).toBe(200);
    return r.json;
  };
  const row = (b: Body, zone: string) => b.zones.find((z) => z.zone === zone)!;

  beforeAll(async () => {
    global = await startGlobal({ workDir: dirs.global, args: ['--kds-auth=none'] });
    [z1, z2] = await Promise.all([
      // A stopped zone proxy keeps its ZoneEgress for the test to ask about (no deregistration).
      startZone('zone-1', global.kdsPort, { workDir: dirs.z1, env: { KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none', KUMA_XDS_SERVER_DATAPLANE_DEREGISTRATION_DELAY_MS: '600000' } }),
      startZone('zone-2', global.kdsPort, { workDir: dirs.z2 }),
    ]);
    [homes.global, homes.z1] = await Promise.all([kumactlHome(global), kumactlHome(z1)]);
    // Another process holds the address the `bad` proxy's inbound listener must bind.
    blockedPort = await freePort();
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen({ port: blockedPort, host: '127.0.0.1' }, r));
    const [p1, a1, o1, a2, o2] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    proxies.push(
      ...(await Promise.all([
        startProxy({ cp: z1, home: homes.z1!, name: 'web', yaml: dataplaneYaml('web', p1, a1, o1) }),
        // Envoy rejects its listener, so it may never report ready: do not wait for it.
        startProxy({ cp: z1, home: homes.z1!, name: 'bad', yaml: dataplaneYaml('bad', blockedPort, a2, o2), waitReady: false }),
      ])),
    );
    for (const [name, labels] of [['a-prop', ''], ['kept-home', 'labels:\n  kuma.io/kds-sync: disabled\n']] as const) {
      const applied = await runKuma(['apply', '-f', '-'], { home: homes.global!, input: timeoutYaml(name).replace('spec:\n', `${labels}spec:\n`) });
      expect(applied.code, applied.stderr).toBe(0);
    }
    // Zone proxies and a sidecar of mesh zp, once zone-1 holds zp's CA.
    expect((await api(global, 'PUT', '/meshes/zp', ZP_MESH)).status).toBe(201);
    await eventually(async () => expect((await api(z1, 'GET', '/meshes/zp/secrets')).json.items.map((x: { name: string }) => x.name)).toContain('zp.ca-builtin-cert-ca-1'), 20_000, 200);
    const [ziPort, zePort, apiInbound, apiApp] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    apiPort = apiInbound;
    zoneProxies.zi = await startProxy({ cp: z1, home: homes.z1!, name: 'zi-1', proxyType: 'ingress', waitReady: false, yaml: `type: ZoneIngress\nname: zi-1\nnetworking:\n  address: 127.0.0.1\n  port: ${ziPort}\n  advertisedAddress: 127.0.0.1\n  advertisedPort: ${ziPort}\n` });
    zoneProxies.ze = await startProxy({ cp: z1, home: homes.z1!, name: 'ze-1', proxyType: 'egress', waitReady: false, yaml: `type: ZoneEgress\nname: ze-1\nnetworking:\n  address: 127.0.0.1\n  port: ${zePort}\n` });
    proxies.push(zoneProxies.zi, zoneProxies.ze);
    proxies.push(await startProxy({ cp: z1, home: homes.z1!, name: 'api-1', yaml: `type: Dataplane\nmesh: zp\nname: api-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: ${apiInbound}\n    servicePort: ${apiApp}\n    tags: { kuma.io/service: api, kuma.io/protocol: http }\n` }));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.dp.stop()));
    await Promise.all([global, z1, z2].map((cp) => cp?.kill9()));
    await new Promise((r) => (blocker ? blocker.close(r) : r(undefined)));
    for (const d of [...Object.values(dirs), ...Object.values(homes)]) if (d) removeDir(d);
  });

  it('REST: stored on the global, Synced in both zones at its version; zone-1 lists its proxies, web ACKed, bad NACKed with Envoy\'s error', async () => {
    const b = await eventually(async () => {
      const b = await propagation('a-prop');
      const one = row(b, 'zone-1');
      expect(one.state, JSON.stringify(one)).toBe('Synced');
      expect(row(b, 'zone-2').state).toBe('Synced');
      const byName = Object.fromEntries((one.proxies?.items ?? []).map((p) => [p.name, p]));
      expect(byName.web?.state, JSON.stringify(one)).toBe('ACKed');
      expect(byName.bad?.state, JSON.stringify(one)).toBe('NACKed');
      return b;
    }, 30_000, 200);
    expect(b.resource).toMatchObject({ type: 'MeshTimeout', mesh: 'default', name: 'a-prop' });
    const stored = (await api(global, 'GET', '/meshes/default/meshtimeouts/a-prop')).json;
    const one = row(b, 'zone-1');
    expect(one).toMatchObject({ synced: true, version: b.resource.version });
    expect(row(b, 'zone-2')).toMatchObject({ synced: true, version: b.resource.version });
    expect(one.proxies).toMatchObject({ total: 2, acked: 1 });
    const bad = one.proxies!.items.find((p) => p.name === 'bad')!;
    expect(bad.error).toMatch(/Address already in use|cannot bind/);
    expect(bad.error).toContain(String(blockedPort));
    expect(bad.waitingFor).toEqual(['LDS']); // its clusters were ACKed; its listeners were not
    // The policy changed web's clusters (its name sorts before the default MeshTimeout's, so it
    // wins): the ACK is of the new config, after the policy was stored, and Envoy runs it.
    const web = one.proxies!.items.find((p) => p.name === 'web')!;
    expect(Date.parse(web.ackedAt!)).toBeGreaterThanOrEqual(Date.parse(stored.modificationTime));
    expect(await backendConnectTimeout(proxies[0]!)).toBe('7s');
  });

  it('a policy labelled kuma.io/kds-sync: disabled is Filtered in every zone, with the reason', async () => {
    const b = await propagation('kept-home');
    for (const zone of ['zone-1', 'zone-2']) expect(row(b, zone)).toMatchObject({ state: 'Filtered', synced: false, note: 'not sent to this zone: labelled kuma.io/kds-sync: disabled' });
  });

  it('CLI: the table shows the global, each zone and each proxy; -o json is the REST body', async () => {
    const t = await runKuma(['inspect', 'meshtimeout', 'a-prop', '--propagation', '-m', 'default'], { home: homes.global! });
    expect(t.code, t.stderr).toBe(0);
    const lines = t.stdout.split('\n');
    expect(lines[0]).toMatch(/^WHERE\s+STATE\s+VERSION\s+WHEN\s+DETAIL$/);
    expect(lines[1]).toMatch(/^global\s+Stored\s+\d+\s+\S+\s+MeshTimeout default\/a-prop$/);
    expect(t.stdout).toMatch(/\nzone-1\s+Synced\s+\d+\s+\S+\s+1\/2 proxies ACKed\n/);
    expect(t.stdout).toMatch(/\n {2}web\s+ACKed\s+\S+/);
    expect(t.stdout).toMatch(/\n {2}bad\s+NACKed\s+-\s+.*(Address already in use|cannot bind)/);
    expect(t.stdout).toMatch(/\nzone-2\s+Synced\s+\d+/);
    const j = await runKuma(['inspect', 'meshtimeout', 'a-prop', '--propagation', '-o', 'json'], { home: homes.global! });
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout).zones.map((z: Row) => z.zone).sort()).toEqual(['zone-1', 'zone-2']);
    // A global-scoped type: the Mesh affects every sidecar of the mesh.
    const m = await runKuma(['inspect', 'mesh', 'default', '--propagation', '-o', 'json'], { home: homes.global! });
    expect(m.code, m.stderr).toBe(0);
    const mesh = JSON.parse(m.stdout) as Body;
    // The zone ingress serves every mesh; the egress none without mTLS.
    expect(row(mesh, 'zone-1')).toMatchObject({ state: 'Synced', proxies: { total: 3 } });
    expect(zoneProxyRows(row(mesh, 'zone-1'))).toEqual(['ZoneIngress/zi-1']);
  });

  it('bad input: an unknown type or name fails with a clear message and a non-zero exit; a zone refuses the route', async () => {
    const unknown = await runKuma(['inspect', 'nosuchpolicy', 'x', '--propagation'], { home: homes.global! });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('unknown type "nosuchpolicy" for inspect --propagation');
    expect(unknown.stderr).toContain('meshtimeout');
    const missing = await runKuma(['inspect', 'meshtimeout', 'nope', '--propagation'], { home: homes.global! });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/not found/i);
    const noName = await runKuma(['inspect', 'meshtimeout', '--propagation'], { home: homes.global! });
    expect(noName.code).not.toBe(0);
    const onZone = await api(z1, 'GET', '/meshes/default/meshtimeouts/a-prop/_propagation');
    expect(onZone.status).toBe(400);
    expect(onZone.text).toContain('global control plane only');
  });

  it('a proxy whose Envoy is paused (SIGSTOP) is Pending, waiting for CDS, until it resumes and ACKs', async () => {
    const envoyPid = Number(execFileSync('pgrep', ['-P', String(proxies[0]!.dp.proc.pid), 'envoy'], { encoding: 'utf8' }).trim().split('\n')[0]);
    expect(envoyPid).toBeGreaterThan(0);
    process.kill(envoyPid, 'SIGSTOP');
    try {
      // Its name sorts before a-prop's, so it wins and web's clusters change.
      const applied = await runKuma(['apply', '-f', '-'], { home: homes.global!, input: timeoutYaml('a-a-paused').replace('7s', '9s') });
      expect(applied.code, applied.stderr).toBe(0);
      const one = await eventually(async () => {
        const one = row((await api(global, 'GET', '/meshes/default/meshtimeouts/a-a-paused/_propagation')).json, 'zone-1');
        expect(one.state).toBe('Synced');
        expect(one.proxies?.items.find((p) => p.name === 'web')?.waitingFor, JSON.stringify(one)).toContain('CDS');
        return one;
      }, 20_000, 200);
      expect(one.proxies!.items.find((p) => p.name === 'web')).toMatchObject({ state: 'Pending' });
      // Not a glimpse of an ACK on its way: a paused Envoy stays Pending.
      await new Promise((r) => setTimeout(r, 1500));
      const later = row((await api(global, 'GET', '/meshes/default/meshtimeouts/a-a-paused/_propagation')).json, 'zone-1');
      expect(later.proxies!.items.find((p) => p.name === 'web')).toMatchObject({ state: 'Pending' });
      expect(later.proxies!.acked).toBe(0);
    } finally {
      process.kill(envoyPid, 'SIGCONT');
    }
    await eventually(async () => {
      const one = row((await api(global, 'GET', '/meshes/default/meshtimeouts/a-a-paused/_propagation')).json, 'zone-1');
      expect(one.proxies?.items.find((p) => p.name === 'web')?.state, JSON.stringify(one)).toBe('ACKed');
    }, 20_000, 200);
    expect(await backendConnectTimeout(proxies[0]!)).toBe('9s');
  });

  it('zone ingress: a MeshMultiZoneService gathering a local MeshService lists zi-1, ACKed after the change, and the ingress runs its SNI chain', async () => {
    // The ingress routes a MeshMultiZoneService to the zone's own MeshServices it gathers.
    await eventually(async () => expect((await api(z1, 'GET', '/meshes/zp/meshservices')).json.items.map((x: { name: string }) => x.name)).toContain('api'), 20_000, 200);
    const mzs = { type: 'MeshMultiZoneService', mesh: 'zp', name: 'api', spec: { selector: { meshService: { matchLabels: { 'kuma.io/display-name': 'api' } } }, ports: [{ port: apiPort, appProtocol: 'http' }] } };
    expect((await api(global, 'PUT', '/meshes/zp/meshmultizoneservices/api', mzs)).status).toBe(201);
    const stored = (await api(global, 'GET', '/meshes/zp/meshmultizoneservices/api')).json;
    const one = await eventually(async () => {
      const one = await zpRow('meshmultizoneservices', 'api');
      expect(one.state).toBe('Synced');
      expect(one.proxies?.items.find((p) => p.name === 'zi-1')?.state, JSON.stringify(one)).toBe('ACKed');
      return one;
    }, 30_000, 200);
    // Only the ingress: a MeshMultiZoneService configures no sidecar by itself and not the egress.
    expect(one.proxies!.items).toEqual([expect.objectContaining({ kind: 'ZoneIngress', name: 'zi-1', state: 'ACKed' })]);
    expect(Date.parse(one.proxies!.items[0]!.ackedAt!)).toBeGreaterThanOrEqual(Date.parse(stored.modificationTime));
    const dump = await (await fetch(`http://127.0.0.1:${zoneProxies.zi!.admin}/config_dump`)).text();
    expect(dump).toContain(`.api.${apiPort}.zp.mzms`);
  });

  it('zone egress: a MeshExternalService lists ze-1, ACKed after the change, the egress runs its cluster; the CLI shows the row', async () => {
    const mes = { type: 'MeshExternalService', mesh: 'zp', name: 'ext', spec: { match: { type: 'HostnameGenerator', port: 80, protocol: 'tcp' }, endpoints: [{ address: '127.0.0.1', port: await freePort() }] } };
    expect((await api(global, 'PUT', '/meshes/zp/meshexternalservices/ext', mes)).status).toBe(201);
    const stored = (await api(global, 'GET', '/meshes/zp/meshexternalservices/ext')).json;
    const one = await eventually(async () => {
      const one = await zpRow('meshexternalservices', 'ext');
      expect(one.state).toBe('Synced');
      expect(one.proxies?.items.find((p) => p.name === 'ze-1')?.state, JSON.stringify(one)).toBe('ACKed');
      return one;
    }, 30_000, 200);
    expect(zoneProxyRows(one)).toEqual(['ZoneEgress/ze-1']);
    expect(one.proxies).toMatchObject({ total: 1, acked: 1 });
    expect(Date.parse(one.proxies!.items[0]!.ackedAt!)).toBeGreaterThanOrEqual(Date.parse(stored.modificationTime));
    const clusters = await (await fetch(`http://127.0.0.1:${zoneProxies.ze!.admin}/clusters`)).text();
    expect(clusters).toMatch(/^zp_ext_[^:\s]*_extsvc_80::/m);
    const t = await runKuma(['inspect', 'meshexternalservice', 'ext', '--propagation', '-m', 'zp'], { home: homes.global! });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/\nzone-1\s+Synced\s+\d+\s+\S+\s+1\/1 proxies ACKed\n/);
    expect(t.stdout).toMatch(/\n {2}ZoneEgress\/ze-1\s+ACKed\s+\S+/);
    // A MeshCircuitBreaker towards it selects no sidecar (top-level: a service nobody runs), yet
    // the egress applies it to its cluster of the real endpoints, so the egress is listed.
    const breaker = { type: 'MeshCircuitBreaker', mesh: 'zp', name: 'ext-cb', spec: { targetRef: { kind: 'MeshSubset', tags: { 'kuma.io/service': 'nobody' } }, to: [{ targetRef: { kind: 'MeshExternalService', name: 'ext' }, default: { connectionLimits: { maxConnections: 3 } } }] } };
    expect((await api(global, 'PUT', '/meshes/zp/meshcircuitbreakers/ext-cb', breaker)).status).toBe(201);
    const cbRow = await eventually(async () => {
      const r = await zpRow('meshcircuitbreakers', 'ext-cb');
      expect(r.proxies?.items.map((p) => `${p.kind ?? 'Dataplane'}/${p.name}:${p.state}`), JSON.stringify(r)).toEqual(['ZoneEgress/ze-1:ACKed']);
      return r;
    }, 20_000, 200);
    expect(cbRow.proxies).toMatchObject({ total: 1, acked: 1 });
    const egressDump = (await (await fetch(`http://127.0.0.1:${zoneProxies.ze!.admin}/config_dump`)).json()) as { configs: Record<string, any>[] };
    const extCluster = [...jsonObjects(egressDump.configs)].find((o) => typeof o.name === 'string' && /^zp_ext_.*_extsvc_80$/.test(o.name) && o.circuit_breakers);
    expect(extCluster?.circuit_breakers.thresholds[0].max_connections).toBe(3);
    // The Mesh zp: its sidecar and both zone proxies (mTLS on, a MeshExternalService: the egress serves it).
    const m = await eventually(async () => {
      const m = row((await api(global, 'GET', '/meshes/zp/_propagation')).json, 'zone-1');
      expect(m.proxies?.items.map((p) => `${p.kind ?? 'Dataplane'}/${p.name}:${p.state}`), JSON.stringify(m)).toEqual(['Dataplane/api-1:ACKed', 'ZoneIngress/zi-1:ACKed', 'ZoneEgress/ze-1:ACKed']);
      return m;
    }, 20_000, 200);
    expect(m.proxies).toMatchObject({ total: 3, acked: 3 });
  });

  it('zone egress stopped: its row says Disconnected, not ACKed, with the reason; the CLI prints it', async () => {
    await zoneProxies.ze!.dp.stop();
    const one = await eventually(async () => {
      const one = await zpRow('meshexternalservices', 'ext');
      expect(one.proxies?.items.find((p) => p.name === 'ze-1')?.state, JSON.stringify(one)).toBe('Disconnected');
      return one;
    }, 20_000, 200);
    expect(one.state).toBe('Synced'); // the zone has it; its egress does not run it
    expect(one.proxies).toMatchObject({ total: 1, acked: 0 });
    const ze = one.proxies!.items[0]!;
    expect(ze).toMatchObject({ kind: 'ZoneEgress', name: 'ze-1' });
    expect(ze.ackedAt).toBeUndefined();
    expect(ze.note).toMatch(/^not connected to zone-1's control plane/);
    const t = await runKuma(['inspect', 'meshexternalservice', 'ext', '--propagation', '-m', 'zp'], { home: homes.global! });
    expect(t.stdout).toMatch(/\nzone-1\s+Synced\s+\d+\s+\S+\s+0\/1 proxies ACKed\n/);
    expect(t.stdout).toMatch(/\n {2}ZoneEgress\/ze-1\s+Disconnected\s+-\s+not connected to zone-1's control plane/);
    // The ingress, still running, is unaffected.
    expect((await zpRow('meshmultizoneservices', 'api')).proxies?.items[0]).toMatchObject({ name: 'zi-1', state: 'ACKed' });
  });

  it('zone-2\'s control plane stopped: its row says Offline, not synced; zone-1 is unchanged', async () => {
    await z2.stop();
    const b = await eventually(async () => {
      const b = await propagation('a-prop');
      expect(row(b, 'zone-2').state).toBe('Offline');
      return b;
    }, 15_000, 200);
    expect(row(b, 'zone-2')).toMatchObject({ synced: false, note: expect.stringMatching(/^zone offline/) });
    expect(row(b, 'zone-2').version).toBeUndefined();
    expect(row(b, 'zone-1').state).toBe('Synced');
    const t = await runKuma(['inspect', 'meshtimeout', 'a-prop', '--propagation'], { home: homes.global! });
    expect(t.stdout).toMatch(/\nzone-2\s+Offline\s+-\s+\S+\s+zone offline/);
  });
});
