/**
 * `_overview` list filters `status=` and `zone=` through the real API server:
 * a proxy synced from a zone that is now Offline counts as offline whatever
 * its last insight said; bad values are a 400 naming the parameter.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../../internal/apiserver/deps';
import { startApiServer } from '../../../internal/apiserver/server';
import { defaultConfig, type CpConfig } from '../../../internal/config/cp-config';
import { ResourceManager } from '../../../internal/core/resource-manager';
import { registerAll } from '../../../internal/resources/types';
import { MemoryStore } from '../../../internal/store/memory-store';

const live = { subscriptions: [{ id: 'a', connectTime: '2026-01-01T00:00:00Z' }] };
const gone = { subscriptions: [{ id: 'a', connectTime: '2026-01-01T00:00:00Z', disconnectTime: '2026-01-01T01:00:00Z' }] };

describe('_overview filters status= and zone=', () => {
  let server: Server;
  let base = '';
  const store = new MemoryStore();
  beforeAll(async () => {
    const registry = registerAll();
    const manager = new ResourceManager({ store, registry, ctx: { mode: 'global', federated: false, zoneName: '' }, unsafeDelete: false, readOnly: false });
    await manager.createMesh('default');
    for (const [zone, insight] of [['zone-1', live], ['zone-2', gone]] as const) {
      await store.create({ type: 'Zone', mesh: '', name: zone, labels: {}, spec: { enabled: true } });
      await store.create({ type: 'ZoneInsight', mesh: '', name: zone, labels: {}, spec: insight });
    }
    const dp = async (name: string, zone: string, insight: Record<string, unknown>) => {
      const labels = { 'kuma.io/origin': 'zone', 'kuma.io/zone': zone, 'kuma.io/mesh': 'default' };
      await store.create({ type: 'Dataplane', mesh: 'default', name, labels, spec: { networking: { address: '1.1.1.1', inbound: [{ port: 1, tags: { 'kuma.io/service': name } }] } } });
      await store.create({ type: 'DataplaneInsight', mesh: 'default', name, labels, spec: insight });
    };
    await dp('a-1', 'zone-1', live);
    await dp('b-1', 'zone-1', gone);
    // Its last insight says connected, but zone-2 is Offline.
    await dp('c-2', 'zone-2', live);
    const deps: ApiDeps = { config: defaultConfig() as unknown as CpConfig, registry, store, manager, instanceId: 't', clusterId: () => 'c' };
    const s = await startApiServer(deps, { port: 0, iface: '127.0.0.1' });
    server = s.server;
    base = `http://127.0.0.1:${s.port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const names = async (q: string) => {
    const r = await fetch(`${base}/meshes/default/dataplanes/_overview?${q}`);
    const j = (await r.json()) as { total: number; items: { name: string }[] };
    return { total: j.total, names: j.items.map((i) => i.name) };
  };

  it('status=online keeps connected proxies of Online zones only', async () => {
    expect(await names('status=online')).toEqual({ total: 1, names: ['a-1'] });
    expect(await names('status=offline')).toEqual({ total: 2, names: ['b-1', 'c-2'] });
  });

  it('zone= by the kuma.io/zone label, combined with status, tag and paging', async () => {
    expect(await names('zone=zone-2')).toEqual({ total: 1, names: ['c-2'] });
    expect(await names('zone=zone-1&status=offline')).toEqual({ total: 1, names: ['b-1'] });
    expect(await names('zone=zone-1&size=1&offset=1')).toEqual({ total: 2, names: ['b-1'] });
    expect(await names('tag=kuma.io/service:a-&zone=zone-1')).toEqual({ total: 1, names: ['a-1'] });
    expect(await names('zone=nowhere')).toEqual({ total: 0, names: [] });
  });

  it('a bad status is a 400 naming the parameter', async () => {
    const r = await fetch(`${base}/meshes/default/dataplanes/_overview?status=up`);
    expect(r.status).toBe(400);
    const j = (await r.json()) as { invalid_parameters: { field: string }[]; detail: string };
    expect(j.invalid_parameters[0]!.field).toBe('status');
    expect(j.detail).toContain('"online" or "offline"');
  });

  it('zones filter by their link, a disabled zone is offline', async () => {
    const zones = async (q: string) => ((await (await fetch(`${base}/zones/_overview?${q}`)).json()) as { items: { name: string }[] }).items.map((i) => i.name);
    expect(await zones('status=online')).toEqual(['zone-1']);
    expect(await zones('status=offline')).toEqual(['zone-2']);
    await store.update({ ...store.get({ type: 'Zone', mesh: '', name: 'zone-1' })!, spec: { enabled: false } }, store.get({ type: 'Zone', mesh: '', name: 'zone-1' })!.version);
    expect(await zones('status=online')).toEqual([]);
  });

  it('zone ingresses filter the same way', async () => {
    const r = await fetch(`${base}/zoneingresses/_overview?status=online`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { total: number }).total).toBe(0);
  });
});
