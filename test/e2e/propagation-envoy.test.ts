/**
 * Propagation status (issue 10 item 6) on real processes: one global, two federated zones, two
 * real Envoys in zone-1. A MeshTimeout applied on the global: `_propagation` and
 * `kuma inspect meshtimeout NAME --propagation` show it stored on the global, Synced in each zone
 * at the global's version, ACKed by zone-1's healthy proxy and NACKed (with Envoy's own error) by
 * a proxy whose inbound listener cannot bind because another process holds its address. Zone-2's
 * control plane stopped: its row says Offline. A proxy whose Envoy is paused shows Pending until it ACKs.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, freePort, kumactlHome, removeDir, runKuma, startGlobal, startProxy, startZone, tempDir, type ControlPlane, type Proxy } from './harness';

type Row = { zone: string; state: string; synced: boolean; version?: number; note: string; proxies?: { total: number; acked: number; items: { name: string; state: string; error?: string; ackedAt?: string; waitingFor?: string[] }[] }; proxiesNote?: string };
/** connect_timeout of the outbound cluster `backend` in an Envoy's config dump. */
async function backendConnectTimeout(proxy: Proxy): Promise<string | undefined> {
  const dump = await (await fetch(`http://127.0.0.1:${proxy.admin}/config_dump`)).json();
  const clusters = dump.configs.find((c: { '@type': string }) => c['@type'].endsWith('ClustersConfigDump'));
  return (clusters.dynamic_active_clusters ?? []).map((c: { cluster: { name: string; connect_timeout?: string } }) => c.cluster).find((c: { name: string }) => c.name === 'backend')?.connect_timeout;
}

type Body = { resource: { type: string; mesh: string; name: string; version: number }; zones: Row[] };

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
  const propagation = async (name: string): Promise<Body> => {
    const r = await api(global, 'GET', `/meshes/default/meshtimeouts/${name}/_propagation`);
    expect(r.status, r.text).toBe(200);
    return r.json;
  };
  const row = (b: Body, zone: string) => b.zones.find((z) => z.zone === zone)!;

  beforeAll(async () => {
    global = await startGlobal({ workDir: dirs.global, args: ['--kds-auth=none'] });
    [z1, z2] = await Promise.all([
      startZone('zone-1', global.kdsPort, { workDir: dirs.z1, env: { KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none' } }),
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
  }, 60_000);

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
    expect(row(mesh, 'zone-1')).toMatchObject({ state: 'Synced', proxies: { total: 2 } });
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
