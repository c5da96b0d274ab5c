/**
 * Generators shared by the fuzz targets. Pure: each returns a fast-check
 * arbitrary of plain data; the targets turn the data into requests.
 *
 * Every generated case has a `kind` (which family of input it is), so a
 * target reports failures per kind, and some kinds are inputs that MUST be
 * rejected (`mustReject`), which makes the property stronger than "no 5xx".
 */
import fc from 'fast-check';

/** Names and path segments that have broken name handling elsewhere: dot segments, encodings, separators. */
export const HOSTILE_SEGMENTS = [
  '..', '.', '%2e%2e', '%2E%2E', '%2e', '.%2e', '%2e.', '%2F', 'a%2Fb', '%2f..', '..%2F..', '%252e%252e', '%00', '%', '%zz', '%C0%AE%C0%AE',
  '~', '*', '%20', '+', 'a;b', 'a..b', '...', '-', '_', 'A', 'ä', '%E2%80%AE', 'default', 'victim',
];

export const VALID_NAME = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);

/** A name as it goes into a URL path: valid, hostile, encoded junk, huge. */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: VALID_NAME },
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30, unit: 'grapheme' }).map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12, unit: 'binary-ascii' }).map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: fc.integer({ min: 254, max: 5000 }).map((n) => 'a'.repeat(n)) },
);

/** A name as it goes into a body or a stream: anything a JSON string can hold. */
export const anyName: fc.Arbitrary<string> = fc.oneof(
  VALID_NAME,
  fc.constantFrom('', '.', '..', '../..', 'a/b', '/', 'a\u0000b', ' ', '*', 'default', 'x'.repeat(300), 'é', '\u202e'),
  fc.string({ maxLength: 40, unit: 'binary' }),
);

export const queryString: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom('offset', 'size', 'name', 'filter', 'tag', 'format', 'key', 'include_eds', 'usedonly', 'mesh'), fc.string({ maxLength: 8 })),
      fc.oneof(fc.constantFrom('', '-1', '0', '1', '100000000000000000000', 'NaN', '1e3', '%zz', 'a:b', 'true', 'x'.repeat(2000)), fc.string({ maxLength: 20 })),
    ),
    { maxLength: 4 },
  )
  // Raw only for the deliberately malformed escapes ('%zz'): anything else is encoded so the HTTP client can send it.
  .map((kv) => (kv.length ? `?${kv.map(([k, v]) => `${encodeURIComponent(k)}=${/^%[0-9a-zA-Z]*$/.test(v) ? v : encodeURIComponent(v)}`).join('&')}` : ''));

export const contentType: fc.Arbitrary<string | undefined> = fc.constantFrom(
  undefined, 'application/json', 'application/json; charset=utf-8', 'application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain',
  'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/octet-stream', '*/*', ';;', 'application/json;;;',
);

const TOKEN = fc.stringMatching(/^[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,20}$/);
const HEADER_VALUE = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);

/** Extra request headers (names and values the HTTP client can send). */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.oneof(fc.constantFrom('accept', 'accept-encoding', 'authorization', 'x-forwarded-for', 'host', 'origin', 'if-match', 'expect', 'x-kuma-mesh'), TOKEN.map((t) => t.toLowerCase())),
  HEADER_VALUE,
  { maxKeys: 3 },
).map((h) => {
  // These would make the HTTP client itself misbehave, not the server: tested by the raw body cases instead.
  delete h['content-length'];
  delete h['transfer-encoding'];
  delete h['content-type'];
  delete h['connection'];
  delete h['expect'];
  delete h['host'];
  return h;
});

/** Any JSON value, shallow enough to be cheap. */
export const jsonValue = fc.jsonValue({ maxDepth: 3 });

/** Valid REST bodies of a few types (mesh-scoped ones get `mesh` filled by the caller). */
export const VALID_BODIES: Record<string, (mesh: string, name: string) => Record<string, unknown>> = {
  Mesh: (_m, name) => ({ type: 'Mesh', name }),
  Dataplane: (mesh, name) => ({ type: 'Dataplane', mesh, name, networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] } }),
  TrafficPermission: (mesh, name) => ({ type: 'TrafficPermission', mesh, name, sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: { 'kuma.io/service': '*' } }] }),
  TrafficRoute: (mesh, name) => ({ type: 'TrafficRoute', mesh, name, sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: { 'kuma.io/service': '*' } }], conf: { destination: { 'kuma.io/service': '*' } } }),
  MeshTimeout: (mesh, name) => ({ type: 'MeshTimeout', mesh, name, spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'Mesh' }, default: { idleTimeout: '10s' } }] } }),
  Secret: (mesh, name) => ({ type: 'Secret', mesh, name, data: 'aGVsbG8=' }),
  ExternalService: (mesh, name) => ({ type: 'ExternalService', mesh, name, networking: { address: 'example.com:443' }, tags: { 'kuma.io/service': 'ext' } }),
};

/** Where a type's items live in the REST API. */
export const TYPE_PATH: Record<string, string> = {
  Mesh: 'meshes', Dataplane: 'dataplanes', TrafficPermission: 'traffic-permissions', TrafficRoute: 'traffic-routes', MeshTimeout: 'meshtimeouts', Secret: 'secrets', ExternalService: 'external-services',
};

/** Puts an unknown key somewhere in a body: top level, inside spec, or inside a nested object. */
export function withUnknownField(body: Record<string, unknown>, where: number, key: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const objects: Record<string, unknown>[] = [];
  const walk = (v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      objects.push(v as Record<string, unknown>);
      for (const x of Object.values(v)) walk(x);
    } else if (Array.isArray(v)) v.forEach(walk);
  };
  walk(copy);
  // Never into a free-form map (tags, match): those accept any key by design.
  const candidates = objects.filter((o) => !('kuma.io/service' in o));
  candidates[where % candidates.length]![key] = value;
  return copy;
}

export const unknownKey = fc.oneof(fc.constantFrom('junk', 'extra', 'Spec', 'NAME', '__proto_', 'constructor2'), fc.stringMatching(/^[a-z][a-zA-Z]{2,12}$/).map((s) => `zz${s}`));
