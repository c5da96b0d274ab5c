import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../../internal/store/postgres/postgres-store';
import type { ResourceStore, StoreEvent } from '../../../internal/store/resource-store';
import { startPostgres, type PgCluster } from '../../support/postgres';
import { storeContract } from './contract';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(async () => cluster?.stop());

storeContract('postgres', {
  create: async () => PostgresStore.open(cluster.settings(await cluster.createDatabase())),
  reopen: async (s: ResourceStore) => {
    const settings = (s as PostgresStore).settings;
    await s.close();
    return PostgresStore.open(settings);
  },
});

const mesh = (name: string, labels: Record<string, string> = {}) => ({ type: 'Mesh', mesh: '', name, labels, spec: {} });

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('PostgresStore across instances', () => {
  it('a write through one instance reaches the other within 1 s, with events', async () => {
    const db = await cluster.createDatabase();
    const a = await PostgresStore.open(cluster.settings(db));
    const b = await PostgresStore.open(cluster.settings(db), { pollIntervalMs: 60_000 });
    const seen: StoreEvent[] = [];
    b.watch((evs) => seen.push(...evs));
    const t0 = Date.now();
    await a.create(mesh('m1'));
    await until(() => b.get({ type: 'Mesh', mesh: '', name: 'm1' }) !== undefined, 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    await a.update(mesh('m1', { x: 'y' }), 1);
    await a.delete({ type: 'Mesh', mesh: '', name: 'm1' });
    await until(() => seen.length === 3, 1000);
    expect(seen.map((e) => [e.kind, e.resource.version])).toEqual([['create', 1], ['update', 2], ['delete', 2]]);
    await a.close();
    await b.close();
  });

  it('optimistic versions are decided by the database, not by a stale index', async () => {
    const db = await cluster.createDatabase();
    const a = await PostgresStore.open(cluster.settings(db));
    const b = await PostgresStore.open(cluster.settings(db), { pollIntervalMs: 60_000 });
    await a.create(mesh('m'));
    await until(() => b.get({ type: 'Mesh', mesh: '', name: 'm' }) !== undefined);
    // Both read version 1; only the first writer wins.
    const results = await Promise.allSettled([a.update(mesh('m', { by: 'a' }), 1), b.update(mesh('m', { by: 'b' }), 1)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['KUMA_CONFLICT']);
    // Creating a key another instance just created is refused even before the index has it.
    const c1 = a.create(mesh('race'));
    const c2 = b.create(mesh('race'));
    const rs = await Promise.allSettled([c1, c2]);
    expect(rs.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await until(() => a.get({ type: 'Mesh', mesh: '', name: 'm' })?.version === 2 && b.get({ type: 'Mesh', mesh: '', name: 'm' })?.version === 2);
    await a.close();
    await b.close();
  });

  it('a transaction is atomic in the database: a failing op leaves nothing written', async () => {
    const db = await cluster.createDatabase();
    const a = await PostgresStore.open(cluster.settings(db));
    await a.create(mesh('exists'));
    await expect(a.transact([{ op: 'create', resource: mesh('new') }, { op: 'create', resource: mesh('exists') }])).rejects.toMatchObject({ code: 'KUMA_ALREADY_EXISTS' });
    const { rows } = await cluster.sql(db, "SELECT name FROM kuma_resources WHERE type = 'Mesh' ORDER BY name");
    expect(rows.map((r) => r.name)).toEqual(['exists']);
    await a.close();
  });

  it('resyncs after its change feed is cut: nothing missed while disconnected stays missing', async () => {
    const db = await cluster.createDatabase();
    const a = await PostgresStore.open(cluster.settings(db));
    const b = await PostgresStore.open(cluster.settings(db), { pollIntervalMs: 60_000 });
    // Cut the LISTEN connections: notifications sent meanwhile are lost, the reconnect catches up.
    const cut = await cluster.sql('postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'", [db]);
    expect(cut.rowCount).toBe(2);
    for (let i = 0; i < 20; i++) await a.create(mesh(`while-cut-${i}`));
    await until(() => b.count('Mesh') === 20, 5000);
    await a.close();
    await b.close();
  });

  it('reloads everything when the revs it missed are no longer in the log', async () => {
    const db = await cluster.createDatabase();
    const a = await PostgresStore.open(cluster.settings(db));
    const b = await PostgresStore.open(cluster.settings(db), { pollIntervalMs: 60_000 });
    await a.create(mesh('gone'));
    await until(() => b.count('Mesh') === 1);
    const events: StoreEvent[] = [];
    b.watch((e) => events.push(...e));
    // A rev whose log row was pruned: the change is in the table, not in the log.
    await cluster.sql(db, "DELETE FROM kuma_resources WHERE name = 'gone'");
    await cluster.sql(db, "INSERT INTO kuma_resources VALUES ('Mesh', '', 'sneaked', 1, now(), now(), '{}', '{}')");
    await cluster.sql(db, 'UPDATE kuma_store_meta SET rev = rev + 1');
    await a.create(mesh('after'));
    await until(() => b.count('Mesh') === 2 && b.get({ type: 'Mesh', mesh: '', name: 'after' }) !== undefined);
    expect(b.get({ type: 'Mesh', mesh: '', name: 'gone' })).toBeUndefined();
    expect(b.get({ type: 'Mesh', mesh: '', name: 'sneaked' })).toBeDefined();
    expect(events.map((e) => `${e.kind} ${e.resource.name}`).sort()).toEqual(['create after', 'create sneaked', 'delete gone']);
    expect(a.get({ type: 'Mesh', mesh: '', name: 'gone' })).toBeUndefined();
    await a.close();
    await b.close();
  });
});
