/**
 * Inspection of one sidecar (spec kuma-api-cli.md §2.6; Kuma pkg/api-server/inspect_endpoints.go,
 * inspect_envoy_admin_endpoints.go), behind `kuma inspect dataplane NAME --type ...`:
 *
 * - `_config`: the xDS the zone CP generated for the proxy (proto3 JSON, private keys masked); a
 *   proxy not connected to it is a 400. The global asks the owning zone over KDS.
 * - `xds`, `stats`, `clusters`: the proxy's Envoy admin (`/config_dump`, `/stats`, `/clusters`),
 *   fetched by the zone CP (envoy-admin/admin-client.ts) and passed through; the global forwards
 *   them to the owning zone over KDS (proxy-admin.ts), a 503 naming the zone when it is offline.
 * - `policies`, `_rules`: policy-inspect-endpoints.ts.
 *
 * Anyone may read them, as Kuma's default static access for viewing config dumps, stats and
 * clusters (groups mesh-system:unauthenticated and mesh-system:authenticated, spec §5); key
 * material is masked in `_config` and Envoy masks it in its own config dump.
 */
import type { DpServerHandle } from '../dpserver/start';
import { envoyAdminBaseUrl, localAddresses } from '../envoy-admin/admin-client';
import { maskSecret, meshContextOf as sharedMeshContextOf, NOT_CONNECTED, xdsJson } from '../envoy-admin/generated-config';
import type { Resource } from '../resources/model';
import type { MeshContext } from '../xds/context/types';
import type { ApiDeps, InspectSource } from './deps';
import { HttpError, sendFailure, sendJson } from './http-util';
import { adminRequestOf, serveEnvoyAdmin, serveGeneratedConfig } from './proxy-admin';
import type { RequestContext, Router } from './router';

// Moved to envoy-admin/ (shared with the zone side of KDS); re-exported for existing callers.
export { envoyAdminBaseUrl, localAddresses, maskSecret, NOT_CONNECTED, xdsJson };

const T_GET = 'Could not get dataplane resource';
const T_ADMIN = 'Could not execute admin operation';
const T_CONFIG = 'Could not get proxy config';

/** What the API needs from the DP server: the xDS generated for connected proxies (node id "<mesh>.<name>"). */
export function dataplaneInspectSource(dp: Pick<DpServerHandle, 'generated' | 'reconciler' | 'proxyPropagation'>): InspectSource {
  return {
    connected: (nodeId) => dp.reconciler?.connectedNodes().includes(nodeId) ?? false,
    generated: (nodeId) => dp.generated(nodeId),
    ...(dp.proxyPropagation ? { proxyPropagation: dp.proxyPropagation } : {}),
  };
}

export function registerInspectEndpoints(router: Router, deps: ApiDeps): void {
  const base = '/meshes/:mesh/dataplanes/:name';
  router.add('GET', `${base}/_config`, (c) => config(deps, c));
  router.add('GET', `${base}/xds`, (c) => envoyAdmin(deps, c, 'config-dump'));
  router.add('GET', `${base}/stats`, (c) => envoyAdmin(deps, c, 'stats'));
  router.add('GET', `${base}/clusters`, (c) => envoyAdmin(deps, c, 'clusters'));
}

function dataplaneOf(deps: ApiDeps, c: RequestContext): Resource {
  const dp = deps.store.get({ type: 'Dataplane', mesh: c.params.mesh!, name: c.params.name! });
  if (!dp) throw new HttpError(404, T_GET, 'Not found');
  return dp;
}

async function config(deps: ApiDeps, c: RequestContext): Promise<void> {
  let dp: Resource;
  try {
    dp = dataplaneOf(deps, c);
  } catch (e) {
    return sendFailure(c.res, e, T_CONFIG);
  }
  await serveGeneratedConfig(deps, c, dp);
}

async function envoyAdmin(deps: ApiDeps, c: RequestContext, view: 'config-dump' | 'stats' | 'clusters'): Promise<void> {
  let dp: Resource;
  try {
    dp = dataplaneOf(deps, c);
  } catch (e) {
    return sendFailure(c.res, e, T_ADMIN);
  }
  await serveEnvoyAdmin(deps, c, dp, adminRequestOf(view, c));
}

/** The MeshContext of a mesh read from the store (as the xDS reconciler builds it, without CA certificates). */
function meshContextOf(deps: ApiDeps, mesh: string): MeshContext | undefined {
  return sharedMeshContextOf({ store: deps.store, registry: deps.registry, zoneName: deps.config.multizone.zone.name }, mesh);
}
