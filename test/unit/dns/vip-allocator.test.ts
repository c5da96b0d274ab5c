/** The zone CP's VIP allocator over a real (memory) store. */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../internal/config/cp-config';
import { reconcileVips, startVipAllocator } from '../../../internal/dns/vip-allocator';
import { VIP_ALLOCATION_TYPE, vipAllocationKey, vipAllocationSpec, vipMapOf } from '../../../internal/dns/vips';
import { MemoryStore } from '../../../internal/store/memory-store';
import { eventually } from '../../e2e/harness';

const log = pino({ level: 'silent' });

function cfg(over: Partial<ReturnType<typeof defaultConfig>['dnsServer']> = {}) {
  const c = defaultConfig();
  c.multizone.zone.name = 'zone-1';
  Object.assign(c.dnsServer, over);
  return c;
}

async function mesh(store: MemoryStore, name: string) {
  await store.create({ type: 'Mesh', mesh: '', name, labels: {}, spec: {} });
}

async function dataplane(store: MemoryStore, m: string, name: string, service: string) {
  await store.create({ type: 'Dataplane', mesh: m, name, labels: {}, spec: { networking: { address: '10.0.0.1', inbound: [{ port: 9090, tags: { 'kuma.io/service': service } }] } } });
}

function vips(store: MemoryStore, m: string): Record<string, string> {
  const spec = vipAllocationSpec(store.get(vipAllocationKey(m))?.spec);
  return Object.fromEntries((spec?.entries ?? []).map((e) => [e.name, e.ip]));
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

describe('reconcileVips', () => {
  it('writes one record per mesh with services, keeps it stable, and writes nothing when nothing changed', async () => {
    const store = new MemoryStore();
    await mesh(store, 'default');
    await mesh(store, 'empty');
    await dataplane(store, 'default', 'web-01', 'web');
    await dataplane(store, 'default', 'backend-01', 'backend');
    expect(await reconcileVips(store, cfg(), log)).toEqual(['default']);
    expect(vips(store, 'default')).toEqual({ backend: '240.0.0.1', web: '240.0.0.2' });
    expect(store.get(vipAllocationKey('empty'))).toBeUndefined();
    const version = store.get(vipAllocationKey('default'))!.version;
    expect(await reconcileVips(store, cfg(), log)).toEqual([]);
    expect(store.get(vipAllocationKey('default'))!.version).toBe(version);

    await dataplane(store, 'default', 'api-01', 'api');
    await reconcileVips(store, cfg(), log);
    expect(vips(store, 'default')).toEqual({ api: '240.0.0.3', backend: '240.0.0.1', web: '240.0.0.2' });
    expect(vipMapOf(store.get(vipAllocationKey('default'))).get('api.mesh')).toEqual({ ip: '240.0.0.3', port: 80, service: 'api' });
  });

  it('drops a vanished service, deletes the record of a deleted mesh, and logs an exhausted CIDR', async () => {
    const store = new MemoryStore();
    await mesh(store, 'default');
    await dataplane(store, 'default', 'a-01', 'a');
    await dataplane(store, 'default', 'b-01', 'b');
    await reconcileVips(store, cfg(), log);
    await store.delete({ type: 'Dataplane', mesh: 'default', name: 'a-01' });
    await reconcileVips(store, cfg(), log);
    expect(vips(store, 'default')).toEqual({ b: '240.0.0.2' });
    await store.delete({ type: 'Mesh', mesh: '', name: 'default' });
    expect(await reconcileVips(store, cfg(), log)).toEqual(['default']);
    expect(store.list(VIP_ALLOCATION_TYPE).items).toEqual([]);

    await mesh(store, 'tiny');
    for (const s of ['x', 'y', 'z']) await dataplane(store, 'tiny', `${s}-01`, s);
    const errors: string[] = [];
    const capture = pino({ level: 'error' }, { write: (line: string) => errors.push(JSON.parse(line).err) });
    expect(await reconcileVips(store, cfg({ cidr: '10.0.0.0/30' }), capture)).toEqual([]);
    expect(errors.join()).toMatch(/no free address left/);
  });
});

describe('startVipAllocator', () => {
  it('follows store changes after a short debounce', async () => {
    const store = new MemoryStore();
    await mesh(store, 'default');
    stops.push(startVipAllocator({ store, cfg: cfg(), log, debounceMs: 10 }));
    await dataplane(store, 'default', 'web-01', 'web');
    await eventually(() => expect(vips(store, 'default')).toEqual({ web: '240.0.0.1' }));
    await store.create({
      type: 'VirtualOutbound',
      mesh: 'default',
      name: 'v',
      labels: {},
      spec: { selectors: [{ match: { 'kuma.io/service': '*' } }], conf: { host: '{{.service}}.internal', port: '8080', parameters: [{ name: 'service', tagKey: 'kuma.io/service' }] } },
    });
    await eventually(() => expect(vips(store, 'default')).toEqual({ web: '240.0.0.1', 'web.internal': '240.0.0.2' }));
  });

  it('refuses an invalid CIDR at start', () => {
    expect(() => startVipAllocator({ store: new MemoryStore(), cfg: cfg({ cidr: 'nope' }), log })).toThrow(/dnsServer\.cidr/);
  });
});
