/**
 * Fuzz target (a): the REST API of a real in-process API server (the real
 * router, handlers and write path over a memory store; nothing else writes).
 *
 * Per case: no 5xx; a 4xx leaves the store exactly as it was; an accepted
 * write touches only the resource its path names (a Mesh: the mesh and what
 * lives in it), under a name that is not a dot segment nor has a slash;
 * cases of a `mustReject` kind are answered 4xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TYPE_PATH, VALID_BODIES, VALID_NAME, anyName, contentType, extraHeaders, jsonValue, pathSegment, queryString, unknownKey, withUnknownField } from './arbitraries';
import { startApiOnly, type ApiOnly } from './control-planes';
import { RUNS, Target, changedKeys, dumpStore, expectUnchanged, targetTimeout } from './harness';
import { rawRequest } from './http-client';

interface RestCase {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** What an accepted write may touch. */
  scope: { type: string; mesh: string; name: string } | { mesh: string } | 'nothing';
  mustReject: boolean;
}

const MESH_SEGMENT = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('default', 'victim') }, { weight: 1, arbitrary: pathSegment });
const TYPES = Object.keys(TYPE_PATH);

function decoded(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

function scopeOf(type: string, meshSeg: string, nameSeg: string): RestCase['scope'] {
  return type === 'Mesh' ? { mesh: decoded(nameSeg) } : { type, mesh: decoded(meshSeg), name: decoded(nameSeg) };
}

function itemPath(type: string, meshSeg: string, nameSeg: string): string {
  return type === 'Mesh' ? `/meshes/${nameSeg}` : `/meshes/${meshSeg}/${TYPE_PATH[type]}/${nameSeg}`;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Hostile names on every verb of every item route (the dot-segment and encoding family). */
const hostileNames: fc.Arbitrary<RestCase> = fc
  .record({ type: fc.constantFrom(...TYPES), method: fc.constantFrom('GET', 'PUT', 'DELETE'), mesh: MESH_SEGMENT, name: pathSegment, q: queryString })
  .map(({ type, method, mesh, name, q }) => ({
    kind: 'hostile names in paths',
    method,
    path: itemPath(type, mesh, name) + q,
    headers: JSON_HEADERS,
    body: method === 'PUT' ? JSON.stringify(VALID_BODIES[type]!(decoded(mesh), decoded(name))) : undefined,
    scope: scopeOf(type, mesh, name),
    mustReject: false,
  }));

/** Valid bodies with one unknown key: must be a 400 (Kuma decodes specs strictly). */
const unknownFields: fc.Arbitrary<RestCase> = fc
  .record({ type: fc.constantFrom(...TYPES), name: VALID_NAME, where: fc.nat(), key: unknownKey, value: jsonValue })
  .map(({ type, name, where, key, value }) => ({
    kind: 'unknown fields in bodies',
    method: 'PUT',
    path: itemPath(type, 'default', name),
    headers: JSON_HEADERS,
    body: JSON.stringify(withUnknownField(VALID_BODIES[type]!('default', name), where, key, value)),
    scope: scopeOf(type, 'default', name),
    mustReject: true,
  }));

/** Bodies that contradict their path: another type, name or mesh. */
const mismatches: fc.Arbitrary<RestCase> = fc
  .record({ type: fc.constantFrom(...TYPES), other: fc.constantFrom(...TYPES), name: VALID_NAME, field: fc.constantFrom('type', 'name', 'mesh'), value: anyName })
  .filter(({ type, other, field }) => (field !== 'type' || type !== other) && !(field === 'mesh' && type === 'Mesh'))
  .map(({ type, other, name, field, value }) => {
    const body: Record<string, unknown> = VALID_BODIES[type]!('default', name);
    if (field === 'type') body.type = other;
    else if (value !== body[field]) body[field] = value;
    else body[field] = `${value}-x`;
    return { kind: 'bodies contradicting the path', method: 'PUT', path: itemPath(type, 'default', name), headers: JSON_HEADERS, body: JSON.stringify(body), scope: scopeOf(type, 'default', name), mustReject: true };
  });

/** Anything at all: random verbs, paths, bodies, content types, headers, query strings. */
const chaos: fc.Arbitrary<RestCase> = fc
  .record({
    method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
    segments: fc.array(fc.oneof(fc.constantFrom('meshes', 'default', 'victim', 'dataplanes', 'traffic-routes', 'secrets', 'zones', 'tokens', 'dataplane', 'zone', '_overview', '_resources', '_inspect', '_config', 'xds', 'policies', 'global-insight', 'zoneingresses'), pathSegment), { minLength: 0, maxLength: 5 }),
    q: queryString,
    ct: contentType,
    headers: extraHeaders,
    body: fc.option(fc.oneof(jsonValue.map((v) => JSON.stringify(v)), fc.string({ maxLength: 200 }), fc.constantFrom('{', '{"type":', 'type: Mesh\nname: [', '---\n---', '\u0000', '{"type":"Mesh","name":"x","mtls":{"enabledBackend":"ca-1","backends":[{"name":"ca-1","type":"builtin"}]}}', 'null', '[]', '"x"', '1e999')), { nil: undefined }),
  })
  .map(({ method, segments, q, ct, headers, body }) => ({
    kind: 'random requests',
    method,
    path: `/${segments.join('/')}${q}`,
    headers: { ...headers, ...(ct ? { 'content-type': ct } : {}) },
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
    // Only a plain item route may write, and only its own resource.
    scope: chaosScope(method, segments),
    mustReject: false,
  }));

function chaosScope(method: string, segs: string[]): RestCase['scope'] {
  if (method !== 'PUT' && method !== 'DELETE') return 'nothing';
  if (segs.length === 2 && segs[0] === 'meshes') return { mesh: decoded(segs[1]!) };
  if (segs.length === 4 && segs[0] === 'meshes') {
    const type = Object.keys(TYPE_PATH).find((t) => TYPE_PATH[t] === segs[2]) ?? segs[2]!;
    return { type: typeOfPath(segs[2]!) ?? type, mesh: decoded(segs[1]!), name: decoded(segs[3]!) };
  }
  if (segs.length === 2) return { type: typeOfPath(segs[0]!) ?? segs[0]!, mesh: '', name: decoded(segs[1]!) };
  return 'nothing';
}

const GLOBAL_PATHS: Record<string, string> = { zones: 'Zone', zoneingresses: 'ZoneIngress', zoneegresses: 'ZoneEgress', globalsecrets: 'GlobalSecret', meshes: 'Mesh' };
const MESH_PATHS: Record<string, string> = { ...Object.fromEntries(Object.entries(TYPE_PATH).map(([t, p]) => [p, t])) };
function typeOfPath(p: string): string | undefined {
  return MESH_PATHS[p] ?? GLOBAL_PATHS[p];
}

/** Keys an accepted write may change. */
function allowed(scope: RestCase['scope'], key: string): boolean {
  if (scope === 'nothing') return false;
  const [type, mesh, ...rest] = key.split('/');
  const name = rest.join('/');
  if ('type' in scope) return type === scope.type && mesh === scope.mesh && name === scope.name;
  return (type === 'Mesh' && name === scope.mesh) || mesh === scope.mesh;
}

function badStoredName(scope: RestCase['scope']): string | undefined {
  if (scope === 'nothing') return undefined;
  const name = 'type' in scope ? scope.name : scope.mesh;
  if (name === '' || name === '.' || name === '..' || name.includes('/')) return name;
  return undefined;
}

describe('fuzz: REST API', () => {
  let api: ApiOnly;
  const seedState = async () => {
    for (const m of ['default', 'victim']) {
      if (!api.store.get({ type: 'Mesh', mesh: '', name: m })) await rawRequest(api.port, 'PUT', `/meshes/${m}`, JSON_HEADERS, JSON.stringify({ type: 'Mesh', name: m }));
      for (const type of ['TrafficRoute', 'Secret']) {
        if (!api.store.get({ type, mesh: m, name: 'keep' })) await rawRequest(api.port, 'PUT', itemPath(type, m, 'keep'), JSON_HEADERS, JSON.stringify(VALID_BODIES[type]!(m, 'keep')));
      }
    }
  };
  beforeAll(async () => {
    api = await startApiOnly();
    await seedState();
  });
  afterAll(() => api?.stop());

  const attack = async (target: Target, c: RestCase) => {
    const before = dumpStore(api.store);
    const r = await rawRequest(api.port, c.method, c.path, c.headers, c.body);
    const after = dumpStore(api.store);
    if (r.status >= 500) throw new Error(`answered ${r.status}: ${r.body.slice(0, 300)}`);
    if (r.status >= 400) {
      target.count('rejected4xx');
      expectUnchanged(before, after, `a rejected request (${r.status})`);
      return;
    }
    target.count('accepted');
    if (c.mustReject) throw new Error(`answered ${r.status} to input that must be rejected: ${r.body.slice(0, 200)}`);
    const changed = changedKeys(before, after);
    if (changed.length === 0) return;
    const outside = changed.filter((k) => !allowed(c.scope, k));
    if (outside.length) throw new Error(`answered ${r.status} and changed resources the path does not name: ${outside.slice(0, 5).join(', ')}`);
    const bad = badStoredName(c.scope);
    if (bad !== undefined) throw new Error(`answered ${r.status} and wrote a resource named ${JSON.stringify(bad)}`);
    await seedState();
  };

  // Found issue 8 item 1 before the router checked names (DELETE .../%2E%2E deleted the Mesh).
  it('hostile names on every verb and route family', { timeout: targetTimeout(60) }, async () => {
    const t = new Target('rest-api/names');
    await t.run(hostileNames, (c) => attack(t, c));
    expect(t.finish()).toBe('');
  });

  // Known bug (issue 8 item 2, fix in flight): unknown fields in specs are accepted (201) and stored.
  // Expected to fail until that fix is merged.
  it('unknown fields are rejected', { timeout: targetTimeout(60) }, async () => {
    const t = new Target('rest-api/unknown-fields');
    await t.run(unknownFields, (c) => attack(t, c));
    expect(t.finish()).toBe('');
  });

  it('bodies contradicting their path are rejected', { timeout: targetTimeout(60) }, async () => {
    const t = new Target('rest-api/mismatches');
    await t.run(mismatches, (c) => attack(t, c));
    expect(t.finish()).toBe('');
  });

  it('random requests: no 5xx, nothing written by a rejected one', { timeout: targetTimeout(60, RUNS * 2) }, async () => {
    const t = new Target('rest-api/random');
    await t.run(chaos, (c) => attack(t, c), RUNS * 2);
    expect(t.finish()).toBe('');
  });
});
