/**
 * The policy inspection routes and KRIs through the whole router of a standalone CP on a memory
 * store (default policies created with the Mesh): `kri` on resources, `/_kri/{kri}`,
 * `_resources/dataplanes` (paged Meta), `/dataplanes` (attachments), `/policies` (Kuma 2.14's
 * matchedPolicies by type) and `_rules` / `rules`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../../internal/apiserver/deps';
import { apiRequestListener } from '../../../internal/apiserver/server';
import { defaultConfig, type CpConfig } from '../../../internal/config/cp-config';
import { ResourceManager } from '../../../internal/core/resource-manager';
import { fromRest } from '../../../internal/resources/codec';
import { formatKri, parseKri } from '../../../internal/resources/kri';
import { registry } from '../../../internal/resources/types';
import { MemoryStore } from '../../../internal/store/memory-store';

const store = new MemoryStore();
let server: Server;
let base: string;

async function get(path: string): Promise<{ status: number; json: any }> {
  const r = await fetch(base + path);
  const text = await r.text();
  return { status: r.status, json: text.startsWith('{') ? JSON.parse(text) : text };
}

const dataplane = (name: string, service: string, port: number, outbounds: string[] = []) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: {
    address: '127.0.0.1',
    inbound: [{ port, servicePort: port + 1000, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }],
    outbound: outbounds.map((s, i) => ({ port: 20000 + port + i, tags: { 'kuma.io/service': s } })),
  },
});

beforeAll(async () => {
  const cfg = { ...(defaultConfig() as unknown as CpConfig), mode: 'zone' } as CpConfig;
  const manager = new ResourceManager({ store, registry, ctx: { mode: 'zone', federated: false, zoneName: 'zone-1' }, unsafeDelete: true, readOnly: false });
  const put = (doc: Record<string, unknown>) => manager.upsert(fromRest(registry, doc));
  await put({ type: 'Mesh', name: 'default' });
  await put(dataplane('web-01', 'web', 8080, ['backend']));
  for (let i = 1; i <= 3; i++) await put(dataplane(`backend-0${i}`, 'backend', 9090 + i));
  await put({
    type: 'MeshRetry',
    mesh: 'default',
    name: 'retry-backend',
    spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'MeshService', name: 'backend' }, default: { http: { numRetries: 9 } } }] },
  });
  await put({
    type: 'MeshTrafficPermission',
    mesh: 'default',
    name: 'mtp-backend',
    spec: { targetRef: { kind: 'MeshService', name: 'backend' }, from: [{ targetRef: { kind: 'MeshService', name: 'web' }, default: { action: 'Allow' } }] },
  });
  await put(dataplane('api-client-01', 'api-client', 7070, ['api']));
  await put({
    type: 'MeshHTTPRoute',
    mesh: 'default',
    name: 'backend-api',
    spec: { targetRef: { kind: 'MeshService', name: 'api-client' }, to: [{ targetRef: { kind: 'MeshService', name: 'api' }, rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], default: {} }] }] },
  });
  await put({
    type: 'MeshTimeout',
    mesh: 'default',
    name: 'api-timeout',
    spec: { targetRef: { kind: 'MeshHTTPRoute', name: 'backend-api' }, to: [{ targetRef: { kind: 'Mesh' }, default: { http: { requestTimeout: '2s' } } }] },
  });
  await put({ type: 'TrafficPermission', mesh: 'default', name: 'tp-web', sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: { 'kuma.io/service': 'web' } }] });
  const deps: ApiDeps = { config: cfg, registry, store, manager, instanceId: 'test-1234', clusterId: () => 'c' };
  server = createServer(apiRequestListener(deps));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('KRI', () => {
  it('formats and parses Kuma identifiers', () => {
    const k = { shortName: 'dp', mesh: 'default', zone: 'zone-1', namespace: '', name: 'web-01', sectionName: '' };
    expect(formatKri(k)).toBe('kri_dp_default_zone-1__web-01_');
    expect(parseKri('kri_dp_default_zone-1__web-01_')).toEqual(k);
    expect(parseKri('kri_dp_default')).toEqual({ error: expect.stringContaining('7 parts') });
    expect(parseKri('x_dp_default___a_')).toEqual({ error: expect.stringContaining('starts with "kri_"') });
  });

  it('every resource of a type with a shortName carries its kri, after labels', async () => {
    const mesh = await get('/meshes/default');
    expect(mesh.json.kri).toBe('kri_m____default_');
    const dp = await get('/meshes/default/dataplanes/web-01');
    expect(dp.json.kri).toBe('kri_dp_default_zone-1__web-01_');
    expect(Object.keys(dp.json).slice(0, 7)).toEqual(['type', 'mesh', 'name', 'creationTime', 'modificationTime', 'labels', 'kri']);
    const list = await get('/meshes/default/meshretries');
    expect(list.json.items.map((i: { kri: string }) => i.kri).sort()).toEqual(['kri_mr_default_zone-1__mesh-retry-all-default_', 'kri_mr_default_zone-1__retry-backend_']);
    // legacy policy types have no shortName, hence no kri
    expect((await get('/meshes/default/traffic-permissions/tp-web')).json).not.toHaveProperty('kri');
  });

  it('GET /_kri/{kri} answers the resource as GET does; 404 when absent, 400 naming what is wrong', async () => {
    const byKri = await get('/_kri/kri_mtp_default_zone-1__mtp-backend_');
    expect(byKri.status).toBe(200);
    expect(byKri.json).toEqual((await get('/meshes/default/meshtrafficpermissions/mtp-backend')).json);
    expect((await get('/_kri/kri_m____default_')).json.name).toBe('default');
    expect((await get('/_kri/kri_dp_default_zone-1__web-01_http')).json.name).toBe('web-01');
    expect((await get('/_kri/kri_mtp_default_zone-1__nope_')).status).toBe(404);
    expect((await get('/_kri/kri_mtp_default_zone-2__mtp-backend_')).status).toBe(404);
    const bad = await get('/_kri/kri_zz_default___x_');
    expect([bad.status, bad.json.detail]).toEqual([400, expect.stringContaining('unknown resource type "zz"')]);
    expect((await get('/_kri/kri_mtp')).status).toBe(400);
    expect((await get('/_kri/kri_mtp____x_')).json.detail).toContain('needs a mesh');
  });
});

describe('policy -> dataplanes', () => {
  it('_resources/dataplanes lists the dataplanes the top-level targetRef selects, as paged Meta', async () => {
    const r = await get('/meshes/default/meshtrafficpermissions/mtp-backend/_resources/dataplanes');
    expect(r.status).toBe(200);
    expect(r.json.total).toBe(3);
    expect(r.json.next).toBeNull();
    expect(r.json.items[0]).toEqual({ type: 'Dataplane', mesh: 'default', name: 'backend-01', labels: expect.objectContaining({ 'kuma.io/mesh': 'default' }), kri: 'kri_dp_default_zone-1__backend-01_' });
    const page = await get('/meshes/default/meshtrafficpermissions/mtp-backend/_resources/dataplanes?size=2');
    expect(page.json.items.map((i: { name: string }) => i.name)).toEqual(['backend-01', 'backend-02']);
    expect(page.json.next).toMatch(/\/meshes\/default\/meshtrafficpermissions\/mtp-backend\/_resources\/dataplanes\?size=2&offset=2$/);
    const second = await get('/meshes/default/meshtrafficpermissions/mtp-backend/_resources/dataplanes?size=2&offset=2');
    expect([second.json.total, second.json.items.map((i: { name: string }) => i.name), second.json.next]).toEqual([3, ['backend-03'], null]);
    expect((await get('/meshes/default/meshtrafficpermissions/mtp-backend/_resources/dataplanes?name=02')).json.items.map((i: { name: string }) => i.name)).toEqual(['backend-02']);
    expect((await get('/meshes/default/meshretries/retry-backend/_resources/dataplanes')).json.total).toBe(5);
    // A top-level MeshHTTPRoute selects the proxies its route selects.
    expect((await get('/meshes/default/meshtimeouts/api-timeout/_resources/dataplanes')).json.items.map((i: { name: string }) => i.name)).toEqual(['api-client-01']);
    expect((await get('/meshes/default/traffic-permissions/tp-web/_resources/dataplanes')).json.items.map((i: { name: string }) => i.name)).toEqual(['web-01']);
    expect((await get('/meshes/default/meshtrafficpermissions/nope/_resources/dataplanes')).status).toBe(404);
    expect((await get('/meshes/default/meshtrafficpermissions/mtp-backend/_resources/dataplanes?size=0')).status).toBe(400);
  });

  it('/dataplanes lists where the policy attaches on each proxy', async () => {
    const r = await get('/meshes/default/meshretries/retry-backend/dataplanes');
    expect(r.json).toEqual({ total: 1, items: [{ kind: 'SidecarDataplane', dataplane: { mesh: 'default', name: 'web-01' }, attachments: [{ type: 'service', name: 'backend', service: 'backend' }] }] });
    const tp = await get('/meshes/default/traffic-permissions/tp-web/dataplanes');
    expect(tp.json.items).toEqual([{ kind: 'SidecarDataplane', dataplane: { mesh: 'default', name: 'web-01' }, attachments: [{ type: 'inbound', name: '127.0.0.1:8080:9080', service: 'web' }] }]);
  });
});

describe('dataplane -> policies', () => {
  it('/policies: Kuma 2.14 DataplaneInspectEntry list, matchedPolicies keyed by type', async () => {
    const r = await get('/meshes/default/dataplanes/web-01/policies');
    expect(r.status).toBe(200);
    expect(r.json.kind).toBe('SidecarDataplane');
    expect(r.json.total).toBe(r.json.items.length);
    const inbound = r.json.items.find((i: { type: string }) => i.type === 'inbound');
    expect(inbound.name).toBe('127.0.0.1:8080:9080');
    expect(inbound.service).toBe('web');
    expect(Object.keys(inbound.matchedPolicies)).toEqual(['MeshTimeout', 'TrafficPermission']);
    expect(inbound.matchedPolicies.TrafficPermission[0]).toMatchObject({ type: 'TrafficPermission', mesh: 'default', name: 'tp-web', sources: [{ match: { 'kuma.io/service': '*' } }] });
    const svc = r.json.items.find((i: { type: string; name: string }) => i.type === 'service' && i.name === 'backend');
    expect(Object.keys(svc.matchedPolicies)).toEqual(['MeshCircuitBreaker', 'MeshRetry', 'MeshTimeout']);
    // merge order: the default first, ours last
    expect(svc.matchedPolicies.MeshRetry.map((p: { name: string }) => p.name)).toEqual(['retry-backend', 'mesh-retry-all-default'].sort((a, b) => (a < b ? 1 : -1)));
    expect(r.json.items.map((i: { type: string }) => i.type)).toEqual(['inbound', 'service']);
    expect((await get('/meshes/default/dataplanes/nope/policies')).status).toBe(404);
  });

  it('_rules and rules: Kuma InspectRules with toRules in merge order and fromRules per inbound', async () => {
    const r = await get('/meshes/default/dataplanes/web-01/_rules');
    expect(r.status).toBe(200);
    expect(r.json.resource).toMatchObject({ type: 'Dataplane', mesh: 'default', name: 'web-01', kri: 'kri_dp_default_zone-1__web-01_' });
    expect(r.json.httpMatches).toEqual([]);
    const retry = r.json.rules.find((x: { type: string }) => x.type === 'MeshRetry');
    expect(retry.toRules[0].matchers).toEqual([{ key: 'kuma.io/service', value: 'backend', not: false }]);
    expect(retry.toRules[0].conf.http.numRetries).toBe(9);
    expect(retry.toRules[0].conf.http.perTryTimeout).toBe('16s');
    expect(retry.toRules[0].origin.map((o: { name: string }) => o.name)).toEqual(['mesh-retry-all-default', 'retry-backend']);
    expect(retry.toRules.at(-1).matchers).toEqual([{ key: 'kuma.io/service', value: 'backend', not: true }]);
    expect(retry.toRules.at(-1).conf.http.numRetries).toBe(5);
    const timeout = r.json.rules.find((x: { type: string }) => x.type === 'MeshTimeout');
    expect(timeout.fromRules).toEqual([
      {
        inbound: { tags: expect.objectContaining({ 'kuma.io/service': 'web', 'kuma.io/protocol': 'http' }), port: 8080 },
        rules: [{ matchers: [], conf: expect.objectContaining({ connectionTimeout: '10s' }), origin: [expect.objectContaining({ name: 'mesh-timeout-all-default', type: 'MeshTimeout' })] }],
      },
    ]);
    expect((await get('/meshes/default/dataplanes/web-01/rules')).json).toEqual(r.json);
    const backend = await get('/meshes/default/dataplanes/backend-01/_rules');
    const mtp = backend.json.rules.find((x: { type: string }) => x.type === 'MeshTrafficPermission');
    expect(mtp.fromRules[0].rules[0]).toMatchObject({ matchers: [{ key: 'kuma.io/service', value: 'web', not: false }], conf: { action: 'Allow' } });
    expect((await get('/meshes/default/dataplanes/nope/_rules')).status).toBe(404);
  });

  it('_rules: a MeshTimeout aimed at a MeshHTTPRoute is a rule on the route\'s service and matches hash, over the service-level conf; httpMatches names the matches', async () => {
    const r = await get('/meshes/default/dataplanes/api-client-01/_rules');
    expect(r.json.httpMatches).toEqual([{ hash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/), match: [{ path: { type: 'PathPrefix', value: '/api' } }] }]);
    const hash = r.json.httpMatches[0].hash;
    const timeout = r.json.rules.find((x: { type: string }) => x.type === 'MeshTimeout');
    const onRoute = timeout.toRules.find((x: { matchers: { key: string; not: boolean }[] }) => x.matchers.some((m) => m.key === '__rule-matches-hash__' && !m.not));
    expect(onRoute.matchers).toEqual([
      { key: '__rule-matches-hash__', value: hash, not: false },
      { key: 'kuma.io/service', value: 'api', not: false },
    ]);
    // The route-level field wins; the rest comes from the mesh's default MeshTimeout.
    expect(onRoute.conf).toMatchObject({ connectionTimeout: '5s', http: { requestTimeout: '2s', streamIdleTimeout: '30m' } });
    expect(onRoute.origin.map((o: { name: string }) => o.name)).toEqual(['api-timeout', 'mesh-timeout-all-default']);
    // Other requests to api keep the service-level conf.
    const offRoute = timeout.toRules.find((x: { matchers: { key: string; value: string; not: boolean }[] }) => x.matchers.some((m) => m.key === '__rule-matches-hash__' && m.not) && x.matchers.some((m) => m.value === 'api' && !m.not));
    expect(offRoute.conf.http.requestTimeout).toBe('15s');
    // A proxy the route does not select has no route rules.
    const web = await get('/meshes/default/dataplanes/web-01/_rules');
    expect(web.json.httpMatches).toEqual([]);
    expect(JSON.stringify(web.json.rules)).not.toContain('__rule-matches-hash__');
  });
});

describe('GUI views (MeshService-era routes)', () => {
  it('_layout lists the inbounds with their KRIs (section: name, else port) and listener names', async () => {
    const r = await get('/meshes/default/dataplanes/web-01/_layout');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      kri: 'kri_dp_default_zone-1__web-01_',
      labels: expect.objectContaining({ 'kuma.io/mesh': 'default' }),
      inbounds: [{ kri: 'kri_dp_default_zone-1__web-01_8080', port: 8080, protocol: 'http', proxyResourceName: 'inbound:127.0.0.1:8080' }],
      outbounds: [],
    });
    expect((await get('/meshes/default/dataplanes/nope/_layout')).status).toBe(404);
  });

  it('_inbounds/{kri}/_policies: per type the conf for every client with the origins as KRIs', async () => {
    const r = await get('/meshes/default/dataplanes/web-01/_inbounds/kri_dp_default_zone-1__web-01_8080/_policies');
    expect(r.status).toBe(200);
    const timeout = r.json.policies.find((p: { kind: string }) => p.kind === 'MeshTimeout');
    expect(timeout).toEqual({ kind: 'MeshTimeout', rules: [{ conf: expect.objectContaining({ connectionTimeout: '10s' }) }], origins: [{ kri: 'kri_mt_default_zone-1__mesh-timeout-all-default_' }] });
    const missing = await get('/meshes/default/dataplanes/web-01/_inbounds/kri_dp_default_zone-1__web-01_9999/_policies');
    expect([missing.status, missing.json.detail]).toEqual([404, expect.stringContaining('has no inbound')]);
  });

  it('_policies: proxy-wide policies (none of the types here has a top-level conf only)', async () => {
    expect((await get('/meshes/default/dataplanes/web-01/_policies')).json).toEqual({ policies: [] });
  });
});
