/**
 * Serves one Envoy admin view (`xds`, `stats`, `clusters`) or the generated
 * `_config` of a proxy (Dataplane, ZoneIngress, ZoneEgress). A CP that
 * serves the proxy reads it itself (envoy-admin/); a global, which serves
 * no proxy, asks the owning zone over KDS (adminForwarder), naming the
 * proxy by its name in that zone.
 */
import { EnvoyAdminError, readEnvoyAdmin, type AdminRequest } from '../envoy-admin/admin-client';
import { generatedConfigOf } from '../envoy-admin/generated-config';
import { ForwardError, type AdminStreamKind } from '../kds/global/envoy-admin-forwarder';
import type { Resource } from '../resources/model';
import type { ApiDeps } from './deps';
import { HttpError, sendFailure, sendJson } from './http-util';
import type { RequestContext } from './router';

export const T_ADMIN = 'Could not execute admin operation';
export const T_CONFIG = 'Could not get proxy config';

const STREAM: Record<AdminRequest['view'], AdminStreamKind> = { 'config-dump': 'configDump', stats: 'stats', clusters: 'clusters' };

/** The admin request a REST query asks for (`?include_eds=true`, `?format=json`, `?usedonly`). */
export function adminRequestOf(view: AdminRequest['view'], c: RequestContext): AdminRequest {
  if (view === 'config-dump') return { view, includeEds: c.query.get('include_eds') === 'true' };
  const json = c.query.get('format') === 'json';
  return view === 'stats' ? { view, json, usedOnly: c.query.has('usedonly') } : { view, json };
}

/** The zone a proxy stored on the global came from, and its name there. */
function ownerOf(proxy: Resource): { zone: string; name: string } {
  const zone = proxy.labels['kuma.io/zone'] || String(proxy.spec.zone ?? '');
  if (!zone) throw new HttpError(400, T_ADMIN, `${proxy.type} "${proxy.name}" has no kuma.io/zone label, so the zone that serves it is unknown`);
  return { zone, name: proxy.labels['kuma.io/display-name'] || proxy.name };
}

function forwardFailure(e: unknown, title: string): never {
  if (e instanceof ForwardError) throw new HttpError(e.status, title, e.message);
  throw e;
}

export async function serveEnvoyAdmin(deps: ApiDeps, c: RequestContext, proxy: Resource, req: AdminRequest): Promise<void> {
  try {
    const json = req.view === 'config-dump' || ('json' in req && req.json);
    let body: Buffer;
    let contentType = json ? 'application/json' : 'text/plain';
    if (deps.adminForwarder) {
      const owner = ownerOf(proxy);
      body = await deps.adminForwarder
        .request(owner.zone, STREAM[req.view], {
          resourceType: proxy.type,
          resourceName: owner.name,
          resourceMesh: proxy.mesh,
          includeEds: req.view === 'config-dump' && req.includeEds,
          json: 'json' in req && req.json,
          usedOnly: req.view === 'stats' && req.usedOnly,
        })
        .catch((e) => forwardFailure(e, T_ADMIN));
    } else {
      try {
        ({ body, contentType } = await readEnvoyAdmin(proxy, req));
      } catch (e) {
        if (e instanceof EnvoyAdminError) throw new HttpError(400, T_ADMIN, e.message);
        throw e;
      }
    }
    c.res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
    c.res.end(body);
  } catch (e) {
    sendFailure(c.res, e, T_ADMIN);
  }
}

export async function serveGeneratedConfig(deps: ApiDeps, c: RequestContext, proxy: Resource): Promise<void> {
  try {
    if (deps.adminForwarder) {
      const owner = ownerOf(proxy);
      const body = await deps.adminForwarder
        .request(owner.zone, 'configDump', { resourceType: proxy.type, resourceName: owner.name, resourceMesh: proxy.mesh, generatedConfig: true })
        .catch((e) => forwardFailure(e, T_CONFIG));
      c.res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      c.res.end(body);
      return;
    }
    try {
      sendJson(c.res, 200, generatedConfigOf({ store: deps.store, registry: deps.registry, zoneName: deps.config.multizone.zone.name, inspect: deps.inspect }, proxy));
    } catch (e) {
      if (e instanceof EnvoyAdminError) throw new HttpError(400, T_CONFIG, e.message);
      throw e;
    }
  } catch (e) {
    sendFailure(c.res, e, T_CONFIG);
  }
}
