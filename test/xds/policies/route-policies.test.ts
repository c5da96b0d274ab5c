/**
 * MeshHTTPRoute / MeshTCPRoute resolution per outbound (internal/xds/policies/route-policies.ts):
 * which items apply, how rules of several policies merge (equal matches are one rule, the more
 * specific policy wins field by field), Kuma's match precedence (CompareMatch) and the catch-all.
 */
import { describe, expect, it } from 'vitest';
import { proxyPolicies } from '../../../internal/xds/policies/proxy-policies';
import { compareMatch, resolveHttpRoutes, resolveTcpRoute, type HttpMatch } from '../../../internal/xds/policies/route-policies';
import { backends, dataplane, docs } from '../generators/fixtures';
import { fixture } from '../generators/golden';

const WEB = dataplane({ protocol: 'http', extraTags: { version: 'v1' }, outbounds: [{ service: 'backend', port: 10001 }, { service: 'other', port: 10002 }] });

function route(name: string, top: string, to: string, rules: string, type = 'MeshHTTPRoute'): string {
  return `
type: ${type}
mesh: default
name: ${name}
spec:
  targetRef: ${top}
  to:
  - targetRef: ${to}
    rules:
${rules
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;
}

const MESH = '{ kind: Mesh }';
const TO_BACKEND = '{ kind: MeshService, name: backend }';

function routesTo(service: string, ...policies: string[]) {
  const { proxy, ctx } = fixture({ name: 'x', resources: docs(WEB, backends('http'), backends('http', 'other'), ...policies) });
  return resolveHttpRoutes(proxyPolicies(proxy.dataplane, ctx).toItems('MeshHTTPRoute'), service);
}

function m(o: Partial<HttpMatch>): HttpMatch {
  return { headers: [], queryParams: [], ...o };
}

describe('resolveHttpRoutes', () => {
  it('is undefined when no item targets the service, and for proxies the top targetRef does not select', () => {
    const r = route('r', MESH, TO_BACKEND, '- matches: [{ path: { type: Exact, value: /a } }]\n  default: {}');
    expect(routesTo('other', r)).toBeUndefined();
    expect(routesTo('backend', route('r', '{ kind: MeshService, name: nobody }', TO_BACKEND, '- matches: [{ path: { type: Exact, value: /a } }]\n  default: {}'))).toBeUndefined();
    expect(routesTo('backend', route('r', '{ kind: MeshSubset, tags: { version: v1 } }', TO_BACKEND, '- matches: [{ path: { type: Exact, value: /a } }]\n  default: {}'))).toHaveLength(2);
  });

  it('one route per match, a rule without backendRefs goes to the service, catch-all appended last', () => {
    const r = route(
      'r',
      MESH,
      TO_BACKEND,
      `- matches: [{ path: { type: PathPrefix, value: /api } }, { method: GET }]
  default:
    backendRefs: [{ kind: MeshServiceSubset, name: backend, tags: { version: v2 }, weight: 3 }]
- matches: [{ path: { type: Exact, value: /health } }]
  default: {}`,
    );
    const routes = routesTo('backend', r)!;
    expect(routes.map((x) => x.match)).toEqual([
      m({ path: { type: 'Exact', value: '/health' } }),
      m({ path: { type: 'PathPrefix', value: '/api' } }),
      // no path: PathPrefix / (Kuma To.GetDefault), still before the catch-all thanks to the method
      m({ path: { type: 'PathPrefix', value: '/' }, method: 'GET' }),
      m({ path: { type: 'PathPrefix', value: '/' } }),
    ]);
    expect(routes[0]!.backendRefs).toEqual([{ kind: 'MeshService', name: 'backend', tags: {}, weight: 1 }]);
    expect(routes[1]!.backendRefs).toEqual([{ kind: 'MeshServiceSubset', name: 'backend', tags: { version: 'v2' }, weight: 3 }]);
    expect(routes[3]!.backendRefs).toEqual([{ kind: 'MeshService', name: 'backend', tags: {}, weight: 1 }]);
  });

  it('a header-only match counts as PathPrefix /: it merges with the same match spelled with the path and beats a bare `/`', () => {
    const r = route(
      'r',
      MESH,
      TO_BACKEND,
      `- matches: [{ path: { type: PathPrefix, value: / } }]
  default:
    backendRefs: [{ kind: MeshService, name: other }]
- matches: [{ headers: [{ name: x-canary, value: "true" }] }]
  default:
    backendRefs: [{ kind: MeshService, name: other, weight: 2 }]
- matches: [{ path: { type: PathPrefix, value: / }, headers: [{ name: x-canary, value: "true" }] }]
  default:
    backendRefs: [{ kind: MeshService, name: backend, weight: 7 }]`,
    );
    const routes = routesTo('backend', r)!;
    expect(routes).toHaveLength(2);
    expect(routes[0]!.match.headers).toHaveLength(1);
    expect(routes[0]!.backendRefs).toEqual([{ kind: 'MeshService', name: 'backend', tags: {}, weight: 7 }]);
    expect(routes[1]!.match).toEqual(m({ path: { type: 'PathPrefix', value: '/' } }));
  });

  it('no catch-all is added when a route already matches everything', () => {
    const r = route('r', MESH, TO_BACKEND, '- matches: [{ path: { type: PathPrefix, value: / } }]\n  default:\n    backendRefs: [{ kind: MeshService, name: other }]');
    const routes = routesTo('backend', r)!;
    expect(routes).toHaveLength(1);
    expect(routes[0]!.backendRefs[0]!.name).toBe('other');
  });

  it('rules with equal matches from several policies merge; the more specific policy wins, other rules are concatenated', () => {
    const general = route(
      'general',
      MESH,
      TO_BACKEND,
      `- matches: [{ path: { type: PathPrefix, value: /api } }]
  default:
    filters: [{ type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: x-from, value: general }] } }]
    backendRefs: [{ kind: MeshService, name: other }]
- matches: [{ path: { type: Exact, value: /only-general } }]
  default: {}`,
    );
    const specific = route(
      'specific',
      '{ kind: MeshSubset, tags: { version: v1 } }',
      TO_BACKEND,
      `- matches: [{ path: { type: PathPrefix, value: /api } }]
  default:
    backendRefs: [{ kind: MeshService, name: backend, weight: 5 }]`,
    );
    const routes = routesTo('backend', specific, general)!;
    expect(routes.map((r) => r.match.path?.value)).toEqual(['/only-general', '/api', '/']);
    const api = routes[1]!;
    expect(api.backendRefs).toEqual([{ kind: 'MeshService', name: 'backend', tags: {}, weight: 5 }]);
    // filters come from the general policy: the specific one does not set them
    expect(api.filters).toHaveLength(1);
  });
});

describe('compareMatch (Kuma CompareMatch, Gateway API precedence)', () => {
  const sorted = (...ms: HttpMatch[]) => [...ms].sort(compareMatch);
  it('exact path, then longer prefix, then longer regex, then no path', () => {
    const exact = m({ path: { type: 'Exact', value: '/a' } });
    const shortPrefix = m({ path: { type: 'PathPrefix', value: '/a' } });
    const longPrefix = m({ path: { type: 'PathPrefix', value: '/a/b/c' } });
    const longRegex = m({ path: { type: 'RegularExpression', value: '/a/.*/long' } });
    const shortRegex = m({ path: { type: 'RegularExpression', value: '/.*' } });
    const none = m({ method: 'GET' });
    expect(sorted(none, shortRegex, shortPrefix, longRegex, exact, longPrefix)).toEqual([exact, longPrefix, shortPrefix, longRegex, shortRegex, none]);
  });

  it('on equal paths: a method first, then more header matches, then more query parameter matches', () => {
    const path = { type: 'PathPrefix' as const, value: '/x' };
    const plain = m({ path });
    const method = m({ path, method: 'POST' });
    const twoHeaders = m({ path, headers: [{ name: 'a' }, { name: 'b' }] });
    const oneHeader = m({ path, headers: [{ name: 'a' }] });
    const query = m({ path, queryParams: [{ name: 'q', type: 'Exact', value: '1' }] });
    expect(sorted(plain, query, oneHeader, twoHeaders, method)).toEqual([method, twoHeaders, oneHeader, query, plain]);
  });
});

describe('resolveTcpRoute', () => {
  it('the first rule of the merged items; the more specific policy replaces backendRefs', () => {
    const { proxy, ctx } = fixture({
      name: 'x',
      resources: docs(
        WEB,
        backends('http'),
        route('tcp-general', MESH, TO_BACKEND, '- default:\n    backendRefs: [{ kind: MeshService, name: other }]', 'MeshTCPRoute'),
        route('tcp-specific', '{ kind: MeshSubset, tags: { version: v1 } }', TO_BACKEND, '- default:\n    backendRefs: [{ kind: MeshServiceSubset, name: backend, tags: { version: v2 }, weight: 2 }]', 'MeshTCPRoute'),
      ),
    });
    const items = proxyPolicies(proxy.dataplane, ctx).toItems('MeshTCPRoute');
    expect(resolveTcpRoute(items, 'backend')).toEqual([{ kind: 'MeshServiceSubset', name: 'backend', tags: { version: 'v2' }, weight: 2 }]);
    expect(resolveTcpRoute(items, 'other')).toBeUndefined();
  });
});
