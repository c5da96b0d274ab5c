/**
 * Envoy admin views of zone proxies (Kuma inspect_envoy_admin_endpoints.go):
 * `/zoneingresses/{name}/{xds,stats,clusters}` and the same under
 * `/zoneegresses`, plus `_config` (the xDS this CP generated for it). Served
 * like a Dataplane's (proxy-admin.ts): read locally on the zone, forwarded
 * to the owning zone on the global.
 */
import type { ApiDeps } from './deps';
import { HttpError, sendFailure } from './http-util';
import { adminRequestOf, serveEnvoyAdmin, serveGeneratedConfig, T_ADMIN } from './proxy-admin';
import type { RequestContext, Router } from './router';

const ROUTES = [
  ['zoneingresses', 'ZoneIngress', 'zone ingress'],
  ['zoneegresses', 'ZoneEgress', 'zone egress'],
] as const;

export function registerZoneProxyInspectEndpoints(router: Router, deps: ApiDeps): void {
  for (const [path, type, what] of ROUTES) {
    const proxyOf = (c: RequestContext) => {
      const r = deps.store.get({ type, mesh: '', name: c.params.name! });
      if (!r) throw new HttpError(404, `Could not get ${what} resource`, 'Not found');
      // A zone CP stores the ingresses of other zones too; only their own zone CP reaches their admin.
      const zone = String(r.spec.zone ?? '');
      if (!deps.adminForwarder && zone && zone !== deps.config.multizone.zone.name) {
        throw new HttpError(400, T_ADMIN, `${what} "${r.name}" belongs to zone "${zone}"; inspect it on the global control plane or on the control plane of zone "${zone}"`);
      }
      return r;
    };
    const view = (v: 'config-dump' | 'stats' | 'clusters') => async (c: RequestContext) => {
      try {
        await serveEnvoyAdmin(deps, c, proxyOf(c), adminRequestOf(v, c));
      } catch (e) {
        sendFailure(c.res, e, T_ADMIN);
      }
    };
    router.add('GET', `/${path}/:name/xds`, view('config-dump'));
    router.add('GET', `/${path}/:name/stats`, view('stats'));
    router.add('GET', `/${path}/:name/clusters`, view('clusters'));
    router.add('GET', `/${path}/:name/_config`, async (c) => {
      try {
        await serveGeneratedConfig(deps, c, proxyOf(c));
      } catch (e) {
        sendFailure(c.res, e, 'Could not get proxy config');
      }
    });
  }
}
