/**
 * A hostile name in a request path against the real binary: `..`, `%2e%2e`
 * and friends once deleted or overwrote the Mesh above the route (and with it
 * the dataplane-token signing key). Paths are sent byte for byte with
 * node:http; the Mesh, its policies and its signing key must survive, and a
 * dataplane token issued before must still verify.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, kumactlHome, removeDir, runKuma, startCp, type ControlPlane } from './harness';

let cp: ControlPlane;

function raw(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: cp.apiPort, method, path, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', (e) => reject(new Error(`${method} ${path}: ${e.message}`)));
    req.end(body);
  });
}

async function snapshot() {
  const mesh = await api(cp, 'GET', '/meshes/victim');
  const key = await api(cp, 'GET', '/meshes/victim/secrets/dataplane-token-signing-key-victim-1');
  const policies = await api(cp, 'GET', '/meshes/victim/meshtimeouts');
  const dps = await api(cp, 'GET', '/meshes/victim/dataplanes');
  return { mesh: mesh.json, key: key.json, policies: policies.json.items, dps: dps.json.items };
}

describe('hostile names in request paths (real CP)', () => {
  beforeAll(async () => {
    cp = await startCp();
    expect((await api(cp, 'PUT', '/meshes/victim', { type: 'Mesh', name: 'victim' })).status).toBe(201);
    const dp = { type: 'Dataplane', mesh: 'victim', name: 'web-01', networking: { address: '127.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] } };
    expect((await api(cp, 'PUT', '/meshes/victim/dataplanes/web-01', dp)).status).toBe(201);
  });
  afterAll(async () => {
    await cp.stop();
    removeDir(cp.workDir);
  });

  it('leaves the Mesh, its policies, its signing key and its dataplanes as they were', async () => {
    const before = await snapshot();
    expect(before.key.data).toBeTruthy();
    const names = ['..', '%2e%2e', '%2E%2e', '.', '%2e', '..%2F..', '%2F', ''];
    const routes = (n: string) => [`/meshes/victim/traffic-routes/${n}`, `/meshes/victim/meshtimeouts/${n}`, `/meshes/victim/dataplanes/${n}`, `/meshes/victim/secrets/${n}`];
    for (const n of names) {
      for (const path of routes(n)) {
        for (const method of ['DELETE', 'PUT', 'GET']) {
          const body = method === 'PUT' ? JSON.stringify({ type: 'Mesh', name: 'victim', mtls: { enabledBackend: 'x', backends: [{ name: 'x', type: 'builtin' }] } }) : undefined;
          const r = await raw(method, path, body);
          expect({ method, path, status: r.status }).toEqual({ method, path, status: 400 });
          expect(r.text).toContain('invalid request path');
        }
      }
    }
    // The mesh itself under a dot name.
    for (const method of ['DELETE', 'PUT']) expect((await raw(method, '/meshes/..', JSON.stringify({ type: 'Mesh', name: 'x' }))).status).toBe(400);
    expect(await snapshot()).toEqual(before);
    expect(cp.logs()).not.toMatch(/answered 500/);
  });

  it('kuma delete/get with a dot name fails before sending and leaves the Mesh', async () => {
    const before = await snapshot();
    const home = await kumactlHome(cp);
    try {
      for (const args of [
        ['delete', 'traffic-route', '..', '--mesh', 'victim'],
        ['delete', 'meshtimeout', '%2e%2e', '--mesh', 'victim'],
        ['delete', 'dataplane', '.', '--mesh', 'victim'],
        ['get', 'traffic-route', '..', '--mesh', 'victim'],
        ['delete', 'traffic-route', 'x', '--mesh', '..'],
      ]) {
        const r = await runKuma(args, { home });
        expect({ args, code: r.code }).toEqual({ args, code: 1 });
        expect(r.stderr).toMatch(/is not a valid name|RFC 1123 subdomain/);
      }
    } finally {
      removeDir(home);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a dataplane token issued before still verifies after the attempts', async () => {
    const tok = await api(cp, 'POST', '/tokens/dataplane', { name: 'web-01', mesh: 'victim', validFor: '1h' });
    expect(tok.status).toBe(200);
    for (const n of ['..', '%2e%2e']) await raw('DELETE', `/meshes/victim/traffic-routes/${n}`);
    // The DP server's /dns endpoint verifies a dataplane token against the mesh's signing key.
    const { request: httpsRequest } = await import('node:https');
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port: cp.dpPort, method: 'GET', path: '/dns?mesh=victim&name=web-01', rejectUnauthorized: false, headers: { authorization: tok.text.trim() } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
  });
});
