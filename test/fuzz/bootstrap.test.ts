/**
 * Fuzz target (c): `POST /bootstrap` on the DP server of a real in-process
 * zone CP (TLS, the port ADS shares). Bootstrap never writes: every case
 * leaves the store as it was. No 5xx; a 200 carries a base64 Envoy bootstrap.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VALID_BODIES, anyName, contentType, extraHeaders, jsonValue } from './arbitraries';
import { startFuzzCp } from './control-planes';
import { DERIVED_TYPES, Target, dumpStore, expectUnchanged, targetTimeout } from './harness';
import { rawHttpsRequest, rawRequest } from './http-client';

interface BootstrapCase {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const dataplaneJson = (mesh: string, name: string) => JSON.stringify(VALID_BODIES.Dataplane!(mesh, name));

/** Bootstrap request fields with values of any JSON type. */
const field = (valid: fc.Arbitrary<unknown>) => fc.option(fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: jsonValue }), { nil: undefined });

const requestBody = fc.record(
  {
    mesh: field(fc.oneof({ weight: 4, arbitrary: fc.constant('default') }, { weight: 1, arbitrary: anyName })),
    name: field(fc.oneof({ weight: 4, arbitrary: fc.constant('web-1') }, { weight: 1, arbitrary: anyName })),
    proxyType: field(fc.constantFrom('dataplane', 'ingress', 'egress', 'gateway', '', 'DATAPLANE', 'toString', 'constructor', '__proto__', 'hasOwnProperty')),
    dataplaneToken: field(fc.constantFrom('', 'x', 'a.b.c', 'Bearer x')),
    dataplaneResource: fc.option(
      fc.oneof(
        { weight: 2, arbitrary: fc.constant(dataplaneJson('default', 'web-1')) },
        fc.record({ mesh: fc.oneof(fc.constant('default'), anyName), name: anyName }).map(({ mesh, name }) => dataplaneJson(mesh, name)),
        jsonValue.map((v) => JSON.stringify(v)),
        fc.constantFrom('{', '{"type":"Mesh","name":"m"}', '{"type":"ZoneIngress","name":"zi"}', '{"type":"Dataplane","mesh":"default","name":"x","networking":{}}'),
        jsonValue,
      ),
      { nil: undefined, freq: 1 },
    ),
    caCert: field(fc.constantFrom('', 'not a pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')),
    version: field(fc.constant({ kumaDp: { version: '2.14.0' }, envoy: { version: '1.40.0', build: 'x', kumaDpCompatible: true } })),
    features: field(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
    workdir: field(fc.constantFrom('/tmp/kuma', '')),
    dynamicMetadata: field(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 })),
    dnsPort: field(fc.oneof(fc.integer({ min: -1, max: 70000 }), fc.constant(15053))),
  },
  { requiredKeys: ['mesh', 'name'] },
);

const cases: fc.Arbitrary<BootstrapCase> = fc.oneof(
  { weight: 3, arbitrary: requestBody.map((b) => ({ kind: 'bootstrap request fields', method: 'POST', path: '/bootstrap', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })) },
  fc
    .record({ body: fc.oneof(jsonValue.map((v) => JSON.stringify(v)), fc.string({ maxLength: 100 }), fc.constantFrom('', 'null', '[]', '"x"', '1', '{"mesh":', '\u0000')), ct: contentType, headers: extraHeaders })
    .map(({ body, ct, headers }) => ({ kind: 'bootstrap bodies of any shape', method: 'POST', path: '/bootstrap', headers: { ...headers, ...(ct ? { 'content-type': ct } : {}) }, body })),
  fc
    .record({ method: fc.constantFrom('GET', 'PUT', 'DELETE', 'POST', 'OPTIONS'), path: fc.constantFrom('/bootstrap', '/bootstrap/', '/bootstrap?x=1', '/dns', '/dns?mesh=', '/dns?mesh=default', '/dns?mesh=%zz', '/dns?mesh=default&name=..', '/', '/..', '/%2e%2e/bootstrap', '//bootstrap', '*') })
    .map(({ method, path }) => ({ kind: 'other paths and verbs', method, path, headers: {}, body: method === 'GET' ? undefined : '{}' })),
);

describe('fuzz: DP server POST /bootstrap', () => {
  let cp: Awaited<ReturnType<typeof startFuzzCp>>;
  beforeAll(async () => {
    cp = await startFuzzCp('zone');
    const r = await rawRequest(cp.apiPort, 'PUT', '/meshes/default/dataplanes/web-1', { 'content-type': 'application/json' }, dataplaneJson('default', 'web-1'));
    if (r.status >= 300) throw new Error(`could not create the dataplane: ${r.status} ${r.body}`);
  });
  afterAll(() => cp?.stop());

  it('refuses a body that is JSON but not an object with 400 (found by this fuzzer: null was a 500)', async () => {
    for (const body of ['null', '[]', '1', '"x"']) {
      const r = await rawHttpsRequest(cp.dpPort, 'POST', '/bootstrap', { 'content-type': 'application/json' }, body);
      expect([r.status, r.body]).toEqual([400, 'the bootstrap request must be a JSON object such as {"mesh":"default","name":"web-01"}']);
    }
  });

  it('answers every bootstrap request with a 200 or a 4xx and writes nothing', { timeout: targetTimeout(40) }, async () => {
    const t = new Target('dp-server/bootstrap');
    await t.run(cases, async (c) => {
      const before = dumpStore(cp.store, DERIVED_TYPES);
      const r = await rawHttpsRequest(cp.dpPort, c.method, c.path, c.headers, c.body);
      if (r.status >= 500) throw new Error(`answered ${r.status}: ${r.body.slice(0, 300)}`);
      expectUnchanged(before, dumpStore(cp.store, DERIVED_TYPES), `a bootstrap request (${r.status})`);
      if (r.status >= 400) return t.count('rejected4xx');
      t.count('accepted');
      if (c.path === '/bootstrap') {
        const b = JSON.parse(r.body) as { bootstrap: string };
        JSON.parse(Buffer.from(b.bootstrap, 'base64').toString('utf8'));
      }
    });
    expect(t.finish()).toBe('');
  });
});
