/**
 * A throw-away PostgreSQL cluster for tests: initdb + pg_ctl in a temp dir,
 * listening on a free loopback port with its socket in that dir, so parallel
 * suites never share one. As root, the server runs as the `postgres` user
 * (initdb refuses root). PostgreSQL missing => the test fails with the fix
 * (`make deps`), it never skips.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { CpConfig } from '../../internal/config/cp-config';

export interface PgCluster {
  host: string;
  port: number;
  user: string;
  password: string;
  dir: string;
  /** A new empty database. */
  createDatabase(name?: string): Promise<string>;
  /** store.postgres settings for a database of this cluster. */
  settings(db: string): CpConfig['store']['postgres'];
  /** KUMA_STORE_* variables for a CP process on a database of this cluster. */
  env(db: string): Record<string, string>;
  /** Runs SQL as the superuser on a database. */
  sql(db: string, text: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** pg_ctl stop -m fast / start (the database going away and coming back on the same port). */
  stopServer(): void;
  startServer(): void;
  stop(): Promise<void>;
}

export function pgBinDir(): string {
  const fromConfig = (() => {
    try {
      return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  })();
  const candidates = [fromConfig];
  if (existsSync('/usr/lib/postgresql')) {
    for (const v of readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))) candidates.push(join('/usr/lib/postgresql', v, 'bin'));
  }
  for (const d of candidates) if (d && existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl'))) return d;
  throw new Error('PostgreSQL is not installed (no initdb/pg_ctl found): run `make deps` (scripts/install-postgres.sh)');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function postgresUid(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).trim();
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostgres(): Promise<PgCluster> {
  const bin = pgBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'kuma-pg-'));
  const data = join(dir, 'data');
  const as = postgresUid();
  if (as) {
    chownSync(dir, as.uid, as.gid);
    chmodSync(dir, 0o700);
  }
  const user = 'kuma';
  const password = 'kuma-test-pw';
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, password);
  if (as) chownSync(pwfile, as.uid, as.gid);
  const run = (cmd: string, args: string[]) =>
    execFileSync(join(bin, cmd), args, { stdio: ['ignore', 'pipe', 'pipe'], ...(as ? { uid: as.uid, gid: as.gid } : {}), env: { ...process.env, LC_ALL: 'C' } });
  run('initdb', ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=on -c max_connections=200`;
  const startServer = () => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', opts, '-w', '-t', '30', 'start']);
  const stopServer = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  startServer();
  let n = 0;
  const cluster: PgCluster = {
    host: '127.0.0.1',
    port,
    user,
    password,
    dir,
    async sql(db, text, params) {
      const c = new pg.Client({ host: '127.0.0.1', port, user, password, database: db });
      await c.connect();
      try {
        return await c.query(text, params);
      } finally {
        await c.end();
      }
    },
    async createDatabase(name) {
      const db = name ?? `kuma_${process.pid}_${n++}`;
      await cluster.sql('postgres', `CREATE DATABASE ${db}`);
      return db;
    },
    settings(db) {
      return {
        host: '127.0.0.1',
        port,
        user,
        password,
        dbName: db,
        tls: { mode: 'disable', caPath: '', certPath: '', keyPath: '' },
        maxOpenConnections: 10,
        connectionTimeout: 5,
        autoMigrate: true,
        leaderLeaseMs: 3000,
      };
    },
    env(db) {
      return {
        KUMA_STORE_TYPE: 'postgres',
        KUMA_STORE_POSTGRES_HOST: '127.0.0.1',
        KUMA_STORE_POSTGRES_PORT: String(port),
        KUMA_STORE_POSTGRES_USER: user,
        KUMA_STORE_POSTGRES_PASSWORD: password,
        KUMA_STORE_POSTGRES_DB_NAME: db,
        KUMA_STORE_POSTGRES_MAX_OPEN_CONNECTIONS: '10',
      };
    },
    stopServer,
    startServer,
    async stop() {
      try {
        stopServer();
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
