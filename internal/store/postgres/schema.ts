/**
 * The PostgreSQL schema and its migrations (`kuma migrate up`). Migrations
 * are numbered and applied in order inside one transaction holding an
 * advisory lock, so instances starting together never race; the applied
 * numbers are rows of `schema_migrations`.
 *
 * - `kuma_resources`: one row per resource; `version` is the optimistic version.
 * - `kuma_store_meta`: one row holding `rev`, bumped by every write
 *   transaction. Its row lock orders writers, so revs are gapless and in
 *   commit order.
 * - `kuma_store_log`: the events of each rev, read by the other instances
 *   after a NOTIFY (and after a reconnect), pruned to the last revs.
 */
import type { ClientBase } from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'resources, store revision, change log',
    sql: `
      CREATE TABLE kuma_resources (
        type text NOT NULL,
        mesh text NOT NULL,
        name text NOT NULL,
        version bigint NOT NULL,
        creation_time timestamptz NOT NULL,
        modification_time timestamptz NOT NULL,
        labels text NOT NULL,
        spec text NOT NULL,
        PRIMARY KEY (type, mesh, name)
      );
      CREATE TABLE kuma_store_meta (id int PRIMARY KEY CHECK (id = 1), rev bigint NOT NULL);
      INSERT INTO kuma_store_meta VALUES (1, 0);
      CREATE TABLE kuma_store_log (rev bigint PRIMARY KEY, events text NOT NULL);
    `,
  },
];

export const LATEST_SCHEMA = MIGRATIONS[MIGRATIONS.length - 1]!.version;
/** pg_advisory_xact_lock key of migrations (any constant unlikely to clash). */
const MIGRATION_LOCK = 0x6b756d61_01;

async function appliedVersions(c: ClientBase): Promise<number[]> {
  await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  const { rows } = await c.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((r) => Number(r.version));
}

export interface MigrationResult {
  from: number;
  to: number;
  applied: Migration[];
}

/** Applies every missing migration, all or nothing. */
export async function migrateUp(c: ClientBase): Promise<MigrationResult> {
  await c.query('BEGIN');
  try {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const done = new Set(await appliedVersions(c));
    const from = done.size === 0 ? 0 : Math.max(...done);
    if (from > LATEST_SCHEMA) throw new SchemaTooNewError(from);
    const applied: Migration[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m);
    }
    await c.query('COMMIT');
    return { from, to: LATEST_SCHEMA, applied };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** The newest applied migration, 0 for an empty database. */
export async function schemaVersion(c: ClientBase): Promise<number> {
  const exists = await c.query<{ t: string | null }>("SELECT to_regclass('schema_migrations') AS t");
  if (!exists.rows[0]?.t) return 0;
  const { rows } = await c.query<{ v: string | null }>('SELECT max(version) AS v FROM schema_migrations');
  return Number(rows[0]?.v ?? 0);
}

export class SchemaTooNewError extends Error {
  constructor(found: number) {
    super(`the database schema is at version ${found}, newer than this kuma understands (${LATEST_SCHEMA}); run a newer kuma`);
  }
}
