import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgLeaderElector } from '../../../internal/cp/leader/pg-leader-elector';
import { startLeaderGroup } from '../../../internal/cp/leader/leader-group';
import { AlwaysLeader } from '../../../internal/cp/leader/leader-elector';
import { clientConfig } from '../../../internal/store/postgres/connection';
import { startPostgres, type PgCluster } from '../../support/postgres';

const log = pino({ level: 'silent' });
let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(async () => cluster?.stop());

async function until(cond: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

function instance(db: string, id: string) {
  const elector = new PgLeaderElector({ config: clientConfig(cluster.settings(db)), log, instanceId: id, pollMs: 250, leaseMs: 1500 });
  const running = { work: 0 };
  const group = startLeaderGroup(elector, [{ name: 'work', start: () => { running.work++; return () => void running.work--; } }], log);
  return { id, elector, group, running };
}

describe('PgLeaderElector + leader group', () => {
  it('exactly one of three leads; the singleton runs only there', async () => {
    const db = await cluster.createDatabase();
    const all = [instance(db, 'a'), instance(db, 'b'), instance(db, 'c')];
    await Promise.all(all.map((i) => i.elector.start()));
    await until(() => all.filter((i) => i.elector.isLeader()).length === 1, 3000);
    await Promise.all(all.map((i) => i.group.settled()));
    expect(all.map((i) => i.running.work).reduce((a, b) => a + b)).toBe(1);
    expect(all.find((i) => i.elector.isLeader())!.group.running()).toEqual(['work']);
    for (const i of all) await i.group.stop(), await i.elector.stop();
  });

  it('a follower takes over when the leader stops; a leader that loses its database session steps down and stops its work', async () => {
    const db = await cluster.createDatabase();
    const a = instance(db, 'a');
    await a.elector.start();
    expect(a.elector.isLeader()).toBe(true);
    const b = instance(db, 'b');
    await b.elector.start();
    expect(b.elector.isLeader()).toBe(false);
    // The leader's session dies (as when it loses the database): it steps down at once, b leads within 5 s.
    const cut = await cluster.sql(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kuma-cp-leader' AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)");
    expect(cut.rowCount).toBe(1);
    await until(() => !a.elector.isLeader(), 2000);
    await a.group.settled();
    expect(a.running.work).toBe(0);
    const took = await until(() => b.elector.isLeader(), 5000);
    expect(took).toBeLessThan(5000);
    await b.group.settled();
    expect(b.running.work).toBe(1);
    expect(a.elector.isLeader()).toBe(false);
    // A clean stop releases the lock for the other.
    await b.group.stop();
    await b.elector.stop();
    await until(() => a.elector.isLeader(), 5000);
    await a.group.stop();
    await a.elector.stop();
  });

  it('the database going away makes the leader step down; when it is back, one instance leads again', async () => {
    const db = await cluster.createDatabase();
    const a = instance(db, 'a');
    const b = instance(db, 'b');
    await a.elector.start();
    await b.elector.start();
    await until(() => a.elector.isLeader() !== b.elector.isLeader(), 3000);
    cluster.stopServer();
    try {
      await until(() => !a.elector.isLeader() && !b.elector.isLeader(), 3000);
      await Promise.all([a.group.settled(), b.group.settled()]);
      expect(a.running.work + b.running.work).toBe(0);
    } finally {
      cluster.startServer();
    }
    await until(() => a.elector.isLeader() !== b.elector.isLeader(), 8000);
    await Promise.all([a.group.settled(), b.group.settled()]);
    expect(a.running.work + b.running.work).toBe(1);
    for (const i of [a, b]) await i.group.stop(), await i.elector.stop();
  });

  it('AlwaysLeader leads from start and runs the group there', async () => {
    const e = new AlwaysLeader();
    let n = 0;
    const g = startLeaderGroup(e, [{ name: 'x', start: () => void n++ }], log);
    await e.start();
    await g.settled();
    expect(n).toBe(1);
    expect(e.isLeader()).toBe(true);
    await g.stop();
  });
});
