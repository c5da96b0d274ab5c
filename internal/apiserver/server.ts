/**
 * The REST API server (HTTP :5681). Routes are registered from explicit
 * lists: system endpoints, the special ones, then the generic per-type routes
 * derived from the registry (most specific first).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logger } from '../log/logger';
import type { ApiDeps } from './deps';
import { isLocalAdmin, sendError, sendFailure } from './http-util';
import { registerInspectEndpoints } from './inspect-endpoints';
import { registerOverviewEndpoints } from './overview-endpoints';
import { registerResourceEndpoints } from './resource-endpoints';
import { rawPathOf, Router } from './router';
import { registerServiceInsightEndpoints } from './service-insight-endpoints';
import { registerSystemEndpoints } from './system-endpoints';
import { registerTokenEndpoints } from './token-endpoints';

export function buildRouter(deps: ApiDeps): Router {
  const router = new Router();
  registerSystemEndpoints(router, deps);
  registerServiceInsightEndpoints(router, deps);
  registerOverviewEndpoints(router, deps);
  registerTokenEndpoints(router, deps);
  registerInspectEndpoints(router, deps);
  registerResourceEndpoints(router, deps);
  return router;
}

/** One request: route on the raw path, refuse bad names before any handler runs, map failures to Kuma's error body. */
export function dispatch(router: Router, req: IncomingMessage, res: ServerResponse, log = logger('api-server')): void {
  const target = req.url ?? '/';
  let url: URL;
  try {
    url = new URL(target, 'http://localhost');
  } catch {
    return sendError(res, 400, 'Bad Request', 'malformed request URL');
  }
  const path = rawPathOf(target);
  const m = router.match(req.method ?? 'GET', path);
  if (!m) return sendError(res, 404, 'Not Found', `no API route ${path}; see GET / and GET /_resources`);
  if ('allowed' in m) {
    res.setHeader('allow', m.allowed.join(', '));
    return sendError(res, 405, 'Method not allowed', `${req.method} is not allowed on ${path}; use ${m.allowed.join(', ')}`);
  }
  if ('invalid' in m) {
    const detail = m.invalid.map((v) => `${v.field}: ${v.message}`).join('; ');
    return sendError(res, 400, 'Bad Request', `invalid request path ${path}: ${detail}`, m.invalid);
  }
  const ctx = { req, res, params: m.params, query: url.searchParams, url, admin: isLocalAdmin(req) };
  Promise.resolve()
    .then(() => m.handler(ctx))
    .catch((e) => {
      log.error({ err: e, path }, 'request failed; answered 500');
      if (!res.headersSent) sendFailure(res, e, 'Internal Server Error');
    });
}

export async function startApiServer(deps: ApiDeps, port: number, iface: string): Promise<{ server: Server; port: number }> {
  const log = logger('api-server');
  const router = buildRouter(deps);
  const server = createServer((req, res) => dispatch(router, req, res, log));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, iface, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  log.info({ port: bound, interface: iface }, 'API server listening');
  return { server, port: bound };
}
