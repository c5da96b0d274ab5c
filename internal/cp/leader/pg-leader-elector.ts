/**
 * Leader election with a PostgreSQL session advisory lock on a dedicated
 * connection. The lock lives as long as that session: when the leader dies
 * (even kill -9) its backend ends and the lock is free; followers try
 * `pg_try_advisory_lock` every poll and one of them gets it.
 *
 * A leader checks its session every poll; an error, a dropped connection or
 * no answer within the lease makes it step down at once (its singleton work
 * stops) and wait two polls before competing again, so a follower that can
 * still reach the database takes over. `idle_session_timeout` set to the
 * lease makes the server drop a leader that went silent (a partitioned
 * host), so the lock cannot outlive a leader that stopped checking.
 */
import pg, { type ClientConfig } from 'pg';
import type { Logger } from 'pino';
import type { LeaderElector } from './leader-elector';

/** The lock key: one leader per database ("kuma-cp" as a number). */
export const LEADER_LOCK_KEY = 0x6b756d61_6370;

export interface PgLeaderElectorOptions {
  config: ClientConfig;
  log: Logger;
  instanceId: string;
  pollMs?: number;
  leaseMs?: number;
}

export class PgLeaderElector implements LeaderElector {
  readonly #o: Required<PgLeaderElectorOptions>;
  readonly #fns = new Set<(leader: boolean) => void>();
  #client?: pg.Client;
  #leader = false;
  #stopped = false;
  #timer?: NodeJS.Timeout;
  #lastOk = 0;
  #cooldownUntil = 0;
  #ticking = false;

  constructor(o: PgLeaderElectorOptions) {
    this.#o = { pollMs: 1000, leaseMs: 3000, ...o };
  }

  isLeader(): boolean {
    return this.#leader;
  }

  onChange(fn: (leader: boolean) => void): () => void {
    this.#fns.add(fn);
    return () => this.#fns.delete(fn);
  }

  async start(): Promise<void> {
    this.#timer = setInterval(() => void this.#tick(), this.#o.pollMs);
    await this.#tick();
  }

  #set(leader: boolean, why: string): void {
    if (this.#leader === leader) return;
    this.#leader = leader;
    this.#o.log.info({ instanceId: this.#o.instanceId, why }, leader ? 'became the leader' : 'no longer the leader');
    for (const fn of this.#fns) {
      try {
        fn(leader);
      } catch (e) {
        this.#o.log.error({ err: e }, 'a leadership listener failed');
      }
    }
  }

  #drop(why: string): void {
    const c = this.#client;
    this.#client = undefined;
    if (c) c.end().catch(() => undefined);
    if (this.#leader) {
      this.#cooldownUntil = Date.now() + 2 * this.#o.pollMs;
      this.#set(false, why);
    }
  }

  async #connect(): Promise<pg.Client> {
    const lease = this.#o.leaseMs;
    const c = new pg.Client({ ...this.#o.config, connectionTimeoutMillis: lease, query_timeout: lease, application_name: 'kuma-cp-leader' });
    c.on('error', () => {
      if (this.#client === c) this.#drop('lost the database connection');
    });
    c.on('end', () => {
      if (this.#client === c) this.#drop('the database connection ended');
    });
    await c.connect();
    await c.query(`SET idle_session_timeout = ${Math.max(lease, 2 * this.#o.pollMs)}`).catch(() => undefined);
    return c;
  }

  async #tick(): Promise<void> {
    if (this.#ticking || this.#stopped) return;
    this.#ticking = true;
    try {
      if (this.#leader && Date.now() - this.#lastOk > this.#o.leaseMs) this.#drop('no answer from the database within the lease');
      if (!this.#leader && Date.now() < this.#cooldownUntil) return;
      if (!this.#client) {
        try {
          this.#client = await this.#connect();
        } catch {
          return;
        }
        if (this.#stopped) return this.#drop('stopped');
      }
      const c = this.#client;
      try {
        if (this.#leader) {
          await c.query('SELECT 1');
          this.#lastOk = Date.now();
        } else {
          const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK_KEY]);
          if (rows[0]?.ok && this.#client === c && !this.#stopped) {
            this.#lastOk = Date.now();
            this.#set(true, 'acquired the advisory lock');
          }
        }
      } catch {
        if (this.#client === c) this.#drop('the database did not answer');
      }
    } finally {
      this.#ticking = false;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    while (this.#ticking) await new Promise((r) => setTimeout(r, 5));
    const c = this.#client;
    this.#client = undefined;
    this.#set(false, 'stopped');
    if (c) {
      await c.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await c.end().catch(() => undefined);
    }
  }
}
