/**
 * Two zone CP processes (dist/kuma) on one PostgreSQL database: migrate up,
 * one leader, writes through either visible on the other within 1 s, kill -9
 * of the leader, its session cut, and the database stopped for 10 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../support/postgres';
import { api, eventually, removeDir, runKuma, startCp, tempDir, type ControlPlane } from './harness';

let cluster: PgCluster;
let db: string;
const cps: ControlPlane[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
  db = await cluster.createDatabase();
}, 60_000);

afterAll(async () => {
  for (const cp of cps) await cp.kill9().catch(() => undefined);
  for (const cp of cps) removeDir(cp.workDir);
  await cluster?.stop();
});

async function start(): Promise<ControlPlane> {
  const cp = await startCp({ env: { ...cluster.env(db), KUMA_STORE_POSTGRES_LEADER_LEASE_MS: '2000' }, readyTimeoutMs: 30_000 });
  cps.push(cp);
  return cp;
}

async function isLeader(cp: ControlPlane): Promise<boolean | undefined> {
  try {
    return (await api(cp, 'GET', '/')).json.leader as boolean;
  } catch {
    return undefined;
  }
}

async function leaders(list: ControlPlane[]): Promise<ControlPlane[]> {
  const flags = await Promise.all(list.map(isLeader));
  return list.filter((_, i) => flags[i] === true);
}

const meshBody = (name: string) => ({ type: 'Mesh', name });

describe('zone CP cluster on PostgreSQL', () => {
  let a: ControlPlane;
  let b: ControlPlane;

  it('kuma migrate up creates the schema once, then says it is up to date', async () => {
    const home = tempDir('kuma-home-');
    const r1 = await runKuma(['migrate', 'up'], { home, env: cluster.env(db) });
    expect(r1.stderr).toBe('');
    expect(r1.stdout).toMatch(/schema migrated from version 0 to 1/);
    const r2 = await runKuma(['migrate', 'up'], { home, env: cluster.env(db) });
    expect(r2.stdout).toMatch(/schema is up to date \(version 1\)/);
    const bad = await runKuma(['migrate', 'up'], { home, env: { ...cluster.env(db), KUMA_STORE_POSTGRES_PASSWORD: 'wrong' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot connect to PostgreSQL at 127\.0\.0\.1:\d+ \(database "kuma_\w+", user "kuma"\)/);
    removeDir(home);
  });

  it('two instances: one leader, and each sees the writes of the other within 1 s', async () => {
    a = await start();
    b = await start();
    await eventually(async () => expect((await leaders([a, b])).length).toBe(1), 5000);
    // Defaults made by the leader are served by both.
    for (const cp of [a, b]) await eventually(async () => expect((await api(cp, 'GET', '/meshes/default')).status).toBe(200), 5000);
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const name = `via-${from.apiPort}`;
      expect((await api(from, 'PUT', `/meshes/${name}`, meshBody(name))).status).toBe(201);
      const t0 = Date.now();
      await eventually(async () => expect((await api(to, 'GET', `/meshes/${name}`)).status).toBe(200), 1000, 10);
      expect(Date.now() - t0).toBeLessThan(1000);
    }
    // An update through one with a version read on the other is checked by the database.
    const r = await api(b, 'PUT', '/meshes/via-' + a.apiPort, { ...meshBody(`via-${a.apiPort}`), labels: { x: 'y' } });
    expect(r.status).toBe(200);
    await eventually(async () => expect((await api(a, 'GET', `/meshes/via-${a.apiPort}`)).json.labels).toEqual({ x: 'y' }), 1000, 10);
  });

  it('kill -9 of the leader: the follower leads within 5 s', async () => {
    const [leader] = await leaders([a, b]);
    const follower = leader === a ? b : a;
    await leader!.kill9();
    const t0 = Date.now();
    await eventually(async () => expect(await isLeader(follower)).toBe(true), 5000, 50);
    expect(Date.now() - t0).toBeLessThan(5000);
    // The killed instance comes back as a follower.
    const back = await start();
    await eventually(async () => expect(await isLeader(back)).toBe(false), 3000);
    if (leader === a) a = back;
    else b = back;
  });

  it('a leader whose database session is cut steps down; the other leads within 5 s', async () => {
    const [leader] = await leaders([a, b]);
    const follower = leader === a ? b : a;
    const cut = await cluster.sql(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kuma-cp-leader' AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)");
    expect(cut.rowCount).toBe(1);
    await eventually(async () => expect(await isLeader(follower)).toBe(true), 5000, 50);
    expect(await isLeader(leader!)).toBe(false);
    expect(leader!.logs()).toMatch(/no longer the leader/);
  });

  it('the database stopped for 10 s and started again: both recover without a restart', async () => {
    cluster.stopServer();
    try {
      await eventually(async () => expect((await leaders([a, b])).length).toBe(0), 5000, 100);
      // Reads keep being served from the index while the database is away; writes fail cleanly.
      expect((await api(a, 'GET', '/meshes/default')).status).toBe(200);
      const w = await api(a, 'PUT', '/meshes/while-down', meshBody('while-down'));
      expect(w.status).toBeGreaterThanOrEqual(500);
      await new Promise((r) => setTimeout(r, 10_000));
    } finally {
      cluster.startServer();
    }
    await eventually(async () => expect((await leaders([a, b])).length).toBe(1), 10_000, 100);
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const name = `after-${from.apiPort}`;
      await eventually(async () => expect((await api(from, 'PUT', `/meshes/${name}`, meshBody(name))).status).toBe(201), 10_000, 200);
      await eventually(async () => expect((await api(to, 'GET', `/meshes/${name}`)).status).toBe(200), 1000, 10);
    }
    expect(a.proc.exitCode).toBeNull();
    expect(b.proc.exitCode).toBeNull();
  }, 60_000);
});
