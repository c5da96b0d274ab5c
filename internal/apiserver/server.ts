/**
 * The REST API server (HTTP :5681). Routes are registered from explicit
 * lists: system endpoints, the special ones, then the generic per-type routes
 * derived from the registry (most specific first).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logger } from '../log/logger';
import type { ApiDeps } from './deps';
import { isLocalAdmin, sendError, sendFailure } from './http-util';
import { registerInspectEndpoints } from './inspect-endpoints';
import { registerOverviewEndpoints } from './overview-endpoints';
import { registerResourceEndpoints } from './resource-endpoints';
import { Router } from './router';
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

export async function startApiServer(deps: ApiDeps, port: number, iface: string): Promise<{ server: Server; port: number }> {
  const log = logger('api-server');
  const router = buildRouter(deps);
  const server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendError(res, 400, 'Bad Request', 'malformed request URL');
    }
    const m = router.match(req.method ?? 'GET', url.pathname);
    if (!m) return sendError(res, 404, 'Not Found', `no API route ${url.pathname}; see GET / and GET /_resources`);
    if ('allowed' in m) {
      res.setHeader('allow', m.allowed.join(', '));
      return sendError(res, 405, 'Method not allowed', `${req.method} is not allowed on ${url.pathname}; use ${m.allowed.join(', ')}`);
    }
    const ctx = { req, res, params: m.params, query: url.searchParams, url, admin: isLocalAdmin(req) };
    Promise.resolve()
      .then(() => m.handler(ctx))
      .catch((e) => {
        log.error({ err: e, path: url.pathname }, 'request failed; answered 500');
        if (!res.headersSent) sendFailure(res, e, 'Internal Server Error');
      });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, iface, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  log.info({ port: bound, interface: iface }, 'API server listening');
  return { server, port: bound };
}
