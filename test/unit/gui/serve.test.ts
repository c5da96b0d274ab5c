/**
 * The web UI's file server (internal/gui/serve.ts) in the real API server:
 * /gui and any /gui/<route> answer index.html (deep links reload), built
 * files answer themselves, gzipped when asked, before any authentication.
 */
import type { Server } from 'node:http';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequestListener, startApiServer } from '../../../internal/apiserver/server';
import type { ApiDeps } from '../../../internal/apiserver/deps';
import { defaultConfig, type CpConfig } from '../../../internal/config/cp-config';
import { ResourceManager } from '../../../internal/core/resource-manager';
import { guiHandler } from '../../../internal/gui/serve';
import { registerAll } from '../../../internal/resources/types';
import { MemoryStore } from '../../../internal/store/memory-store';

const FILES = new Map([
  ['index.html', Buffer.from('<!doctype html><title>Kuma</title><script src="/gui/assets/app-1.js"></script>')],
  ['assets/app-1.js', Buffer.from('console.log("app");'.repeat(50))],
]);

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((res, rej) => {
    const r = request({ host: '127.0.0.1', port, path, method, headers }, (m) => {
      const chunks: Buffer[] = [];
      m.on('data', (c) => chunks.push(c));
      m.on('end', () => res({ status: m.statusCode!, headers: m.headers, body: Buffer.concat(chunks) }));
    });
    r.on('error', rej);
    r.end();
  });
}

describe('web UI files at /gui', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    const store = new MemoryStore();
    const registry = registerAll();
    const config = defaultConfig() as unknown as CpConfig;
    // Authentication on, localhost not admin: the UI's files must still load (the data calls authenticate).
    (config.apiServer.authn as { localhostIsAdmin: boolean }).localhostIsAdmin = false;
    const manager = new ResourceManager({ store, registry, ctx: { mode: 'global', federated: false, zoneName: '' }, unsafeDelete: false, readOnly: false });
    const deps: ApiDeps = { config, registry, store, manager, instanceId: 't', clusterId: () => 'c' };
    const listener = apiRequestListener(deps);
    // The real listener, with the UI handler given our files: swap it in front, as server.ts does.
    const serve = guiHandler(() => FILES);
    ({ server, port } = await startApiServer(deps, { port: 0, iface: '127.0.0.1' }, (req, res) => {
      const u = req.url ?? '/';
      if (u === '/gui' || u.startsWith('/gui/')) return serve(req, res, u.split('?')[0]!);
      listener(req, res);
    }));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers index.html for /gui, /gui/ and any deep route, without credentials', async () => {
    for (const p of ['/gui', '/gui/', '/gui/meshes/default/dataplanes', '/gui/zones?x=1']) {
      const r = await get(port, p);
      expect(r.status, p).toBe(200);
      expect(r.headers['content-type'], p).toBe('text/html; charset=utf-8');
      expect(r.headers['cache-control'], p).toBe('no-cache');
      expect(r.body.toString(), p).toContain('<title>Kuma</title>');
    }
  });

  it('serves built files gzipped when asked, cacheable forever (hashed names)', async () => {
    const r = await get(port, '/gui/assets/app-1.js', { 'accept-encoding': 'gzip, br' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.headers['cache-control']).toContain('immutable');
    expect(gunzipSync(r.body).toString()).toBe(FILES.get('assets/app-1.js')!.toString());
    expect(r.body.length).toBeLessThan(FILES.get('assets/app-1.js')!.length);
    const plain = await get(port, '/gui/assets/app-1.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(FILES.get('assets/app-1.js')!.toString());
  });

  it('a missing asset is a 404, a write is a 405, HEAD has no body', async () => {
    expect((await get(port, '/gui/assets/old-0.js')).status).toBe(404);
    const post = await get(port, '/gui', {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await get(port, '/gui', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('the real server routes /gui to the UI before the API', async () => {
    // apiRequestListener itself (no swap): an unbuilt UI says so, it is not an API 404 or 401.
    const store = new MemoryStore();
    const registry = registerAll();
    const manager = new ResourceManager({ store, registry, ctx: { mode: 'global', federated: false, zoneName: '' }, unsafeDelete: false, readOnly: false });
    const deps: ApiDeps = { config: defaultConfig() as unknown as CpConfig, registry, store, manager, instanceId: 't', clusterId: () => 'c' };
    const s = await startApiServer(deps, { port: 0, iface: '127.0.0.1' });
    try {
      const r = await get(s.port, '/gui/zones');
      expect([200, 404]).toContain(r.status);
      if (r.status === 200) expect(r.body.toString()).toContain('<div id="app">');
      else expect(r.body.toString()).toContain('web UI is not in this build');
    } finally {
      await new Promise<void>((r) => s.server.close(() => r()));
    }
  });
});
