/**
 * node-postgres settings from Kuma's store.postgres configuration. Every
 * connection the CP opens (the store's pool, its change listener, the leader
 * elector) is built here, so TLS and timeouts are the same for all of them.
 */
import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import type { CpConfig } from '../../config/cp-config';

export type PgSettings = CpConfig['store']['postgres'];

export function clientConfig(p: PgSettings): ClientConfig {
  return {
    host: p.host,
    port: p.port,
    user: p.user,
    password: p.password,
    database: p.dbName,
    ssl: sslOptions(p),
    connectionTimeoutMillis: p.connectionTimeout * 1000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 1000,
    application_name: 'kuma-cp',
  };
}

function sslOptions(p: PgSettings): ClientConfig['ssl'] {
  const t = p.tls;
  if (t.mode === 'disable') return false;
  const files = {
    ...(t.caPath ? { ca: readFileSync(t.caPath, 'utf8') } : {}),
    ...(t.certPath ? { cert: readFileSync(t.certPath, 'utf8') } : {}),
    ...(t.keyPath ? { key: readFileSync(t.keyPath, 'utf8') } : {}),
  };
  if (t.mode === 'verifyNone') return { ...files, rejectUnauthorized: false };
  // verifyCa checks the chain but not the host name, as libpq's verify-ca.
  if (t.mode === 'verifyCa') return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ...files, rejectUnauthorized: true };
}

/** A connection error as one line that names where the CP tried to connect. */
export function describePgError(p: PgSettings, e: unknown): string {
  const msg = (e as Error)?.message || String(e);
  return `PostgreSQL at ${p.host}:${p.port} (database "${p.dbName}", user "${p.user}"): ${msg}`;
}
