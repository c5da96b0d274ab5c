/** POST /tokens/* through a real HTTP server carrying only the token routes (the user is decided by a test header). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureZoneSigningKey, newSigningKeyData } from '../../../internal/auth/signing-key';
import { ensureUserSigningKey } from '../../../internal/auth/signing-key';
import { verifyDataplaneToken, verifyUserToken, verifyZoneToken } from '../../../internal/auth/tokens';
import { ADMIN_USER, ANONYMOUS_USER, type User } from '../../../internal/auth/user';
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
    await ensureUserSigningKey(store);
    const router = new Router();
    registerTokenEndpoints(router, { config: defaultConfig() as unknown as CpConfig, store } as unknown as ApiDeps);
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const m = router.match(req.method!, url.pathname);
      if (!m || !('handler' in m)) return res.writeHead(404).end();
      void m.handler({ req, res, params: m.params, query: url.searchParams, url, user: userOf(req.headers['x-user']) });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const BOB: User = { name: 'bob', groups: ['dev', 'mesh-system:authenticated'] };
  const userOf = (h: string | string[] | undefined): User => (h === 'anonymous' ? ANONYMOUS_USER : h === 'bob' ? BOB : ADMIN_USER);
  const post = async (path: string, body: unknown, user: 'admin' | 'anonymous' | 'bob' = 'admin') => {
    const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': user }, body: typeof body === 'string' ? body : JSON.stringify(body) });
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

  it('needs admin: anonymous gets 401 saying how to get a user token, other users 403', async () => {
    const dp = await post('/tokens/dataplane', { mesh: 'default', validFor: '1h' }, 'anonymous');
    expect(dp.status).toBe(401);
    expect(dp.json.detail).toMatch(/^generating a dataplane token needs an authenticated user: send a user token as "Authorization: Bearer <token>".*kuma generate user-token/);
    const zone = await post('/tokens/zone', { scope: ['cp'], validFor: '1h' }, 'bob');
    expect([zone.status, zone.json.title, zone.json.detail]).toEqual([403, 'Access Denied', 'user "bob/dev,mesh-system:authenticated" cannot generate a zone token']);
    const user = await post('/tokens/user', { name: 'eve', validFor: '1h' }, 'bob');
    expect([user.status, user.json.detail]).toEqual([403, 'user "bob/dev,mesh-system:authenticated" cannot generate a user token']);
    expect((await post('/tokens/user', { name: 'eve', validFor: '1h' }, 'anonymous')).status).toBe(401);
  });

  it('issues a user token whose user is authenticated with its groups', async () => {
    const r = await post('/tokens/user', { name: 'alice', groups: ['team-a', 'team-a'], validFor: '24h' });
    expect([r.status, r.type]).toEqual([200, 'text/plain']);
    const u = await verifyUserToken(store, r.text);
    expect({ name: u.name, groups: u.groups }).toEqual({ name: 'alice', groups: ['team-a', 'mesh-system:authenticated'] });
    expect(decodeJwt(r.text)).toMatchObject({ Name: 'alice', Groups: ['team-a'] });
  });

  it('refuses invalid user token requests with the fields named', async () => {
    const r = await post('/tokens/user', { groups: 'x', validFor: 'soon', admin: true });
    expect(r.status).toBe(400);
    expect(r.json.invalid_parameters).toEqual([
      { field: 'admin', reason: 'unknown field; a user token request has name, groups and validFor' },
      { field: 'name', reason: 'cannot be empty' },
      { field: 'groups', reason: 'must be a list of group names' },
      { field: 'validFor', reason: 'is invalid: time: invalid duration "soon"' },
    ]);
  });
});
