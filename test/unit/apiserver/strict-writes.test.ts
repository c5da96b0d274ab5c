/**
 * The real API server (startApiServer over a memory store and the real
 * ResourceManager), one per CP mode: unknown fields are a 400 naming each
 * JSON path and nothing is stored; Zone objects are read-only on zone CPs.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../../internal/apiserver/deps';
import { startApiServer } from '../../../internal/apiserver/server';
import { defaultConfig, type CpConfig } from '../../../internal/config/cp-config';
import { ResourceManager } from '../../../internal/core/resource-manager';
import type { LabelContext } from '../../../internal/core/labels';
import { registerAll } from '../../../internal/resources/types';
import { ZONE_READ_ONLY_ON_ZONE } from '../../../internal/resources/types/zone';
import { MemoryStore } from '../../../internal/store/memory-store';

const registry = registerAll();

interface Cp {
  base: string;
  store: MemoryStore;
  server: Server;
}

async function startCp(ctx: LabelContext): Promise<Cp> {
  const store = new MemoryStore();
  const manager = new ResourceManager({ store, registry, ctx, unsafeDelete: false, readOnly: false });
  await manager.createMesh('default');
  if (ctx.mode === 'zone') await store.create({ type: 'Zone', mesh: '', name: ctx.zoneName, labels: {}, spec: { enabled: true } });
  const deps: ApiDeps = { config: defaultConfig() as unknown as CpConfig, registry, store, manager, instanceId: 'test-0000', clusterId: () => 'cluster' };
  const { server, port } = await startApiServer(deps, { port: 0, iface: '127.0.0.1' });
  return { base: `http://127.0.0.1:${port}`, store, server };
}

async function call(cp: Cp, method: string, path: string, body?: unknown) {
  const r = await fetch(cp.base + path, {
    method,
    headers: { 'content-type': typeof body === 'string' ? 'application/yaml' : 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, json: text.startsWith('{') ? JSON.parse(text) : undefined };
}

describe('strict decoding through the API', () => {
  let global: Cp;
  let zone: Cp;
  beforeAll(async () => {
    global = await startCp({ mode: 'global', federated: false, zoneName: '' });
    zone = await startCp({ mode: 'zone', federated: false, zoneName: 'east' });
  });
  afterAll(async () => {
    for (const cp of [global, zone]) await new Promise<void>((r) => cp.server.close(() => r()));
  });

  it('PUT /meshes/x with a junk key: 400 naming it, nothing stored', async () => {
    const r = await call(global, 'PUT', '/meshes/x', { type: 'Mesh', name: 'x', junk: { a: 'b'.repeat(1000) } });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ status: 400, title: 'Could not process a resource', detail: 'Resource is not valid' });
    expect(r.json.invalid_parameters).toEqual([{ field: 'junk', reason: expect.stringMatching(/^unknown field "junk"; known fields: mtls, tracing/) }]);
    expect(r.json.causes).toEqual([{ field: 'junk', message: r.json.invalid_parameters[0].reason }]);
    expect(global.store.get({ type: 'Mesh', mesh: '', name: 'x' })).toBeUndefined();
    expect((await call(global, 'GET', '/meshes/x')).status).toBe(404);
  });

  it('names every unknown field of a Dataplane by its JSON path (YAML body too)', async () => {
    const yaml = `type: Dataplane
mesh: default
name: dp-1
networking:
  address: 127.0.0.1
  inbound:
  - port: 8080
    tags: { kuma.io/service: web }
    bogus: 1
  admin: { port: 9901, extra: true }
`;
    const r = await call(zone, 'PUT', '/meshes/default/dataplanes/dp-1', yaml);
    expect(r.status).toBe(400);
    expect(r.json.invalid_parameters.map((p: { field: string }) => p.field)).toEqual(['networking.inbound[0].bogus', 'networking.admin.extra']);
    expect(zone.store.get({ type: 'Dataplane', mesh: 'default', name: 'dp-1' })).toBeUndefined();
  });

  it('targetRef policies: unknown keys outside and inside spec', async () => {
    const body = { type: 'MeshTimeout', mesh: 'default', name: 'mt', to: [], spec: { to: [{ targetRef: { kind: 'Mesh' }, default: { idleTimeout: '1s', foo: 1 } }] } };
    const r = await call(global, 'PUT', '/meshes/default/meshtimeouts/mt', body);
    expect(r.status).toBe(400);
    expect(r.json.invalid_parameters).toEqual([
      { field: 'to', reason: 'unknown field "to"; known fields: type, mesh, name, labels, spec, status, creationTime, modificationTime, kri; the fields of a MeshTimeout go under "spec"' },
      { field: 'spec.to[0].default.foo', reason: 'unknown field "foo"; known fields: connectionTimeout, idleTimeout, http' },
    ]);
    expect(global.store.get({ type: 'MeshTimeout', mesh: 'default', name: 'mt' })).toBeUndefined();
  });

  it('accepts snake_case field names and stores them camelCase, data-map keys untouched', async () => {
    const r = await call(zone, 'PUT', '/meshes/default/dataplanes/dp-2', {
      type: 'Dataplane',
      mesh: 'default',
      name: 'dp-2',
      networking: { address: '127.0.0.1', inbound: [{ port: 8080, service_port: 80, tags: { 'kuma.io/service': 'web', team_name: 'a' } }], transparent_proxying: { redirect_port_inbound: 15006, redirect_port_outbound: 15001 } },
    });
    expect(r.status).toBe(201);
    expect(zone.store.get({ type: 'Dataplane', mesh: 'default', name: 'dp-2' })!.spec).toEqual({
      // The zone CP stamps kuma.io/zone into inbound tags.
      networking: { address: '127.0.0.1', inbound: [{ port: 8080, servicePort: 80, tags: { 'kuma.io/service': 'web', 'kuma.io/zone': 'east', team_name: 'a' } }], transparentProxying: { redirectPortInbound: 15006, redirectPortOutbound: 15001 } },
    });
  });

  it('an update with an unknown field leaves the stored resource as it was', async () => {
    expect((await call(global, 'PUT', '/meshes/kept', { type: 'Mesh', name: 'kept', routing: { zoneEgress: true } })).status).toBe(201);
    const before = global.store.get({ type: 'Mesh', mesh: '', name: 'kept' })!;
    const r = await call(global, 'PUT', '/meshes/kept', { type: 'Mesh', name: 'kept', routing: { zoneEgress: false, zone_egres: true } });
    expect(r.status).toBe(400);
    expect(r.json.invalid_parameters).toEqual([{ field: 'routing.zone_egres', reason: 'unknown field "zone_egres", did you mean "zoneEgress"?' }]);
    expect(global.store.get({ type: 'Mesh', mesh: '', name: 'kept' })).toEqual(before);
  });
});

describe('Zone objects are read-only on a zone CP', () => {
  const cps: Cp[] = [];
  afterAll(async () => {
    for (const cp of cps) await new Promise<void>((r) => cp.server.close(() => r()));
  });

  it.each([
    ['standalone', false],
    ['federated', true],
  ])('%s zone: PUT and DELETE /zones/NAME answer 405 with the reason; GET still works', async (_, federated) => {
    const cp = await startCp({ mode: 'zone', federated, zoneName: 'east' });
    cps.push(cp);
    for (const [method, path] of [
      ['PUT', '/zones/east'],
      ['PUT', '/zones/west'],
      ['DELETE', '/zones/east'],
    ] as const) {
      const r = await call(cp, method, path, method === 'PUT' ? { type: 'Zone', name: path.slice(7), enabled: false } : undefined);
      expect([method, path, r.status]).toEqual([method, path, 405]);
      expect(r.json).toMatchObject({ title: 'Method not allowed', detail: ZONE_READ_ONLY_ON_ZONE });
    }
    expect(cp.store.get({ type: 'Zone', mesh: '', name: 'east' })!.spec).toEqual({ enabled: true });
    expect(cp.store.get({ type: 'Zone', mesh: '', name: 'west' })).toBeUndefined();
    expect((await call(cp, 'GET', '/zones/east')).status).toBe(200);
  });

  it('the global still creates, updates and deletes Zones', async () => {
    const cp = await startCp({ mode: 'global', federated: false, zoneName: '' });
    cps.push(cp);
    expect((await call(cp, 'PUT', '/zones/west', { type: 'Zone', name: 'west', enabled: true })).status).toBe(201);
    expect((await call(cp, 'PUT', '/zones/west', { type: 'Zone', name: 'west', enabled: false })).status).toBe(200);
    expect((await call(cp, 'DELETE', '/zones/west')).status).toBe(200);
  });
});
