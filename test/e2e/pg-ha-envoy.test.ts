/**
 * Two zone CP instances on one PostgreSQL database serving real Envoy
 * sidecars (kuma dp run) through a TCP round-robin balancer, with one CP
 * certificate shared by both. The leader is killed -9 during 1000 applies
 * spread over both instances; then the database is stopped for 10 s.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBalancer, type Balancer } from '../support/tcp-balancer';
import { startPostgres, type PgCluster } from '../support/postgres';
import { api, envoyBinary, eventually, freePort, kumaBinary, removeDir, runKuma, spawnKuma, startCp, tempDir, waitEnvoyReady, type ControlPlane, type Proc } from './harness';

let cluster: PgCluster;
let db: string;
let dpBalancer: Balancer;
const cps: ControlPlane[] = [];
const procs: Proc[] = [];
const home = tempDir('kuma-ha-home-');
const certFile = join(home, 'cp.crt');
const keyFile = join(home, 'cp.key');
const ports: Record<string, number> = {};
const admins: Record<string, number> = {};

const alive = (list: ControlPlane[]) => list.filter((c) => c.proc.exitCode === null && c.proc.signalCode === null);
const isLeader = async (cp: ControlPlane) => (await api(cp, 'GET', '/')).json.leader === true;

async function startInstance(): Promise<ControlPlane> {
  const cp = await startCp({
    env: {
      ...cluster.env(db),
      KUMA_STORE_POSTGRES_LEADER_LEASE_MS: '2000',
      KUMA_GENERAL_TLS_CERT_FILE: certFile,
      KUMA_GENERAL_TLS_KEY_FILE: keyFile,
      KUMA_XDS_SERVER_DATAPLANE_DEREGISTRATION_DELAY_MS: '300',
      // Envoy's ADS goes through the balancer too, not to the instance that served its bootstrap.
      KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_PORT: String(dpBalancer.port),
    },
    readyTimeoutMs: 30_000,
  });
  cps.push(cp);
  return cp;
}

const mtp = (name: string) => ({
  type: 'MeshTrafficPermission',
  mesh: 'default',
  name,
  spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] },
});

async function sidecar(name: string, yaml: string): Promise<void> {
  const file = join(home, `${name}.yaml`);
  writeFileSync(file, yaml);
  const live = alive(cps)[0]!;
  // kumactl talks to an instance that is alive (any of them signs with the shared key).
  const add = await runKuma(['config', 'control-planes', 'add', '--name', 'live', '--address', live.apiUrl, '--overwrite'], { home });
  expect(add.code, add.stderr).toBe(0);
  const tok = await runKuma(['generate', 'dataplane-token', '--mesh', 'default', '--name', name, '--valid-for', '1h'], { home });
  expect(tok.code, tok.stderr).toBe(0);
  writeFileSync(join(home, `${name}.token`), tok.stdout.trim());
  admins[name] = await freePort();
  const dp = spawnKuma(
    ['dp', 'run', '--cp-address', `https://127.0.0.1:${dpBalancer.port}`, '--dataplane-file', file, '--dataplane-token-file', join(home, `${name}.token`), '--ca-cert-file', certFile, '--binary-path', envoyBinary(), '--admin-port', String(admins[name]), '--concurrency', '1', '--drain-time', '1s'],
    { home, env: { KUMA_READINESS_PORT: String(await freePort()) } },
  );
  procs.push(dp);
  await waitEnvoyReady(admins[name]!, 30_000);
}

/** Requests through the client sidecar to the backend, counting every failure, until stopped. */
function startTraffic() {
  let ok = 0;
  const failures: string[] = [];
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      try {
        const r = await fetch(`http://127.0.0.1:${ports.outHttp}/`, { signal: AbortSignal.timeout(5000) });
        await r.text();
        if (r.status === 200) ok++;
        else failures.push(`status ${r.status}`);
      } catch (e) {
        failures.push((e as Error).message);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      stop = true;
      await loop;
      return { ok, failures };
    },
  };
}

beforeAll(async () => {
  cluster = await startPostgres();
  db = await cluster.createDatabase();
  const g = execFileSync(kumaBinary(), ['generate', 'tls-certificate', '--type', 'server', '--hostname', '127.0.0.1,localhost', '--cert-file', certFile, '--key-file', keyFile], { env: { PATH: process.env.PATH, HOME: home } });
  void g;
  dpBalancer = await startBalancer(() => alive(cps).map((c) => c.dpPort));
  await startInstance();
  await startInstance();
  for (const k of ['backendIn', 'backendApp', 'clientIn', 'clientApp', 'outHttp']) ports[k] = await freePort();
  procs.push(spawnKuma(['demo-app', 'http', '--port', String(ports.backendApp), '--service', 'backend', '--instance', 'backend-1'], { home }));
  procs.push(spawnKuma(['demo-app', 'http', '--port', String(ports.clientApp), '--service', 'client', '--instance', 'client-1'], { home }));
  await sidecar('backend-1', `type: Dataplane
mesh: default
name: backend-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${ports.backendIn}
    servicePort: ${ports.backendApp}
    tags: { kuma.io/service: backend, kuma.io/protocol: http }
`);
  await sidecar('client-1', `type: Dataplane
mesh: default
name: client-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${ports.clientIn}
    servicePort: ${ports.clientApp}
    tags: { kuma.io/service: client, kuma.io/protocol: http }
  outbound:
  - port: ${ports.outHttp}
    tags: { kuma.io/service: backend }
`);
  await eventually(async () => {
    const r = await fetch(`http://127.0.0.1:${ports.outHttp}/`);
    expect(r.status).toBe(200);
  }, 30_000, 200);
}, 180_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
  for (const cp of cps) await cp.kill9().catch(() => undefined);
  for (const cp of cps) removeDir(cp.workDir);
  await dpBalancer?.stop();
  await cluster?.stop();
  removeDir(home);
});

/** The endpoints of the client's backend cluster, as its Envoy reports them. */
async function backendEndpoints(): Promise<string[]> {
  const text = await (await fetch(`http://127.0.0.1:${admins['client-1']}/clusters`)).text();
  return [...new Set([...text.matchAll(/^backend::(127\.0\.0\.1:\d+)::/gm)].map((m) => m[1]!))].sort();
}

/** One more backend instance with its own sidecar; it connects through the balancer to whichever instance is alive. */
async function addBackend(name: string): Promise<number> {
  const app = await freePort();
  const inbound = await freePort();
  procs.push(spawnKuma(['demo-app', 'http', '--port', String(app), '--service', 'backend', '--instance', name], { home }));
  await sidecar(name, `type: Dataplane
mesh: default
name: ${name}
networking:
  address: 127.0.0.1
  inbound:
  - port: ${inbound}
    servicePort: ${app}
    tags: { kuma.io/service: backend, kuma.io/protocol: http }
`);
  return inbound;
}

/** The dynamic clusters and listeners a proxy's Envoy holds. */
async function envoyConfigNames(name: string): Promise<{ clusters: string[]; listeners: string[] }> {
  const dump = (await (await fetch(`http://127.0.0.1:${admins[name]}/config_dump`)).json()) as { configs: Record<string, any>[] };
  const of = (suffix: string) => dump.configs.find((c) => String(c['@type']).endsWith(suffix)) ?? {};
  return {
    clusters: ((of('ClustersConfigDump').dynamic_active_clusters ?? []) as { cluster: { name: string } }[]).map((c) => c.cluster.name).sort(),
    listeners: ((of('ListenersConfigDump').dynamic_listeners ?? []) as { name: string }[]).map((l) => l.name).sort(),
  };
}

/** The clusters and listeners `cp` generated for the proxy (it must be connected to `cp`). */
async function generatedConfigNames(cp: ControlPlane, name: string): Promise<{ clusters: string[]; listeners: string[] }> {
  const r = await api(cp, 'GET', `/meshes/default/dataplanes/${name}/_config`);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  const names = (list: { name: string }[] | undefined) => (list ?? []).map((x) => x.name).sort();
  return { clusters: names(r.json.xds?.clusters), listeners: names(r.json.xds?.listeners) };
}

async function connectedToCp(name: string): Promise<boolean> {
  const text = await (await fetch(`http://127.0.0.1:${admins[name]}/stats?filter=control_plane.connected_state`)).text();
  return /control_plane\.connected_state: 1/.test(text);
}

describe('zone CP cluster on PostgreSQL with real Envoy sidecars', () => {
  it('kill -9 of the leader during 1000 applies over both instances: no acknowledged write lost, a follower leads within 5 s, 0 failed requests, every proxy reconnects and follows a change made after', async () => {
    const [a, b] = cps as [ControlPlane, ControlPlane];
    const leader = (await isLeader(a)) ? a : b;
    const follower = leader === a ? b : a;
    const traffic = startTraffic();
    const acked = new Set<string>();
    let next = 0;
    let killedAt = 0;
    let ledAfterMs = -1;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= 1000) return;
        if (i === 300 && killedAt === 0) {
          killedAt = Date.now();
          void leader.kill9();
          void (async () => {
            await eventually(async () => expect(await isLeader(follower)).toBe(true), 10_000, 50);
            ledAfterMs = Date.now() - killedAt;
          })();
        }
        const name = `w-${i}`;
        // Spread over both instances; a write refused by the dead one goes to the other.
        for (const cp of i % 2 === 0 ? [a, b] : [b, a]) {
          try {
            const r = await api(cp, 'PUT', `/meshes/default/meshtrafficpermissions/${name}`, mtp(name));
            if (r.status === 201 || r.status === 200) {
              acked.add(name);
              break;
            }
          } catch {
            // Connection refused by the killed instance.
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(acked.size).toBe(1000);
    await eventually(async () => expect(ledAfterMs).toBeGreaterThanOrEqual(0), 10_000);
    expect(ledAfterMs).toBeLessThan(5000);
    // Every acknowledged write is in the database and served by the survivor.
    const { rows } = await cluster.sql(db, "SELECT name FROM kuma_resources WHERE type = 'MeshTrafficPermission' AND name LIKE 'w-%'");
    const inDb = new Set(rows.map((r) => r.name as string));
    for (const n of acked) expect(inDb.has(n)).toBe(true);
    const listed = (await api(follower, 'GET', '/meshes/default/meshtrafficpermissions?size=1')).json;
    expect(listed.total).toBeGreaterThanOrEqual(1000);
    // Every proxy is connected again (to the survivor), and a change made through it reaches them:
    // a new backend instance shows up in the client's endpoints.
    for (const name of Object.keys(admins)) await eventually(async () => expect(await connectedToCp(name)).toBe(true), 20_000, 200);
    const port = await addBackend('backend-2');
    await eventually(async () => expect(await backendEndpoints()).toEqual([`127.0.0.1:${ports.backendIn}`, `127.0.0.1:${port}`].sort()), 20_000, 200);
    // Every proxy ends on the config the survivor generates for it now: its Envoy holds exactly those clusters and listeners.
    for (const name of Object.keys(admins)) await eventually(async () => expect(await envoyConfigNames(name)).toEqual(await generatedConfigNames(follower, name)), 20_000, 200);
    const { ok, failures } = await traffic.stop();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(50);
  }, 180_000);

  it('the database stopped for 10 s and started again: traffic keeps flowing, the CP recovers without a restart', async () => {
    const traffic = startTraffic();
    const [cp] = alive(cps);
    cluster.stopServer();
    try {
      await new Promise((r) => setTimeout(r, 10_000));
    } finally {
      cluster.startServer();
    }
    await eventually(async () => expect(await isLeader(cp!)).toBe(true), 10_000, 100).catch((e) => {
      throw new Error(`${(e as Error).message}; exit ${cp!.proc.exitCode}; logs:\n${cp!.logs().split('\n').slice(-30).join('\n')}`);
    });
    // The CP writes and serves again: a new backend instance registers through it and reaches the client.
    const port = await addBackend('backend-3');
    await eventually(async () => expect(await backendEndpoints()).toContain(`127.0.0.1:${port}`), 20_000, 200);
    for (const name of Object.keys(admins)) expect(await connectedToCp(name)).toBe(true);
    const { ok, failures } = await traffic.stop();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(50);
    expect(cp!.proc.exitCode).toBeNull();
  }, 90_000);
});
