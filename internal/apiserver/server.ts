/**
 * The REST API server: HTTP :5681 and HTTPS :5682 serve the same routes
 * through one request handler. Routes are registered from explicit lists:
 * system endpoints, the special ones, then the generic per-type routes
 * derived from the registry (most specific first). Every request but the
 * index is authenticated first (authn.ts); handlers check access
 * (access.ts) with the user in the RequestContext.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ANONYMOUS_USER } from '../auth/user';
import { guiHandler, isGuiPath } from '../gui/serve';
import { logger } from '../log/logger';
import { authenticate } from './authn';
import type { ApiDeps } from './deps';
import { sendError, sendFailure } from './http-util';
import { registerInspectEndpoints } from './inspect-endpoints';
import { registerKriEndpoints } from './kri-endpoints';
import { registerPolicyInspectEndpoints } from './policy-inspect-endpoints';
import { registerZoneProxyInspectEndpoints } from './inspect-zone-proxy-endpoints';
import { registerOverviewEndpoints } from './overview-endpoints';
import { registerPropagationEndpoints } from './propagation-endpoints';
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
  registerPolicyInspectEndpoints(router, deps);
  registerInspectEndpoints(router, deps);
  registerKriEndpoints(router, deps);
  registerZoneProxyInspectEndpoints(router, deps);
  registerPropagationEndpoints(router, deps);
  registerResourceEndpoints(router, deps);
  return router;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The one handler both listeners share. */
export function apiRequestListener(deps: ApiDeps, log: Logger = logger('api-server')): RequestListener {
  const router = buildRouter(deps);
  const authn = { store: deps.store, localhostIsAdmin: deps.config.apiServer.authn.localhostIsAdmin, log };
  const gui = guiHandler();
  return (req, res) => {
    const target = req.url ?? '/';
    if (isGuiPath(target)) return gui(req, res, rawPathOf(target));
    let url: URL;
    try {
      url = new URL(target, 'http://localhost');
    } catch {
      return sendError(res, 400, 'Bad Request', 'malformed request URL');
    }
    // Routing reads the raw path: URL parsing would resolve `..` and `%2e%2e` into the parent route (router.ts).
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
    // The index is never authenticated (Kuma skips authn for it), so a client can always find out what it talks to.
    const who = path === '/' ? Promise.resolve(ANONYMOUS_USER) : authenticate(req, authn);
    who
      .then(
        (user) => m.handler({ req, res, params: m.params, query: url.searchParams, url, user }),
        (e) => {
          req.resume();
          sendFailure(res, e, 'Invalid authentication data');
        },
      )
      .catch((e) => {
        log.error({ err: e, path }, 'request failed; answered 500');
        if (!res.headersSent) sendFailure(res, e, 'Internal Server Error');
      });
  };
}

export interface ApiListen {
  port: number;
  iface: string;
  /** PEM pair for HTTPS; absent for plain HTTP. */
  tls?: { certPem: string; keyPem: string };
}

export async function startApiServer(deps: ApiDeps, listen: ApiListen, handler: RequestListener = apiRequestListener(deps)): Promise<{ server: Server; port: number }> {
  const log = logger('api-server');
  const server: Server = listen.tls ? createHttpsServer({ cert: listen.tls.certPem, key: listen.tls.keyPem }, handler) : createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.iface, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  log.info({ port: bound, interface: listen.iface, tls: !!listen.tls }, listen.tls ? 'API server listening (HTTPS)' : 'API server listening');
  return { server, port: bound };
}
