/**
 * The few Envoy admin calls kuma-dp makes (drain on stop), and where the
 * admin listens: read from the bootstrap the control plane returned, since
 * the admin port comes from the Dataplane's `networking.admin.port` or the
 * CP default (spec kuma-kds-xds.md §3.1).
 */
import { parse } from 'yaml';

export const ADMIN_REQUEST_TIMEOUT_MS = 2_000;

/** A TCP admin (`127.0.0.1:9901`) or a unix socket admin (Kuma 2.14's admin-socket feature). */
export type AdminAddress = { host: string; port: number } | { socketPath: string };

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** Reads `admin.address` of an Envoy bootstrap (YAML or JSON, snake_case or camelCase); undefined when absent. */
export function adminAddressFromBootstrap(text: string): AdminAddress | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  const address = obj(obj(obj(doc)?.admin)?.address);
  if (!address) return undefined;
  const pipe = obj(address.pipe);
  if (pipe && typeof pipe.path === 'string') return { socketPath: pipe.path };
  const sa = obj(address.socket_address ?? address.socketAddress);
  if (!sa) return undefined;
  const port = Number(sa.port_value ?? sa.portValue);
  if (!Number.isInteger(port) || port <= 0) return undefined;
  const host = typeof sa.address === 'string' && sa.address !== '' ? sa.address : '127.0.0.1';
  // The admin binds a wildcard when asked to; we reach it on loopback.
  return { host: host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host, port };
}

export function formatAdminAddress(a: AdminAddress): string {
  return 'socketPath' in a ? `unix:${a.socketPath}` : a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** POSTs one admin path (`/healthcheck/fail`); resolves to the HTTP status, rejects on a transport error or timeout. */
export async function postAdmin(a: AdminAddress, path: string, timeoutMs = ADMIN_REQUEST_TIMEOUT_MS): Promise<number> {
  const { Agent, request } = await import('undici');
  const dispatcher = 'socketPath' in a ? new Agent({ connect: { socketPath: a.socketPath } }) : undefined;
  const origin = 'socketPath' in a ? 'http://localhost' : `http://${formatAdminAddress(a)}`;
  try {
    const res = await request(`${origin}${path}`, { method: 'POST', dispatcher, signal: AbortSignal.timeout(timeoutMs) });
    await res.body.dump();
    return res.statusCode;
  } finally {
    await dispatcher?.close();
  }
}

/** GETs one admin path (`/ready`); resolves to the status and body, rejects on a transport error or timeout. */
export async function getAdmin(a: AdminAddress, path: string, timeoutMs = ADMIN_REQUEST_TIMEOUT_MS): Promise<{ status: number; body: string }> {
  const { Agent, request } = await import('undici');
  const dispatcher = 'socketPath' in a ? new Agent({ connect: { socketPath: a.socketPath } }) : undefined;
  const origin = 'socketPath' in a ? 'http://localhost' : `http://${formatAdminAddress(a)}`;
  try {
    const res = await request(`${origin}${path}`, { method: 'GET', dispatcher, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.statusCode, body: await res.body.text() };
  } finally {
    await dispatcher?.close();
  }
}
