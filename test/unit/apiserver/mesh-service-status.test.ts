/**
 * The MeshService family's `status` through the real API server, as Kuma shows it: the hostnames
 * the zone's HostnameGenerators give the resource (with the generator that made each, and the
 * Collision condition of the one that lost a hostname), its VIP in this zone, the proxies a local
 * MeshService selects (total, connected, healthy) and its TLS readiness; the MeshServices a
 * MeshMultiZoneService selects; on GET, on lists and by KRI. A type without one shows none; the
 * global shows the zero status Kuma shows before a zone's status arrived.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../../internal/apiserver/deps';
import { globalStatusSource, zoneStatusSource } from '../../../internal/meshservice/status-source';
import { startApiServer } from '../../../internal/apiserver/server';
import { defaultConfig, type CpConfig } from '../../../internal/config/cp-config';
import { ResourceManager } from '../../../internal/core/resource-manager';
import { ensureDefaultHostnameGenerators } from '../../../internal/meshservice/default-hostname-generators';
import { syncedStatusKey } from '../../../internal/meshservice/synced-status';
import { emptyVips, msVipAllocationKey } from '../../../internal/meshservice/vips';
import { registerAll } from '../../../internal/resources/types';
import type { ResourceStore } from '../../../internal/store/resource-store';
import { MemoryStore } from '../../../internal/store/memory-store';

const LOCAL = { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1', 'kuma.io/mesh': 'default', 'kuma.io/display-name': 'backend', 'kuma.io/managed-by': 'meshservice-generator', 'kuma.io/env': 'universal' };
const ONLINE = { subscriptions: [{ id: '1', controlPlaneInstanceId: 'cp', connectTime: '2026-01-01T00:00:00Z' }] };
const OFFLINE = { subscriptions: [{ id: '1', controlPlaneInstanceId: 'cp', connectTime: '2026-01-01T00:00:00Z', disconnectTime: '2026-01-01T00:01:00Z' }] };
const ISSUED = { mTLS: { issuedBackend: 'ca-1', supportedBackends: ['ca-1'] } };

async function dataplane(store: ResourceStore, mesh: string, name: string, inbound: Record<string, unknown>, insight?: Record<string, unknown>, labels: Record<string, string> = {}) {
  await store.create({ type: 'Dataplane', mesh, name, labels, spec: { networking: { address: '10.0.0.1', inbound: [inbound] } } });
  if (insight) await store.create({ type: 'DataplaneInsight', mesh, name, labels: {}, spec: insight });
}

async function serve(deps: ApiDeps): Promise<{ server: Server; base: string }> {
  const s = await startApiServer(deps, { port: 0, iface: '127.0.0.1' });
  return { server: s.server, base: `http://127.0.0.1:${s.port}` };
}

describe('MeshService family status in the API (zone)', () => {
  let server: Server;
  let base = '';
  const store = new MemoryStore();
  const registry = registerAll();
  let dataplaneLists = 0;
  beforeAll(async () => {
    const manager = new ResourceManager({ store, registry, ctx: { mode: 'zone', federated: false, zoneName: 'zone-1' }, unsafeDelete: false, readOnly: false });
    await manager.createMesh('default');
    await store.create({ type: 'Mesh', mesh: '', name: 'secure', labels: {}, spec: { mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } } });
    await ensureDefaultHostnameGenerators(store, 'zone', 'zone-1');
    await store.create({ type: 'MeshService', mesh: 'default', name: 'backend', labels: LOCAL, spec: { selector: { dataplaneTags: { 'kuma.io/service': 'backend' } }, ports: [{ port: 80, targetPort: 8080, appProtocol: 'http' }] } });
    await store.create({ type: 'MeshService', mesh: 'default', name: 'no-vip-yet', labels: { 'kuma.io/origin': 'zone' }, spec: { ports: [{ port: 81 }] } });
    // No generator selects a MeshService without labels.
    await store.create({ type: 'MeshService', mesh: 'default', name: 'unlabelled', labels: {}, spec: { ports: [{ port: 82 }] } });
    await store.create({ type: 'MeshService', mesh: 'default', name: 'by-ref', labels: {}, spec: { selector: { dataplaneRef: { name: 'b-online' } }, ports: [{ port: 80, targetPort: 'http' }] } });
    // A copy of zone-2's backend: its proxies are zone-2's to count.
    await store.create({ type: 'MeshService', mesh: 'default', name: 'backend-zone2', labels: { ...LOCAL, 'kuma.io/origin': 'global', 'kuma.io/zone': 'zone-2' }, spec: { selector: { dataplaneTags: { 'kuma.io/service': 'backend' } }, ports: [{ port: 80 }] } });
    // Connected and ready; offline but ready; connected but its inbound unhealthy; no insight and NotReady.
    await dataplane(store, 'default', 'b-online', { port: 8080, name: 'http', tags: { 'kuma.io/service': 'backend' } }, ONLINE);
    await dataplane(store, 'default', 'b-offline', { port: 8080, tags: { 'kuma.io/service': 'backend' } }, OFFLINE);
    await dataplane(store, 'default', 'b-unhealthy', { port: 8080, health: { ready: false }, tags: { 'kuma.io/service': 'backend' } }, ONLINE);
    await dataplane(store, 'default', 'b-down', { port: 8080, state: 'NotReady', tags: { 'kuma.io/service': 'backend' } });
    // Not selected: another service, and a proxy of another zone.
    await dataplane(store, 'default', 'web-1', { port: 8080, tags: { 'kuma.io/service': 'web' } }, ONLINE);
    await dataplane(store, 'default', 'far', { port: 8080, tags: { 'kuma.io/service': 'backend' } }, ONLINE, { 'kuma.io/zone': 'zone-2' });
    // mTLS mesh: every proxy of `api` has its certificate, one of `api-new` not yet.
    const sel = (svc: string) => ({ selector: { dataplaneTags: { 'kuma.io/service': svc } }, ports: [{ port: 80, targetPort: 8080 }] });
    await store.create({ type: 'MeshService', mesh: 'secure', name: 'api', labels: {}, spec: sel('api') });
    await store.create({ type: 'MeshService', mesh: 'secure', name: 'api-new', labels: {}, spec: sel('api-new') });
    await store.create({ type: 'MeshService', mesh: 'secure', name: 'nobody', labels: {}, spec: sel('nobody') });
    await dataplane(store, 'secure', 'api-1', { port: 8080, tags: { 'kuma.io/service': 'api' } }, { ...ONLINE, ...ISSUED });
    await dataplane(store, 'secure', 'api-2', { port: 8080, tags: { 'kuma.io/service': 'api' } }, { ...OFFLINE, ...ISSUED });
    await dataplane(store, 'secure', 'api-new-1', { port: 8080, tags: { 'kuma.io/service': 'api-new' } }, { ...ONLINE, ...ISSUED });
    await dataplane(store, 'secure', 'api-new-2', { port: 8080, tags: { 'kuma.io/service': 'api-new' } }, ONLINE);
    // Two MeshServices one generator gives the same hostname: the older keeps it.
    await store.create({ type: 'HostnameGenerator', mesh: '', name: 'by-app', labels: {}, spec: { selector: { meshService: { matchLabels: { collide: 'yes' } } }, template: '{{ label "app" }}.apps.mesh' } });
    await store.create({ type: 'MeshService', mesh: 'default', name: 'shop-v1', labels: { collide: 'yes', app: 'shop' }, spec: { ports: [{ port: 80 }] } });
    await store.create({ type: 'MeshService', mesh: 'default', name: 'shop-v2', labels: { collide: 'yes', app: 'shop' }, spec: { ports: [{ port: 80 }] } });
    await store.create({ type: 'MeshMultiZoneService', mesh: 'default', name: 'backend', labels: { 'kuma.io/origin': 'global' }, spec: { selector: { meshService: { matchLabels: { 'kuma.io/display-name': 'backend' } } }, ports: [{ port: 80 }] } });
    await store.create({ type: 'MeshMultiZoneService', mesh: 'default', name: 'none', labels: { 'kuma.io/origin': 'global' }, spec: { selector: { meshService: { matchLabels: { app: 'nothing' } } }, ports: [{ port: 80 }] } });
    await store.create({ type: 'MeshExternalService', mesh: 'default', name: 'httpbin', labels: { 'kuma.io/origin': 'zone' }, spec: { match: { type: 'HostnameGenerator', port: 80, protocol: 'http' }, endpoints: [{ address: 'httpbin.org', port: 80 }] } });
    const vips = emptyVips();
    vips.MeshService.backend = '241.0.0.1';
    vips.MeshMultiZoneService.backend = '243.0.0.1';
    vips.MeshExternalService.httpbin = '242.0.0.1';
    await store.create({ ...msVipAllocationKey('default'), labels: {}, spec: vips });
    const list = store.list.bind(store);
    store.list = (type, opts) => {
      if (type === 'Dataplane') dataplaneLists++;
      return list(type, opts);
    };
    const deps: ApiDeps = { config: defaultConfig() as unknown as CpConfig, registry, store, manager, instanceId: 't', clusterId: () => 'c', status: zoneStatusSource(store, registry, 'zone-1') };
    ({ server, base } = await serve(deps));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = async (path: string) => (await fetch(`${base}${path}`)).json();

  it('GET shows the generated hostname, its generator and the VIP', async () => {
    const ms = await get('/meshes/default/meshservices/backend');
    expect(ms.status.vips).toEqual([{ ip: '241.0.0.1' }]);
    expect(ms.status.addresses).toEqual([expect.objectContaining({ hostname: expect.stringMatching(/^backend\./), origin: 'HostnameGenerator', hostnameGeneratorRef: { coreName: expect.any(String) } })]);
    expect(ms.status.hostnameGenerators).toEqual([{ hostnameGeneratorRef: { coreName: ms.status.addresses[0].hostnameGeneratorRef.coreName }, conditions: [{ type: 'Generated', status: 'True', reason: 'Generated', message: '' }] }]);
  });

  it('counts the selected proxies of this zone: total, connected (online insight), healthy (every port\'s inbound ready, connected or not)', async () => {
    const ms = await get('/meshes/default/meshservices/backend');
    expect(ms.status.dataplaneProxies).toEqual({ connected: 2, healthy: 2, total: 4 });
    // Status keys in the order Kuma's struct writes them.
    expect(Object.keys(ms.status)).toEqual(['addresses', 'vips', 'tls', 'hostnameGenerators', 'dataplaneProxies']);
    // dataplaneRef selects one proxy; a named targetPort matches the inbound's name.
    expect((await get('/meshes/default/meshservices/by-ref')).status.dataplaneProxies).toEqual({ connected: 1, healthy: 1, total: 1 });
  });

  it('tls: NotReady without mesh mTLS; with it, Ready once every selected proxy got a certificate (and with none selected)', async () => {
    expect((await get('/meshes/default/meshservices/backend')).status.tls).toEqual({ status: 'NotReady' });
    const secure = await get('/meshes/secure/meshservices');
    const byName = Object.fromEntries(secure.items.map((i: { name: string; status: unknown }) => [i.name, i.status]));
    expect(byName.api).toEqual({ tls: { status: 'Ready' }, dataplaneProxies: { connected: 1, healthy: 2, total: 2 } });
    expect(byName['api-new'].tls).toEqual({ status: 'NotReady' });
    expect(byName.nobody).toEqual({ tls: { status: 'Ready' }, dataplaneProxies: {} });
  });

  it('a hostname two MeshServices claim stays with the older one; the other shows the Collision condition and no such address', async () => {
    const v1 = (await get('/meshes/default/meshservices/shop-v1')).status;
    const v2 = (await get('/meshes/default/meshservices/shop-v2')).status;
    expect(v1.addresses).toContainEqual({ hostname: 'shop.apps.mesh', origin: 'HostnameGenerator', hostnameGeneratorRef: { coreName: 'by-app' } });
    expect(v1.hostnameGenerators).toContainEqual({ hostnameGeneratorRef: { coreName: 'by-app' }, conditions: [{ type: 'Generated', status: 'True', reason: 'Generated', message: '' }] });
    expect((v2.addresses ?? []).map((a: { hostname: string }) => a.hostname)).not.toContain('shop.apps.mesh');
    expect(v2.hostnameGenerators).toContainEqual({ hostnameGeneratorRef: { coreName: 'by-app' }, conditions: [{ type: 'Generated', status: 'False', reason: 'Collision', message: 'Hostname collision with MeshService: shop-v2' }] });
  });

  it('lists and the KRI route show it too; a copy from another zone shows no counts; every MeshService has tls and dataplaneProxies', async () => {
    const before = dataplaneLists;
    const list = await get('/meshes/default/meshservices');
    // One pass over the mesh's Dataplanes for the whole list, not one per MeshService.
    expect(dataplaneLists - before).toBe(1);
    const byName = Object.fromEntries(list.items.map((i: { name: string }) => [i.name, i]));
    expect(byName.backend.status.vips).toEqual([{ ip: '241.0.0.1' }]);
    expect(byName.backend.status.dataplaneProxies).toEqual({ connected: 2, healthy: 2, total: 4 });
    expect(byName['no-vip-yet'].status.vips).toBeUndefined();
    expect(byName['no-vip-yet'].status.addresses).toHaveLength(1);
    expect(byName.unlabelled.status).toEqual({ tls: { status: 'NotReady' }, dataplaneProxies: {} });
    // (This zone has no generator for copies: the global's synced-* ones never arrived here.)
    expect(byName['backend-zone2'].status).toEqual({ tls: {}, dataplaneProxies: {} });
    const kri = (await get('/meshes/default/meshservices/backend')).kri as string;
    expect((await get(`/_kri/${encodeURIComponent(kri)}`)).status.dataplaneProxies).toEqual({ connected: 2, healthy: 2, total: 4 });
  });

  it('a MeshMultiZoneService lists the MeshServices it selects (KRI name, zone, mesh) and the MeshServicesMatched condition', async () => {
    const mzs = (await get('/meshes/default/meshmultizoneservices/backend')).status;
    expect(mzs.vips).toEqual([{ ip: '243.0.0.1' }]);
    expect(mzs.meshServices).toEqual([
      { name: 'backend', zone: 'zone-1', mesh: 'default' },
      { name: 'backend', zone: 'zone-2', mesh: 'default' },
    ]);
    expect(mzs.conditions).toEqual([{ type: 'MeshServicesMatched', status: 'True', reason: 'MatchesFound', message: 'Matched 2 MeshService(s)' }]);
    expect((await get('/meshes/default/meshmultizoneservices/none')).status).toEqual({
      conditions: [{ type: 'MeshServicesMatched', status: 'False', reason: 'NoMatchesFound', message: 'Selector does not match any MeshService in this zone' }],
    });
  });

  it('a MeshExternalService shows its VIP as `vip`, then its hostnames', async () => {
    const mes = (await get('/meshes/default/meshexternalservices/httpbin')).status;
    expect(mes.vip).toEqual({ ip: '242.0.0.1' });
    expect(mes.addresses).toEqual([{ hostname: 'httpbin.extsvc.mesh.local', origin: 'HostnameGenerator', hostnameGeneratorRef: { coreName: 'local-mesh-external-service' } }]);
  });

  it('a policy shows no status', async () => {
    const list = await get('/meshes/default/meshtimeouts');
    expect(list.items.length).toBeGreaterThan(0);
    for (const i of list.items) expect(i.status).toBeUndefined();
  });

  it('the status is derived: nothing of it is stored on the resource', () => {
    expect(store.get({ type: 'MeshService', mesh: 'default', name: 'backend' })!.spec).not.toHaveProperty('status');
  });
});

describe('MeshService family status in the API (global)', () => {
  it('shows the status the origin zone sent over KDS, else the zero status: the global computes none of it', async () => {
    const store = new MemoryStore();
    const registry = registerAll();
    const manager = new ResourceManager({ store, registry, ctx: { mode: 'global', federated: false, zoneName: '' }, unsafeDelete: false, readOnly: false });
    await manager.createMesh('default');
    await ensureDefaultHostnameGenerators(store, 'global', '');
    await store.create({ type: 'MeshService', mesh: 'default', name: 'backend-x', labels: { ...LOCAL, 'kuma.io/zone': 'zone-1' }, spec: { selector: { dataplaneTags: { 'kuma.io/service': 'backend' } }, ports: [{ port: 80 }] } });
    await store.create({ type: 'MeshService', mesh: 'default', name: 'backend-y', labels: { ...LOCAL, 'kuma.io/zone': 'zone-2' }, spec: { selector: { dataplaneTags: { 'kuma.io/service': 'backend' } }, ports: [{ port: 80 }] } });
    const fromZone2 = { addresses: [{ hostname: 'backend.svc.mesh.local', origin: 'HostnameGenerator', hostnameGeneratorRef: { coreName: 'local-universal-mesh-service' } }], vips: [{ ip: '241.0.0.7' }], tls: { status: 'Ready' }, dataplaneProxies: { connected: 2, healthy: 1, total: 3 } };
    await store.create({ ...syncedStatusKey({ type: 'MeshService', mesh: 'default', name: 'backend-y' }), labels: { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-2' }, spec: { status: fromZone2 } });
    await store.create({ type: 'MeshMultiZoneService', mesh: 'default', name: 'backend', labels: {}, spec: { selector: { meshService: { matchLabels: { 'kuma.io/display-name': 'backend' } } }, ports: [{ port: 80 }] } });
    const { server, base } = await serve({ config: defaultConfig() as unknown as CpConfig, registry, store, manager, instanceId: 't', clusterId: () => 'c', status: globalStatusSource(store) });
    try {
      expect((await (await fetch(`${base}/meshes/default/meshservices/backend-x`)).json()).status).toEqual({ tls: {}, dataplaneProxies: {} });
      expect((await (await fetch(`${base}/meshes/default/meshservices/backend-y`)).json()).status).toEqual(fromZone2);
      // Deleting the Zone takes its resources and their status records.
      expect((await fetch(`${base}/zones/zone-2`, { method: 'PUT', body: JSON.stringify({ type: 'Zone', name: 'zone-2' }), headers: { 'content-type': 'application/json' } })).status).toBe(201);
      expect((await fetch(`${base}/zones/zone-2`, { method: 'DELETE' })).status).toBe(200);
      expect(store.get({ type: 'MeshService', mesh: 'default', name: 'backend-y' })).toBeUndefined();
      expect(store.list('KdsStatus').items).toEqual([]);
      expect((await (await fetch(`${base}/meshes/default/meshmultizoneservices/backend`)).json()).status).toBeUndefined();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
