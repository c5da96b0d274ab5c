/** POST /tokens/* through a real HTTP server carrying only the token routes (admin decided by a test header). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureZoneSigningKey, newSigningKeyData } from '../../../internal/auth/signing-key';
import { verifyDataplaneToken, verifyZoneToken } from '../../../internal/auth/tokens';
import type { ApiDeps } from '../../../internal/apiserver/deps';
import { registerTokenEndpoints } from '../../../internal/apiserver/token-endpoints';
import { Router } from '../../../internal/apiserver/router';
import { defaultConfig, type CpConfig } from '../../../internal/config/cp-config';
import { MemoryStore } from '../../../internal/store/memory-store';

describe('token endpoints', () => {
  let server: Server;
  let base: string;
  const store = new MemoryStore();

  beforeAll(async () => {
    await store.create({ type: 'Secret', mesh: 'default', name: 'dataplane-token-signing-key-default-1', labels: {}, spec: { data: await newSigningKeyData() } });
    await ensureZoneSigningKey(store);
    const router = new Router();
    registerTokenEndpoints(router, { config: defaultConfig() as unknown as CpConfig, store } as unknown as ApiDeps);
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const m = router.match(req.method!, url.pathname);
      if (!m || !('handler' in m)) return res.writeHead(404).end();
      void m.handler({ req, res, params: m.params, query: url.searchParams, url, admin: req.headers['x-admin'] === 'yes' });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = async (path: string, body: unknown, admin = true) => {
    const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(admin ? { 'x-admin': 'yes' } : {}) }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type'), text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
  };

  it('issues a dataplane token as text/plain', async () => {
    const r = await post('/tokens/dataplane', { name: 'web-01', mesh: 'default', tags: { 'kuma.io/service': ['web'] }, type: 'dataplane', validFor: '24h' });
    expect([r.status, r.type]).toEqual([200, 'text/plain']);
    const claims = await verifyDataplaneToken(store, r.text, 'default');
    expect(claims).toMatchObject({ Name: 'web-01', Mesh: 'default', Tags: { 'kuma.io/service': ['web'] }, Type: 'dataplane' });
    expect(claims.exp - claims.iat).toBe(86_400 + 10);
  });

  it('gives an empty validFor ten years', async () => {
    const c = decodeJwt((await post('/tokens/dataplane', { mesh: 'default' })).text);
    expect(c.exp! - c.iat!).toBe(3650 * 86_400 + 10);
  });

  it('refuses invalid dataplane requests with the fields named', async () => {
    const r = await post('/tokens/dataplane', { type: 'sidecar', validFor: 'soon', tags: { a: 'b' } });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ title: 'Invalid request', detail: 'Resource is not valid' });
    expect(r.json.invalid_parameters).toEqual([
      { field: 'mesh', reason: 'cannot be empty' },
      { field: 'type', reason: 'sidecar is not a valid proxy type' },
      { field: 'tags', reason: 'must be a map of tag name to a list of values, e.g. {"kuma.io/service": ["web"]}' },
      { field: 'validFor', reason: 'is invalid: time: invalid duration "soon"' },
    ]);
    expect((await post('/tokens/dataplane', '{nope')).status).toBe(400);
  });

  it('answers 404 "Signing Key not found" for a mesh without a key', async () => {
    const r = await post('/tokens/dataplane', { mesh: 'nokey', validFor: '1h' });
    expect(r.status).toBe(404);
    expect(r.json.title).toBe('Signing Key not found');
    expect(r.json.detail).toMatch(/^there is no signing key with KID 1\. Secret of name "dataplane-token-signing-key-nokey-1" in mesh "nokey"/);
  });

  it('issues zone tokens, scope required and checked', async () => {
    const ok = await post('/tokens/zone', { zone: 'zone-1', scope: ['cp', 'ingress'], validFor: '720h' });
    expect(ok.status).toBe(200);
    expect(await verifyZoneToken(store, ok.text)).toMatchObject({ Zone: 'zone-1', Scope: ['cp', 'ingress'] });
    const bad = await post('/tokens/zone', { zone: 'zone-1', scope: ['ingress', 'bogus'], validFor: '1h' });
    expect(bad.status).toBe(400);
    expect(bad.json.invalid_parameters).toEqual([{ field: 'scope[1]', reason: '"bogus" is not a valid scope; use one of: cp, ingress, egress' }]);
    expect((await post('/tokens/zone', { zone: 'zone-1', validFor: '1h' })).json.invalid_parameters).toEqual([{ field: 'scope', reason: 'cannot be empty' }]);
  });

  it('needs admin', async () => {
    const dp = await post('/tokens/dataplane', { mesh: 'default', validFor: '1h' }, false);
    expect(dp.status).toBe(403);
    expect(dp.json).toMatchObject({ title: 'Access Denied', detail: 'user "mesh-system:anonymous/mesh-system:unauthenticated" cannot access generate dataplane token' });
    const zone = await post('/tokens/zone', { scope: ['cp'], validFor: '1h' }, false);
    expect([zone.status, zone.json.detail]).toEqual([403, 'user "mesh-system:anonymous/mesh-system:unauthenticated" cannot access generate zone token']);
  });
});
