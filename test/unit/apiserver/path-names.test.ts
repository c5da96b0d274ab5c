/**
 * Names in request paths are checked before any handler runs. Requests go
 * over real HTTP with the path sent byte for byte (node:http does not
 * normalize it, unlike fetch), to the whole router of a standalone CP on a
 * memory store; every case must leave the store exactly as it was.
 */
import { request, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../../internal/apiserver/deps';
import { buildRouter, dispatch } from '../../../internal/apiserver/server';
import { Router } from '../../../internal/apiserver/router';
import { defaultConfig, type CpConfig } from '../../../internal/config/cp-config';
import { ResourceManager } from '../../../internal/core/resource-manager';
import { ensureDefaults } from '../../../internal/defaults/ensure-defaults';
import { registry } from '../../../internal/resources/types';
import { MemoryStore } from '../../../internal/store/memory-store';

const BAD_NAMES: [label: string, raw: string][] = [
  ['..', '..'],
  ['%2e%2e', '%2e%2e'],
  ['%2E%2E', '%2E%2E'],
  ['.%2e', '.%2e'],
  ['.', '.'],
  ['%2e', '%2e'],
  ['%2F', 'a%2Fb'],
  ['%2F alone', '%2F'],
  ['empty', ''],
  ['bad percent', '%zz'],
  ['upper case', 'Victim'],
];

const store = new MemoryStore();
let server: Server;
let port: number;

function send(method: string, path: string, body?: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: text.startsWith('{') ? JSON.parse(text) : text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function dump(): string {
  const out: unknown[] = [];
  for (const d of registry.all()) out.push(...store.list(d.name).items);
  out.push(...store.list('Config').items);
  return JSON.stringify(out);
}

beforeAll(async () => {
  const cfg = { ...(defaultConfig() as unknown as CpConfig), mode: 'zone' } as CpConfig;
  const manager = new ResourceManager({ store, registry, ctx: { mode: 'zone', federated: false, zoneName: 'default' }, unsafeDelete: true, readOnly: false });
  await ensureDefaults(cfg, store, manager);
  await manager.upsert({ descriptor: registry.mustByName('Mesh'), type: 'Mesh', mesh: '', name: 'victim', labels: {}, spec: {} });
  const deps: ApiDeps = { config: cfg, registry, store, manager, instanceId: 'test-1234', clusterId: () => 'c' };
  const router = buildRouter(deps);
  server = createServer((req, res) => dispatch(router, req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A route family: how to place a bad name into it, for which verbs. */
const FAMILIES: { family: string; verbs: string[]; path: (bad: string) => string }[] = [
  { family: 'mesh-scoped resource name', verbs: ['GET', 'PUT', 'DELETE'], path: (b) => `/meshes/victim/traffic-routes/${b}` },
  { family: 'mesh-scoped resource mesh', verbs: ['GET', 'PUT', 'DELETE'], path: (b) => `/meshes/${b}/traffic-routes/route-all-victim` },
  { family: 'mesh-scoped list mesh', verbs: ['GET'], path: (b) => `/meshes/${b}/dataplanes` },
  { family: 'new policy name', verbs: ['GET', 'PUT', 'DELETE'], path: (b) => `/meshes/victim/meshtimeouts/${b}` },
  { family: 'global-scoped name (Mesh)', verbs: ['GET', 'PUT', 'DELETE'], path: (b) => `/meshes/${b}` },
  { family: 'global-scoped name (Zone)', verbs: ['GET', 'PUT', 'DELETE'], path: (b) => `/zones/${b}` },
  { family: 'global secret', verbs: ['GET', 'PUT', 'DELETE'], path: (b) => `/global-secrets/${b}` },
  { family: 'alt path', verbs: ['GET', 'PUT', 'DELETE'], path: (b) => `/zone-ingresses/${b}` },
  { family: 'overview', verbs: ['GET'], path: (b) => `/meshes/victim/dataplanes/${b}/_overview` },
  { family: 'legacy overview alias', verbs: ['GET'], path: (b) => `/meshes/victim/dataplanes+insights/${b}` },
  { family: 'zone overview', verbs: ['GET'], path: (b) => `/zones/${b}/_overview` },
  { family: 'inspect', verbs: ['GET'], path: (b) => `/meshes/victim/dataplanes/${b}/policies` },
  { family: 'inspect mesh', verbs: ['GET'], path: (b) => `/meshes/${b}/dataplanes/dp-1/_config` },
  { family: 'service insight', verbs: ['GET'], path: (b) => `/meshes/victim/service-insights/${b}` },
];

describe('names in request paths', () => {
  for (const f of FAMILIES) {
    describe(f.family, () => {
      for (const verb of f.verbs) {
        it(`${verb} refuses every bad name with 400 and changes nothing`, async () => {
          for (const [label, raw] of BAD_NAMES) {
            if (f.family === 'service insight' && label === 'upper case') continue; // service names may be upper case
            const before = dump();
            const body = verb === 'PUT' ? JSON.stringify({ type: 'Mesh', name: 'victim' }) : undefined;
            const r = await send(verb, f.path(raw), body);
            expect({ label, status: r.status }).toEqual({ label, status: 400 });
            expect(r.json.title).toBe('Bad Request');
            expect(r.json.detail).toMatch(/^invalid request path /);
            expect(dump()).toBe(before);
          }
        });
      }
    });
  }

  it('names the rule that was broken', async () => {
    const r = await send('DELETE', '/meshes/victim/traffic-routes/%2e%2e');
    expect(r.json.invalid_parameters).toEqual([
      {
        field: 'name',
        reason: "invalid characters. A lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      },
    ]);
    expect((await send('GET', '/meshes/../traffic-routes/x')).json.invalid_parameters).toEqual([{ field: 'mesh', reason: 'cannot be "." or ".."' }]);
    expect((await send('GET', '/meshes//traffic-routes/x')).json.invalid_parameters).toEqual([{ field: 'mesh', reason: 'cannot be empty' }]);
  });

  it('the Mesh and its policies survive every attempt', async () => {
    expect((await send('GET', '/meshes/victim')).status).toBe(200);
    expect((await send('GET', '/meshes/victim/meshtimeouts/mesh-timeout-all-victim')).status).toBe(200);
    expect((await send('GET', '/meshes/victim/meshtimeouts')).json.total).toBeGreaterThan(0);
  });

  it('good names still work with each verb', async () => {
    const put = await send('PUT', '/meshes/victim/traffic-permissions/allow-1', JSON.stringify({ type: 'TrafficPermission', mesh: 'victim', name: 'allow-1', sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: { 'kuma.io/service': '*' } }] }));
    expect(put.status).toBe(201);
    expect((await send('GET', '/meshes/victim/traffic-permissions/allow-1')).status).toBe(200);
    expect((await send('DELETE', '/meshes/victim/traffic-permissions/allow-1')).status).toBe(200);
    expect((await send('GET', '/meshes/victim/traffic-permissions/allow-1')).status).toBe(404);
    // Percent-encoding of ordinary characters is decoded before the rule applies.
    expect((await send('GET', '/meshes/vict%69m')).status).toBe(200);
  });
});

describe('Router', () => {
  it('refuses a route whose parameter has no rule', () => {
    expect(() => new Router().add('GET', '/things/:thing', () => {})).toThrow(/parameter :thing has no rule/);
  });
});
