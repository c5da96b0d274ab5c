/** Edge cases of one MeshHTTPRoute route as Envoy routes (outbound-http-route.ts); the goldens cover the common shapes. */
import { describe, expect, it } from 'vitest';
import { RedirectAction_RedirectResponseCode } from '../../../proto/gen/envoy/config/route/v3/route_components';
import { meshHttpRoutes } from '../../../internal/xds/generators/sidecar/outbound-http-route';
import type { MeshRouteDetails } from '../../../internal/xds/generators/sidecar/mesh-route-plan';

const FORWARD = { clusterSpecifier: { $case: 'cluster' as const, value: 'backend' } };

function details(path: MeshRouteDetails['match']['path'], filters: Record<string, unknown>[] = []): MeshRouteDetails {
  return { match: { path, headers: [], queryParams: [] }, filters, mirrors: [] };
}

const prefixRewrite = (value: string) => ({ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: value } } });

describe('meshHttpRoutes', () => {
  it('PathPrefix /x is exact /x plus prefix /x/; replacing the prefix by / keeps one slash', () => {
    const routes = meshHttpRoutes(details({ type: 'PathPrefix', value: '/x' }, [prefixRewrite('/')]), FORWARD);
    expect(routes.map((r) => r.match?.pathSpecifier)).toEqual([
      { $case: 'path', value: '/x' },
      { $case: 'prefix', value: '/x/' },
    ]);
    expect(routes.map((r) => (r.action as { value: { prefixRewrite?: string } }).value.prefixRewrite)).toEqual(['/', '/']);
  });

  it('replacing /x by /y: /x -> /y and /x/a -> /y/a', () => {
    const routes = meshHttpRoutes(details({ type: 'PathPrefix', value: '/x' }, [prefixRewrite('/y')]), FORWARD);
    expect(routes.map((r) => (r.action as { value: { prefixRewrite?: string } }).value.prefixRewrite)).toEqual(['/y', '/y/']);
  });

  it('PathPrefix / stays a single prefix route', () => {
    expect(meshHttpRoutes(details({ type: 'PathPrefix', value: '/' }), FORWARD).map((r) => r.match?.pathSpecifier)).toEqual([{ $case: 'prefix', value: '/' }]);
  });

  it('a redirect without statusCode leaves Envoy its default 301; the route forwards nowhere', () => {
    const [r] = meshHttpRoutes(details({ type: 'Exact', value: '/a' }, [{ type: 'RequestRedirect', requestRedirect: { hostname: 'b.example' } }]), FORWARD);
    expect(r!.action).toEqual({ $case: 'redirect', value: { hostRedirect: 'b.example' } });
    expect(RedirectAction_RedirectResponseCode.MOVED_PERMANENTLY).toBe(0);
  });

  it('no weighted backend: 500 direct response, as for a route without usable backends', () => {
    const [r] = meshHttpRoutes(details({ type: 'Exact', value: '/a' }), undefined);
    expect(r!.action).toEqual({ $case: 'directResponse', value: { status: 500 } });
  });

  it('the forwarding action is copied per route, never shared', () => {
    const routes = meshHttpRoutes(details({ type: 'PathPrefix', value: '/x' }, [prefixRewrite('/y')]), FORWARD);
    expect(FORWARD).toEqual({ clusterSpecifier: { $case: 'cluster', value: 'backend' } });
    expect(routes[0]!.action).not.toBe(routes[1]!.action);
  });
});
