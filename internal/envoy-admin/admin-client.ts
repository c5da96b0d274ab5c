/**
 * Reads a proxy's Envoy admin (`/config_dump`, `/stats`, `/clusters`) from
 * the control plane that serves the proxy. Shared by the zone CP's REST
 * inspect routes and by the zone side of KDS answering the global's
 * forwarded requests, so both give the same bytes and the same errors.
 */
import { networkInterfaces } from 'node:os';
import type { Resource } from '../resources/model';

export const DEFAULT_ADMIN_PORT = 9901;
export const ADMIN_TIMEOUT_MS = 5_000;

/** One Envoy admin view and its options, as the REST API and KDS name them. */
export type AdminRequest =
  | { view: 'config-dump'; includeEds?: boolean }
  | { view: 'stats'; json?: boolean; usedOnly?: boolean }
  | { view: 'clusters'; json?: boolean };

export interface AdminAnswer {
  contentType: string;
  body: Buffer;
}

/** The admin could not be read; `message` says where it was looked for and what to check. */
export class EnvoyAdminError extends Error {}

/** Envoy's admin path and query for a request. */
export function adminPath(req: AdminRequest): string {
  const q: string[] = [];
  if (req.view === 'config-dump' && req.includeEds) q.push('include_eds');
  if (req.view !== 'config-dump' && req.json) q.push('format=json');
  if (req.view === 'stats' && req.usedOnly) q.push('usedonly');
  const path = req.view === 'config-dump' ? '/config_dump' : `/${req.view}`;
  return q.length ? `${path}?${q.join('&')}` : path;
}

function isLoopback(address: string): boolean {
  const a = address.toLowerCase();
  return a === 'localhost' || a === '::1' || a === '::' || a === '0.0.0.0' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}

/** This machine's interface addresses. */
export function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => i.address.replace(/%.*$/, ''));
}

/**
 * Where the CP reaches a proxy's Envoy admin: 127.0.0.1 when the proxy's address is loopback or
 * one of `local` (the proxy runs on this machine; kuma dp run binds the admin to 127.0.0.1), else
 * the proxy's address.
 */
export function envoyAdminBaseUrl(address: string, port: number, local: readonly string[]): string {
  const a = address.replace(/^\[|\]$/g, '');
  if (a === '' || isLoopback(a) || local.includes(a)) return `http://127.0.0.1:${port}`;
  return a.includes(':') ? `http://[${a}]:${port}` : `http://${a}:${port}`;
}

/** networking.admin.port of a Dataplane, ZoneIngress or ZoneEgress (they share the shape). */
export function adminPortOf(proxy: Resource): number {
  const p = (proxy.spec.networking as { admin?: { port?: unknown } } | undefined)?.admin?.port;
  return typeof p === 'number' && p > 0 ? p : DEFAULT_ADMIN_PORT;
}

const KIND: Record<string, string> = { Dataplane: 'dataplane', ZoneIngress: 'zone ingress', ZoneEgress: 'zone egress' };

/** GETs one admin view of `proxy`; throws EnvoyAdminError when the admin is unreachable or answers non-2xx. */
export async function readEnvoyAdmin(proxy: Resource, req: AdminRequest, timeoutMs = ADMIN_TIMEOUT_MS): Promise<AdminAnswer> {
  const address = String((proxy.spec.networking as { address?: unknown } | undefined)?.address ?? '');
  const base = envoyAdminBaseUrl(address, adminPortOf(proxy), localAddresses());
  const url = `${base}${adminPath(req)}`;
  const { request } = await import('undici');
  let status: number;
  let contentType: string;
  let body: Buffer;
  try {
    const r = await request(url, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
    status = r.statusCode;
    const ct = r.headers['content-type'];
    contentType = (Array.isArray(ct) ? ct[0] : ct) ?? 'text/plain';
    body = Buffer.from(await r.body.arrayBuffer());
  } catch (e) {
    const err = e as Error & { code?: string; cause?: Error & { code?: string } };
    const reason = err.name === 'TimeoutError' || err.name === 'AbortError' ? `no answer within ${timeoutMs / 1000}s` : err.cause?.code || err.code || err.cause?.message || err.message;
    throw new EnvoyAdminError(
      `could not reach the Envoy admin of ${KIND[proxy.type] ?? proxy.type} "${proxy.name}" at ${base} (${reason}); is the proxy running and is networking.admin.port (default ${DEFAULT_ADMIN_PORT}) its admin port?`,
    );
  }
  if (status < 200 || status >= 300) {
    const text = body.toString('utf8').trim().slice(0, 300);
    throw new EnvoyAdminError(`the Envoy admin at ${url} answered ${status}${text ? `: ${text}` : ''}`);
  }
  return { contentType, body };
}
