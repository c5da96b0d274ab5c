/**
 * The PostgreSQL store: several CP instances share one database. Reads are
 * served by the shared in-memory index (IndexedStore); writes are decided by
 * the database, never by the index, because another instance may have
 * written since:
 *
 * - A group of queued transactions is one database transaction. It first
 *   bumps `kuma_store_meta.rev` (the row lock orders all writers), then runs
 *   each queued transaction inside a savepoint with conditional statements
 *   (`INSERT ... ON CONFLICT DO NOTHING`, `UPDATE ... WHERE version = $n`,
 *   `DELETE ... WHERE version = $n`), so a conflict or missing resource
 *   rolls back that transaction only. The events of the accepted ones are
 *   written to `kuma_store_log` under the rev and announced with NOTIFY.
 * - Every instance applies revs to its index strictly in order
 *   (`#applied`), from its own commits or from the log after a NOTIFY
 *   (change-feed.ts). A gap older than the log means a full reload diffed
 *   against the index, so a missed notification never leaves it stale.
 */
import pg from 'pg';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../errors';
import { keyString, type Resource, type ResourceKey } from '../../resources/model';
import { IndexedStore, type Pending, type PersistOp } from '../indexed-store';
import type { StoreEvent, WriteOp } from '../resource-store';
import { ChangeFeed } from './change-feed';
import { clientConfig, describePgError, type PgSettings } from './connection';
import { LATEST_SCHEMA, migrateUp, schemaVersion } from './schema';
import { logger } from '../../log/logger';

/** Revs kept in kuma_store_log; an instance further behind reloads everything. */
const LOG_KEEP = 10_000;
export const NOTIFY_CHANNEL = 'kuma_store_changes';

interface Row {
  type: string;
  mesh: string;
  name: string;
  version: string;
  creation_time: Date;
  modification_time: Date;
  labels: string;
  spec: string;
}

const COLUMNS = 'type, mesh, name, version, creation_time, modification_time, labels, spec';

function fromRow(r: Row): Resource {
  return {
    type: r.type,
    mesh: r.mesh,
    name: r.name,
    version: Number(r.version),
    creationTime: r.creation_time.toISOString(),
    modificationTime: r.modification_time.toISOString(),
    labels: JSON.parse(r.labels) as Record<string, string>,
    spec: JSON.parse(r.spec) as Resource['spec'],
  };
}

function isDomainError(e: unknown): boolean {
  return e instanceof ConflictError || e instanceof NotFoundError || e instanceof AlreadyExistsError;
}

export interface PostgresStoreOptions {
  autoMigrate?: boolean;
  now?: () => Date;
  /** Safety-net poll of the log while notifications are quiet (ms). */
  pollIntervalMs?: number;
}

export class PostgresStore extends IndexedStore {
  readonly kind = 'postgres' as const;
  readonly settings: PgSettings;
  readonly #pool: pg.Pool;
  readonly #now: () => Date;
  readonly #log = logger('store');
  #feed?: ChangeFeed;
  /** The newest rev applied to the index. */
  #applied = 0;
  /** Serializes everything that moves #applied. */
  #applying: Promise<void> = Promise.resolve();

  private constructor(settings: PgSettings, pool: pg.Pool, now: () => Date) {
    super(now);
    this.settings = settings;
    this.#pool = pool;
    this.#now = now;
  }

  static async open(settings: PgSettings, opts: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({ ...clientConfig(settings), max: Math.max(1, settings.maxOpenConnections - 2), idleTimeoutMillis: 30_000 });
    // An idle pooled connection that dies (database restarted) must not crash the CP: the pool drops it.
    pool.on('error', () => undefined);
    const store = new PostgresStore(settings, pool, opts.now ?? (() => new Date()));
    try {
      const c = await pool.connect().catch((e) => {
        throw new Error(`cannot connect to ${describePgError(settings, e)}; check KUMA_STORE_POSTGRES_HOST/_PORT/_USER/_PASSWORD/_DB_NAME`);
      });
      try {
        const v = await schemaVersion(c);
        if (v < LATEST_SCHEMA) {
          if (opts.autoMigrate === false) {
            throw new Error(`the database schema is at version ${v}, this kuma needs ${LATEST_SCHEMA}: run \`kuma migrate up\` (or set KUMA_STORE_POSTGRES_AUTO_MIGRATE=true)`);
          }
          const r = await migrateUp(c);
          if (r.applied.length > 0) store.#log.info({ from: r.from, to: r.to }, 'database schema migrated');
        } else if (v > LATEST_SCHEMA) {
          throw new Error(`the database schema is at version ${v}, newer than this kuma understands (${LATEST_SCHEMA}); run a newer kuma`);
        }
      } finally {
        c.release();
      }
      await store.#reload();
      store.#feed = new ChangeFeed({
        config: clientConfig(settings),
        channel: NOTIFY_CHANNEL,
        onChange: () => store.catchUp(),
        pollIntervalMs: opts.pollIntervalMs ?? 2000,
        log: store.#log,
      });
      await store.#feed.start();
      return store;
    } catch (e) {
      await store.#feed?.stop();
      await pool.end().catch(() => undefined);
      throw e;
    }
  }

  protected async persist(_ops: PersistOp[]): Promise<void> {
    throw new Error('unreachable: PostgresStore writes through the database in transact()');
  }

  /** The group's transactions decided by the database (IndexedStore queues them, one group at a time). */
  protected override async commitGroup(group: Pending[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      const err = new Error(`store write failed: ${describePgError(this.settings, e)}`);
      for (const p of group) p.reject(err);
      return;
    }
    const now = this.#now().toISOString();
    const accepted: { p: Pending; results: Resource[]; events: StoreEvent[] }[] = [];
    let rev = 0;
    let broken: unknown;
    try {
      await client.query('BEGIN');
      rev = Number((await client.query<{ rev: string }>('UPDATE kuma_store_meta SET rev = rev + 1 WHERE id = 1 RETURNING rev')).rows[0]!.rev);
      const savepoints = group.length > 1;
      for (const p of group) {
        if (savepoints) await client.query('SAVEPOINT t');
        try {
          const out = await this.#run(client, p.ops, now);
          if (savepoints) await client.query('RELEASE SAVEPOINT t');
          accepted.push({ p, ...out });
        } catch (e) {
          if (!isDomainError(e)) throw e;
          if (savepoints) await client.query('ROLLBACK TO SAVEPOINT t');
          p.reject(e);
        }
      }
      if (accepted.length === 0) {
        await client.query('ROLLBACK');
        client.release();
        return;
      }
      const txs = accepted.map((a) => a.events).filter((ev) => ev.length > 0);
      await client.query('INSERT INTO kuma_store_log (rev, events) VALUES ($1, $2)', [rev, JSON.stringify(txs)]);
      if (rev % 500 === 0) await client.query('DELETE FROM kuma_store_log WHERE rev <= $1', [rev - LOG_KEEP]);
      await client.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, String(rev)]);
      await client.query('COMMIT');
      client.release();
    } catch (e) {
      broken = e;
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
    }
    if (broken !== undefined) {
      // A failure before COMMIT answered: nothing is acknowledged (the commit may or may not have happened; catch-up will tell).
      const err = new Error(`store write failed: ${describePgError(this.settings, broken)}`);
      for (const a of accepted) a.p.reject(err);
      for (const p of group) if (!accepted.some((a) => a.p === p)) p.reject(err);
      void this.catchUp();
      return;
    }
    await this.#serialized(async () => {
      if (rev <= this.#applied) return;
      if (rev === this.#applied + 1) {
        for (const a of accepted) this.applyCommitted(a.events);
        this.#applied = rev;
      } else {
        await this.#catchUpTo(rev);
      }
    }).catch(() => undefined);
    for (const a of accepted) a.p.resolve(a.results);
  }

  /** One queued transaction's statements; throws a domain error on the first refused op. */
  async #run(c: pg.PoolClient, ops: WriteOp[], now: string): Promise<{ results: Resource[]; events: StoreEvent[] }> {
    const results: Resource[] = [];
    const events: StoreEvent[] = [];
    for (const op of ops) {
      if (op.op === 'delete') {
        const k = op.key;
        const { rows } = await c.query<Row>(
          `DELETE FROM kuma_resources WHERE type = $1 AND mesh = $2 AND name = $3 AND ($4::bigint IS NULL OR version = $4) RETURNING ${COLUMNS}`,
          [k.type, k.mesh, k.name, op.version ?? null],
        );
        if (rows.length === 0) throw await this.#whyNot(c, k);
        events.push({ kind: 'delete', resource: fromRow(rows[0]!) });
        continue;
      }
      const r = op.resource;
      const labels = JSON.stringify(r.labels ?? {});
      const spec = JSON.stringify(r.spec);
      let rows: Row[];
      if (op.op === 'create') {
        ({ rows } = await c.query<Row>(
          `INSERT INTO kuma_resources (${COLUMNS}) VALUES ($1, $2, $3, 1, $4, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
          [r.type, r.mesh, r.name, now, labels, spec],
        ));
        if (rows.length === 0) throw new AlreadyExistsError(`resource already exists: ${keyString(r)}`);
      } else {
        ({ rows } = await c.query<Row>(
          `UPDATE kuma_resources SET version = version + 1, modification_time = $4, labels = $5, spec = $6
           WHERE type = $1 AND mesh = $2 AND name = $3 AND ($7::bigint IS NULL OR version = $7) RETURNING ${COLUMNS}`,
          [r.type, r.mesh, r.name, now, labels, spec, op.version ?? null],
        ));
        if (rows.length === 0) throw await this.#whyNot(c, r);
      }
      const next = fromRow(rows[0]!);
      results.push(next);
      events.push({ kind: op.op, resource: next });
    }
    return { results, events };
  }

  async #whyNot(c: pg.PoolClient, k: ResourceKey): Promise<Error> {
    const { rowCount } = await c.query('SELECT 1 FROM kuma_resources WHERE type = $1 AND mesh = $2 AND name = $3', [k.type, k.mesh, k.name]);
    return rowCount ? new ConflictError(`resource conflict: ${keyString(k)}`) : new NotFoundError(`resource not found: ${keyString(k)}`);
  }

  #serialized(fn: () => Promise<void>): Promise<void> {
    const run = this.#applying.then(fn);
    this.#applying = run.catch(() => undefined);
    return run;
  }

  /** Applies every rev committed by anyone since the last one applied. */
  catchUp(): Promise<void> {
    return this.#serialized(() => this.#catchUpTo(Number.MAX_SAFE_INTEGER));
  }

  /** The newest rev in this instance's index (tests and diagnostics). */
  get appliedRev(): number {
    return this.#applied;
  }

  async #catchUpTo(target: number): Promise<void> {
    if (this.closed) return;
    for (;;) {
      const { rows } = await this.#pool.query<{ rev: string; events: string }>(
        'SELECT rev, events FROM kuma_store_log WHERE rev > $1 AND rev <= $2 ORDER BY rev LIMIT 500',
        [this.#applied, target],
      );
      if (rows.length === 0) return;
      if (Number(rows[0]!.rev) !== this.#applied + 1) {
        // The revs we missed are no longer in the log.
        await this.#reload();
        return;
      }
      for (const row of rows) {
        for (const events of JSON.parse(row.events) as StoreEvent[][]) this.applyCommitted(events);
        this.#applied = Number(row.rev);
      }
      if (rows.length < 500) return;
    }
  }

  /** Loads the whole table in one snapshot and applies the difference to the index as one batch of events. */
  async #reload(): Promise<void> {
    const c = await this.#pool.connect();
    let rev: number;
    let rows: Row[];
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      rev = Number((await c.query<{ rev: string }>('SELECT rev FROM kuma_store_meta WHERE id = 1')).rows[0]!.rev);
      rows = (await c.query<Row>(`SELECT ${COLUMNS} FROM kuma_resources`)).rows;
      await c.query('COMMIT');
      c.release();
    } catch (e) {
      c.release(true);
      throw e;
    }
    const events: StoreEvent[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      const r = fromRow(row);
      seen.add(`${r.type}\u0000${r.mesh}\u0000${r.name}`);
      const cur = this.get(r);
      if (!cur) events.push({ kind: 'create', resource: r });
      else if (cur.version !== r.version || cur.modificationTime !== r.modificationTime || cur.creationTime !== r.creationTime) events.push({ kind: 'update', resource: r });
    }
    for (const cur of [...this.indexedResources()]) {
      if (!seen.has(`${cur.type}\u0000${cur.mesh}\u0000${cur.name}`)) events.push({ kind: 'delete', resource: cur });
    }
    this.applyCommitted(events);
    this.#applied = rev;
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#feed?.stop();
    await this.#applying;
    await this.#pool.end().catch(() => undefined);
  }
}

