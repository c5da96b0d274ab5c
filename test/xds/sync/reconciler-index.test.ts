/**
 * The reconciler looks at the proxies whose inputs changed, not at the whole mesh: counters of
 * proxies hashed and regenerated after each kind of change (a service's instances, a status
 * write, a mesh-wide policy, a proxy's own Dataplane, a certificate renewal).
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityProvider } from '../../../internal/ca/identity-provider';
import { registry } from '../../../internal/resources/types/index';
import { MemoryStore } from '../../../internal/store/memory-store';
import { SnapshotCache } from '../../../internal/xds/cache/snapshot-cache';
import { XdsReconciler } from '../../../internal/xds/sync/reconciler';

const dp = (name: string, service: string, ip: string, outbounds: string[]) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  labels: {},
  spec: {
    networking: {
      address: ip,
      inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }],
      outbound: outbounds.map((s, i) => ({ port: 10001 + i, tags: { 'kuma.io/service': s } })),
    },
  },
});

describe('XdsReconciler change index', () => {
  let store: MemoryStore;
  let reconciler: XdsReconciler;
  let clock = Date.now();
  const delta = async (fn: () => Promise<unknown>) => {
    const before = reconciler.stats();
    await fn();
    await reconciler.whenIdle();
    const after = reconciler.stats();
    return { hashed: after.hashed - before.hashed, generated: after.generated - before.generated };
  };

  beforeEach(async () => {
    store = new MemoryStore();
    await store.create({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {} });
    // a reaches b, b reaches c, c reaches a, d reaches nothing
    await store.create(dp('a-0', 'a', '10.0.0.1', ['b']));
    await store.create(dp('b-0', 'b', '10.0.0.2', ['c']));
    await store.create(dp('c-0', 'c', '10.0.0.3', ['a']));
    await store.create(dp('d-0', 'd', '10.0.0.4', []));
    const identities = new IdentityProvider({ store, now: () => new Date(clock), defaultValidityMs: 60_000 });
    reconciler = new XdsReconciler({ store, registry, cache: new SnapshotCache(), identities, zone: 'zone-1', debounceMs: 1, log: pino({ level: 'silent' }) });
    await Promise.all(['a-0', 'b-0', 'c-0', 'd-0'].map((n) => reconciler.connect(`default.${n}`, 'default', n)));
    await reconciler.whenIdle();
    expect(reconciler.stats()).toEqual({ hashed: 4, generated: 4 });
  });

  afterEach(() => reconciler.stop());

  it('a new instance of c regenerates only the proxy reaching c', async () => {
    expect(await delta(() => store.create(dp('c-1', 'c', '10.0.0.9', [])))).toEqual({ hashed: 1, generated: 1 });
  });

  it('an instance of a that stops being ready regenerates only the proxy reaching a', async () => {
    const unready = dp('a-0', 'a', '10.0.0.1', ['b']);
    (unready.spec.networking.inbound[0] as Record<string, unknown>).health = { ready: false };
    // a-0 itself (its own Dataplane) and c-0 (reaches a)
    expect(await delta(() => store.update(unready))).toEqual({ hashed: 2, generated: 2 });
  });

  it('a status write looks at nobody', async () => {
    expect(await delta(() => store.create({ type: 'DataplaneInsight', mesh: 'default', name: 'a-0', labels: {}, spec: { subscriptions: [] } }))).toEqual({ hashed: 0, generated: 0 });
  });

  it('a mesh-wide policy looks at every proxy of the mesh', async () => {
    const policy = { type: 'MeshTimeout', mesh: 'default', name: 't', labels: {}, spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'Mesh' }, default: { connectionTimeout: '2s' } }] } };
    const d = await delta(() => store.create(policy));
    expect(d.hashed).toBe(4);
    expect(d.generated).toBeGreaterThanOrEqual(3); // the three with an outbound at least
  });

  it('a change to another mesh looks at nobody here', async () => {
    await store.create({ type: 'Mesh', mesh: '', name: 'other', labels: {}, spec: {} });
    expect(await delta(() => store.create({ ...dp('x-0', 'a', '10.0.1.1', []), mesh: 'other' }))).toEqual({ hashed: 0, generated: 0 });
  });

  it('a certificate renewal regenerates the due proxy only', async () => {
    const { ensureMeshCa } = await import('../../../internal/ca/builtin-ca');
    const mesh = { type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: { mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } } };
    const ops = await ensureMeshCa(store, { ...mesh, version: 1, creationTime: '', modificationTime: '' });
    const enable = await delta(() => store.transact([{ op: 'update', resource: mesh }, ...ops]));
    expect(enable).toEqual({ hashed: 4, generated: 4 }); // every proxy got its certificate
    // 60 s validity, renewal after 48 s: past it, b-0's timer fires (here: at once)
    clock += 49_000;
    expect(await delta(async () => reconciler.renew('default.b-0'))).toEqual({ hashed: 1, generated: 1 });
  });
});
