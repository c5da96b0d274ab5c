/**
 * Inspection of one sidecar (spec kuma-api-cli.md §2.6; Kuma pkg/api-server/inspect_endpoints.go,
 * inspect_envoy_admin_endpoints.go), behind `kuma inspect dataplane NAME --type ...`:
 *
 * - `_config`: the xDS this CP generated for the proxy (proto3 JSON, private keys masked). Zone
 *   only: the global answers 405, as Kuma does; a proxy not connected to this CP is a 400.
 * - `xds`, `stats`, `clusters`: the proxy's Envoy admin (`/config_dump`, `/stats`, `/clusters`),
 *   fetched by the CP and passed through. The admin is reached on 127.0.0.1 when the Dataplane's
 *   address is one of this machine's, else on the Dataplane's address. Kuma's global forwards these
 *   to the owning zone over KDS; that forwarding is not built, so the global answers 400.
 * - `policies`, `_rules`: policy-inspect-endpoints.ts.
 *
 * Anyone may read them, as Kuma's default static access for viewing config dumps, stats and
 * clusters (groups mesh-system:unauthenticated and mesh-system:authenticated, spec §5); key
 * material is masked in `_config` and Envoy masks it in its own config dump.
 */
import { networkInterfaces } from 'node:os';
import { Cluster } from '../../proto/gen/envoy/config/cluster/v3/cluster';
import { ClusterLoadAssignment } from '../../proto/gen/envoy/config/endpoint/v3/endpoint';
import { Listener } from '../../proto/gen/envoy/config/listener/v3/listener';
import { RouteConfiguration } from '../../proto/gen/envoy/config/route/v3/route';
import { Secret } from '../../proto/gen/envoy/extensions/transport_sockets/tls/v3/secret';
import type { DpServerHandle } from '../dpserver/start';
import type { Resource } from '../resources/model';
import { buildMeshContext } from '../xds/context/mesh-context';
import { meshContextInputFromStore } from '../xds/context/mesh-context-input';
import type { MeshContext, XdsResources } from '../xds/context/types';
import type { ApiDeps, InspectSource } from './deps';
import { HttpError, sendError, sendFailure, sendJson } from './http-util';
import type { RequestContext, Router } from './router';

const T_GET = 'Could not get dataplane resource';
const T_ADMIN = 'Could not execute admin operation';
const T_CONFIG = 'Could not get proxy config';

export const DEFAULT_ADMIN_PORT = 9901;
export const ADMIN_TIMEOUT_MS = 5_000;
export const NOT_CONNECTED = 'the proxy is not connected to this control plane; start it with kuma dp run';
export const GLOBAL_NO_ADMIN = 'Envoy admin of proxies is only reachable through their zone control plane';
const MASK = '*****';

/** What the API needs from the DP server: the xDS generated for connected proxies (node id "<mesh>.<name>"). */
export function dataplaneInspectSource(dp: Pick<DpServerHandle, 'generated' | 'reconciler'>): InspectSource {
  return {
    connected: (nodeId) => dp.reconciler?.connectedNodes().includes(nodeId) ?? false,
    generated: (nodeId) => dp.generated.get(nodeId),
  };
}

export function registerInspectEndpoints(router: Router, deps: ApiDeps): void {
  const base = '/meshes/:mesh/dataplanes/:name';
  router.add('GET', `${base}/_config`, (c) => config(deps, c));
  router.add('GET', `${base}/xds`, (c) => envoyAdmin(deps, c, '/config_dump', c.query.get('include_eds') === 'true' ? ['include_eds'] : []));
  router.add('GET', `${base}/stats`, (c) => envoyAdmin(deps, c, '/stats', [...formatJson(c), ...(c.query.has('usedonly') ? ['usedonly'] : [])]));
  router.add('GET', `${base}/clusters`, (c) => envoyAdmin(deps, c, '/clusters', formatJson(c)));
}

function formatJson(c: RequestContext): string[] {
  return c.query.get('format') === 'json' ? ['format=json'] : [];
}

function dataplaneOf(deps: ApiDeps, c: RequestContext): Resource {
  const dp = deps.store.get({ type: 'Dataplane', mesh: c.params.mesh!, name: c.params.name! });
  if (!dp) throw new HttpError(404, T_GET, 'Not found');
  return dp;
}

function config(deps: ApiDeps, c: RequestContext): void {
  if (deps.config.mode === 'global') return sendError(c.res, 405, 'Method not allowed', 'Not allowed on global CP');
  try {
    const dp = dataplaneOf(deps, c);
    const nodeId = `${dp.mesh}.${dp.name}`;
    if (!deps.inspect?.connected(nodeId)) throw new HttpError(400, T_CONFIG, NOT_CONNECTED);
    const res = deps.inspect.generated(nodeId);
    if (!res) throw new HttpError(400, T_CONFIG, 'no configuration has been generated for the proxy yet; see the control plane log (is the mesh CA ready?)');
    sendJson(c.res, 200, { xds: xdsJson(res), ...notesOf(deps, dp) });
  } catch (e) {
    sendFailure(c.res, e, T_CONFIG);
  }
}

/**
 * Why some endpoints a proxy might expect are missing (e.g. cross-zone
 * endpoints dropped for lack of mTLS), for the services it calls.
 */
function notesOf(deps: ApiDeps, dp: Resource): { notes?: string[] } {
  const ctx = meshContextOf(deps, dp.mesh);
  const outbound = ((dp.spec.networking as { outbound?: { tags?: Record<string, string> }[] } | undefined)?.outbound ?? []).map((o) => o.tags?.['kuma.io/service']);
  const notes = [...new Set(outbound)].flatMap((svc) => (svc && ctx?.crossZoneNotes.get(svc) ? [ctx.crossZoneNotes.get(svc)!] : []));
  return notes.length ? { notes } : {};
}

/** XdsResources as proto3 JSON, with the private keys of secrets masked. */
export function xdsJson(res: XdsResources): Record<string, unknown[]> {
  return {
    listeners: res.listeners.map((r) => Listener.toJSON(r)),
    clusters: res.clusters.map((r) => Cluster.toJSON(r)),
    endpoints: res.endpoints.map((r) => ClusterLoadAssignment.toJSON(r)),
    routes: res.routes.map((r) => RouteConfiguration.toJSON(r)),
    secrets: res.secrets.map((r) => maskSecret(Secret.toJSON(r) as Record<string, unknown>)),
  };
}

/** Replaces the value of every private DataSource of a Secret's JSON by "*****", keeping its key (inlineBytes, filename, ...). */
export function maskSecret(json: Record<string, unknown>): Record<string, unknown> {
  const mask = (o: unknown, fields: string[]) => {
    if (typeof o !== 'object' || o === null) return;
    const rec = o as Record<string, unknown>;
    for (const f of fields) {
      const ds = rec[f];
      if (typeof ds === 'object' && ds !== null) rec[f] = Object.fromEntries(Object.keys(ds).map((k) => [k, MASK]));
      else if (ds !== undefined) rec[f] = MASK;
    }
  };
  mask(json.tlsCertificate, ['privateKey', 'password']);
  mask(json.genericSecret, ['secret']);
  if (typeof json.sessionTicketKeys === 'object' && json.sessionTicketKeys !== null) {
    const keys = (json.sessionTicketKeys as Record<string, unknown>).keys;
    if (Array.isArray(keys)) (json.sessionTicketKeys as Record<string, unknown>).keys = keys.map(() => ({ inlineBytes: MASK }));
  }
  return json;
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
 * Where the CP reaches a proxy's Envoy admin: 127.0.0.1 when the Dataplane's address is loopback or
 * one of `local` (the proxy runs on this machine; kuma dp run binds the admin to 127.0.0.1), else
 * the Dataplane's address.
 */
export function envoyAdminBaseUrl(address: string, port: number, local: readonly string[]): string {
  const a = address.replace(/^\[|\]$/g, '');
  if (a === '' || isLoopback(a) || local.includes(a)) return `http://127.0.0.1:${port}`;
  return a.includes(':') ? `http://[${a}]:${port}` : `http://${a}:${port}`;
}

function adminPortOf(dp: Resource): number {
  const p = (dp.spec.networking as { admin?: { port?: unknown } } | undefined)?.admin?.port;
  return typeof p === 'number' && p > 0 ? p : DEFAULT_ADMIN_PORT;
}

async function envoyAdmin(deps: ApiDeps, c: RequestContext, path: string, query: string[]): Promise<void> {
  try {
    const dp = dataplaneOf(deps, c);
    if (deps.config.mode === 'global') throw new HttpError(400, T_ADMIN, `${GLOBAL_NO_ADMIN} (forwarding over KDS is not built)`);
    const address = String((dp.spec.networking as { address?: unknown } | undefined)?.address ?? '');
    const base = envoyAdminBaseUrl(address, adminPortOf(dp), localAddresses());
    const url = `${base}${path}${query.length ? `?${query.join('&')}` : ''}`;
    const { request } = await import('undici');
    let status: number;
    let contentType: string;
    let body: Buffer;
    try {
      const r = await request(url, { method: 'GET', headersTimeout: ADMIN_TIMEOUT_MS, bodyTimeout: ADMIN_TIMEOUT_MS, signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS) });
      status = r.statusCode;
      const ct = r.headers['content-type'];
      contentType = (Array.isArray(ct) ? ct[0] : ct) ?? 'text/plain';
      body = Buffer.from(await r.body.arrayBuffer());
    } catch (e) {
      const err = e as Error & { code?: string; cause?: Error & { code?: string } };
      const reason = err.name === 'TimeoutError' || err.name === 'AbortError' ? `no answer within ${ADMIN_TIMEOUT_MS / 1000}s` : err.cause?.code || err.code || err.cause?.message || err.message;
      throw new HttpError(
        400,
        T_ADMIN,
        `could not reach the Envoy admin of dataplane "${dp.name}" at ${base} (${reason}); is the proxy running and is networking.admin.port (default ${DEFAULT_ADMIN_PORT}) its admin port?`,
      );
    }
    if (status < 200 || status >= 300) {
      const text = body.toString('utf8').trim().slice(0, 300);
      throw new HttpError(400, T_ADMIN, `the Envoy admin at ${url} answered ${status}${text ? `: ${text}` : ''}`);
    }
    c.res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
    c.res.end(body);
  } catch (e) {
    sendFailure(c.res, e, T_ADMIN);
  }
}

/** The MeshContext of a mesh read from the store (as the xDS reconciler builds it, without CA certificates). */
function meshContextOf(deps: ApiDeps, mesh: string): MeshContext | undefined {
  const meshRes = deps.store.get({ type: 'Mesh', mesh: '', name: mesh });
  return meshRes ? buildMeshContext(meshContextInputFromStore(deps.store, deps.registry, meshRes, deps.config.multizone.zone.name)) : undefined;
}
