/**
 * The MeshService family's `status` through the real API server, as Kuma shows it: the hostnames
 * the zone's HostnameGenerators give the resource (with the generator that made each), its VIP in
 * this zone, on GET, on lists and by KRI; a type without one shows none.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../../internal/apiserver/deps';
import { startApiServer } from '../../../internal/apiserver/server';
import { defaultConfig, type CpConfig } from '../../../internal/config/cp-config';
import { ResourceManager } from '../../../internal/core/resource-manager';
import { ensureDefaultHostnameGenerators } from '../../../internal/meshservice/default-hostname-generators';
import { meshServiceStatus } from '../../../internal/meshservice/status';
import { emptyVips, msVipAllocationKey } from '../../../internal/meshservice/vips';
import { registerAll } from '../../../internal/resources/types';
import { MemoryStore } from '../../../internal/store/memory-store';

const LOCAL = { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1', 'kuma.io/mesh': 'default', 'kuma.io/display-name': 'backend', 'kuma.io/managed-by': 'meshservice-generator', 'kuma.io/env': 'universal' };

describe('MeshService family status in the API', () => {
  let server: Server;
  let base = '';
  const store = new MemoryStore();
  beforeAll(async () => {
    const registry = registerAll();
    const manager = new ResourceManager({ store, registry, ctx: { mode: 'zone', federated: false, zoneName: 'zone-1' }, unsafeDelete: false, readOnly: false });
    await manager.createMesh('default');
    await ensureDefaultHostnameGenerators(store, 'zone', 'zone-1');
    await store.create({ type: 'MeshService', mesh: 'default', name: 'backend', labels: LOCAL, spec: { selector: { dataplaneTags: { 'kuma.io/service': 'backend' } }, ports: [{ port: 80, targetPort: 8080, appProtocol: 'http' }] } });
    await store.create({ type: 'MeshService', mesh: 'default', name: 'no-vip-yet', labels: { 'kuma.io/origin': 'zone' }, spec: { ports: [{ port: 81 }] } });
    // No generator selects a MeshService without labels.
    await store.create({ type: 'MeshService', mesh: 'default', name: 'unlabelled', labels: {}, spec: { ports: [{ port: 82 }] } });
    const vips = emptyVips();
    vips.MeshService.backend = '241.0.0.1';
    await store.create({ ...msVipAllocationKey('default'), labels: {}, spec: vips });
    const deps: ApiDeps = { config: defaultConfig() as unknown as CpConfig, registry, store, manager, instanceId: 't', clusterId: () => 'c' };
    const s = await startApiServer(deps, { port: 0, iface: '127.0.0.1' });
    server = s.server;
    base = `http://127.0.0.1:${s.port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = async (path: string) => (await fetch(`${base}${path}`)).json();

  it('GET shows the generated hostname, its generator and the VIP', async () => {
    const ms = await get('/meshes/default/meshservices/backend');
    expect(ms.status.vips).toEqual([{ ip: '241.0.0.1' }]);
    expect(ms.status.addresses).toEqual([expect.objectContaining({ hostname: expect.stringMatching(/^backend\./), origin: 'HostnameGenerator', hostnameGeneratorRef: { coreName: expect.any(String) } })]);
    expect(ms.status.hostnameGenerators).toEqual([{ hostnameGeneratorRef: { coreName: ms.status.addresses[0].hostnameGeneratorRef.coreName }, conditions: [{ type: 'Generated', status: 'True', reason: 'Generated', message: '' }] }]);
  });

  it('lists and the KRI route show it too; without a VIP only the hostnames, without either no status', async () => {
    const list = await get('/meshes/default/meshservices');
    const byName = Object.fromEntries(list.items.map((i: { name: string }) => [i.name, i]));
    expect(byName.backend.status.vips).toEqual([{ ip: '241.0.0.1' }]);
    expect(byName['no-vip-yet'].status.vips).toBeUndefined();
    expect(byName['no-vip-yet'].status.addresses).toHaveLength(1);
    expect(byName.unlabelled.status).toBeUndefined();
    const kri = (await get('/meshes/default/meshservices/backend')).kri as string;
    expect((await get(`/_kri/${encodeURIComponent(kri)}`)).status.vips).toEqual([{ ip: '241.0.0.1' }]);
  });

  it('a policy shows no status', async () => {
    const list = await get('/meshes/default/meshtimeouts');
    expect(list.items.length).toBeGreaterThan(0);
    for (const i of list.items) expect(i.status).toBeUndefined();
  });

  it('the status is derived: nothing of it is stored on the resource', () => {
    expect(store.get({ type: 'MeshService', mesh: 'default', name: 'backend' })!.spec).not.toHaveProperty('status');
    expect(meshServiceStatus('MeshService', store.get({ type: 'MeshService', mesh: 'default', name: 'no-vip-yet' })!, [], emptyVips())).toBeUndefined();
    expect(store.get({ type: 'MeshService', mesh: 'default', name: 'unlabelled' })).toBeDefined();
  });
});
