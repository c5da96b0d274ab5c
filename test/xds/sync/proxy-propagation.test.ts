/**
 * The zone's answer to the global's `_propagation` question, on a real reconciler and snapshot
 * cache with ACKs fed through the ledger's ADS hooks: which sidecars a policy affects, and for
 * each whether it ACKed (every type of) a config that holds the policy's current version.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityProvider } from '../../../internal/ca/identity-provider';
import { registry } from '../../../internal/resources/types/index';
import { MemoryStore } from '../../../internal/store/memory-store';
import { SnapshotCache } from '../../../internal/xds/cache/snapshot-cache';
import { CLUSTER_TYPE_URL } from '../../../internal/xds/cache/resource-types';
import type { StreamCallbacks } from '../../../internal/xds/server/callbacks';
import { ConfigAckLedger } from '../../../internal/xds/sync/config-acks';
import { ackStateOf, proxyPropagation } from '../../../internal/xds/sync/proxy-propagation';
import { XdsReconciler } from '../../../internal/xds/sync/reconciler';

type Node = Parameters<NonNullable<StreamCallbacks['onStreamRequest']>>[1];

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
const timeout = (name: string, targetRef: Record<string, unknown>) => ({
  type: 'MeshTimeout',
  mesh: 'default',
  name,
  labels: {},
  spec: { targetRef, to: [{ targetRef: { kind: 'Mesh' }, default: { connectionTimeout: '2s' } }] },
});

describe('proxyPropagation', () => {
  let store: MemoryStore;
  let reconciler: XdsReconciler;
  let cache: SnapshotCache;
  let acks: ConfigAckLedger;
  const ask = (name: string) => proxyPropagation({ store, registry, reconciler, acks }, { type: 'MeshTimeout', mesh: 'default', name });
  const states = (name: string) => Object.fromEntries(ask(name).proxies.map((p) => [p.name, p.state]));
  /** The proxy answers every type of its current snapshot: ACK, or a NACK of `nackType`. */
  const answerAll = (name: string, nack?: { typeUrl: string; error: string }) => {
    const snap = cache.getSnapshot(`default.${name}`)!;
    const cb = acks.callbacks();
    for (const typeUrl of snap.typeUrls()) {
      if (snap.resources(typeUrl).size === 0) continue;
      const bad = nack?.typeUrl === typeUrl;
      cb.onStreamRequest!(1, { id: `default.${name}` } as Node, typeUrl, { kind: bad ? 'nack' : 'ack', version: snap.version(typeUrl), nonce: 'x', resourceNames: [], ...(bad ? { errorDetail: nack.error } : {}) });
    }
  };
  const write = async (fn: () => Promise<unknown>) => {
    await fn();
    await new Promise((r) => setTimeout(r, 5)); // past the reconciler's debounce
    await reconciler.whenIdle();
  };

  beforeEach(async () => {
    store = new MemoryStore();
    await store.create({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {} });
    await store.create(dp('a-0', 'a', '10.0.0.1', ['b']));
    await store.create(dp('b-0', 'b', '10.0.0.2', ['a']));
    await store.create(dp('c-0', 'c', '10.0.0.3', ['a']));
    cache = new SnapshotCache();
    acks = new ConfigAckLedger();
    const identities = new IdentityProvider({ store, defaultValidityMs: 60_000 });
    reconciler = new XdsReconciler({
      store,
      registry,
      cache,
      identities,
      zone: 'zone-1',
      debounceMs: 1,
      log: pino({ level: 'silent' }),
      onBuilt: (n, seq, v) => acks.built(n, seq, v),
      onForget: (n) => acks.forget(n),
    });
    await Promise.all(['a-0', 'b-0'].map((n) => reconciler.connect(`default.${n}`, 'default', n)));
    await reconciler.whenIdle();
    answerAll('a-0');
    answerAll('b-0');
  });

  afterEach(() => reconciler.stop());

  it('lists the sidecars a mesh-wide policy affects; ACKed only once every type of the new config is', async () => {
    await write(() => store.create(timeout('t', { kind: 'Mesh' })));
    expect(states('t')).toEqual({ 'a-0': 'Pending', 'b-0': 'Pending', 'c-0': 'Disconnected' });
    // Envoy ACKs CDS first (the timeout is a cluster setting): EDS, re-versioned with CDS, is not
    // ACKed yet, so neither is the config (the flaw the per-type versions fix).
    const snap = cache.getSnapshot('default.a-0')!;
    acks.callbacks().onStreamRequest!(1, { id: 'default.a-0' } as Node, CLUSTER_TYPE_URL, { kind: 'ack', version: snap.version(CLUSTER_TYPE_URL), nonce: 'y', resourceNames: [] });
    expect(ask('t').proxies.find((p) => p.name === 'a-0')).toMatchObject({ state: 'Pending', waitingFor: expect.arrayContaining(['EDS']) });
    expect(ask('t').proxies.find((p) => p.name === 'a-0')!.waitingFor).not.toContain('CDS');
    answerAll('a-0');
    answerAll('b-0', { typeUrl: CLUSTER_TYPE_URL, error: "cannot bind '10.0.0.2:8080': Address already in use" });
    const rows = ask('t');
    expect(rows.found).toBe(true);
    expect(rows.proxies.find((p) => p.name === 'a-0')).toMatchObject({ state: 'ACKed', ackedAt: expect.any(String) });
    expect(rows.proxies.find((p) => p.name === 'b-0')).toMatchObject({ state: 'NACKed', error: "cannot bind '10.0.0.2:8080': Address already in use", waitingFor: ['CDS'] });
  });

  it('a policy selecting one service lists only its proxies', async () => {
    await write(() => store.create(timeout('only-a', { kind: 'MeshSubset', tags: { 'kuma.io/service': 'a' } })));
    expect(Object.keys(states('only-a'))).toEqual(['a-0']);
  });

  it('a disconnected proxy shows as such and its ledger entry is freed', async () => {
    await write(() => store.create(timeout('t', { kind: 'Mesh' })));
    reconciler.disconnect('default.a-0');
    expect(states('t')['a-0']).toBe('Disconnected');
    expect(acks.state('default.a-0')).toBeUndefined();
  });

  it('a Mesh lists this zone\'s ingress (not a remote zone\'s): Pending until it ACKs the config built after the change', async () => {
    const zi = (name: string, zone?: string) => ({ type: 'ZoneIngress', mesh: '', name, labels: {}, spec: { ...(zone ? { zone } : {}), networking: { address: '127.0.0.1', port: 10001, advertisedAddress: '127.0.0.1', advertisedPort: 10001 } } });
    await store.create(zi('zi-1'));
    await store.create(zi('zi-remote', 'zone-2'));
    await reconciler.connect('zi-1', '', 'zi-1', 'ingress');
    await reconciler.whenIdle();
    const askMesh = () => proxyPropagation({ store, registry, reconciler, acks, zone: 'zone-1' }, { type: 'Mesh', mesh: '', name: 'default' });
    const ingressRows = () => askMesh().proxies.filter((p) => p.kind);
    expect(ingressRows().map((p) => [p.kind, p.name])).toEqual([['ZoneIngress', 'zi-1']]);
    const answerIngress = () => {
      const snap = cache.getSnapshot('zi-1')!;
      for (const typeUrl of snap.typeUrls()) {
        if (snap.resources(typeUrl).size === 0) continue;
        acks.callbacks().onStreamRequest!(1, { id: 'zi-1' } as Node, typeUrl, { kind: 'ack', version: snap.version(typeUrl), nonce: 'z', resourceNames: [] });
      }
    };
    answerIngress();
    expect(ingressRows()).toMatchObject([{ name: 'zi-1', state: 'ACKed', ackedAt: expect.any(String) }]);
    // A change to the mesh: the ingress is rebuilt (or left as it was) and must ACK again.
    const mesh = store.get({ type: 'Mesh', mesh: '', name: 'default' })!;
    await write(() => store.update({ ...mesh, spec: { routing: { localityAwareLoadBalancing: true } } }));
    const after = ingressRows()[0]!;
    if (after.state !== 'ACKed') {
      expect(after.state).toBe('Pending');
      answerIngress();
      expect(ingressRows()[0]!.state).toBe('ACKed');
    }
    reconciler.disconnect('zi-1');
    expect(ingressRows()).toEqual([{ kind: 'ZoneIngress', mesh: '', name: 'zi-1', state: 'Disconnected', note: "not connected to zone-1's control plane (no xDS stream)" }]);
    // With the insight's last subscription, the row says since when.
    await store.create({ type: 'ZoneIngressInsight', mesh: '', name: 'zi-1', labels: {}, spec: { subscriptions: [{ id: 's1', controlPlaneInstanceId: 'cp', connectTime: '2026-12-04T10:00:00.000Z', disconnectTime: '2026-12-04T10:05:00.000Z' }] } });
    expect(ingressRows()[0]!.note).toBe("not connected to zone-1's control plane since 2026-12-04T10:05:00.000Z");
  });

  it('a disconnected sidecar says why', async () => {
    await write(() => store.create(timeout('t', { kind: 'Mesh' })));
    const c = ask('t').proxies.find((p) => p.name === 'c-0')!;
    expect(c).toEqual({ mesh: 'default', name: 'c-0', state: 'Disconnected', note: "not connected to this zone's control plane (no xDS stream)" });
  });

  it('a policy whose to[] reaches a MeshExternalService lists the zone egress, which applies it (egress-to-conf); one to a MeshService does not', async () => {
    const { ensureMeshCa } = await import('../../../internal/ca/builtin-ca');
    const mesh = { type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: { mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } } };
    const ops = await ensureMeshCa(store, { ...mesh, version: 1, creationTime: '', modificationTime: '' });
    await write(() => store.transact([{ op: 'update', resource: mesh }, ...ops]));
    await write(() => store.create({ type: 'MeshExternalService', mesh: 'default', name: 'ext', labels: {}, spec: { match: { type: 'HostnameGenerator', port: 80, protocol: 'http' }, endpoints: [{ address: '198.51.100.1', port: 8080 }] } }));
    await write(() => store.create({ type: 'ZoneEgress', mesh: '', name: 'ze-1', labels: {}, spec: { networking: { address: '127.0.0.1', port: 10002 } } }));
    await reconciler.connect('ze-1', '', 'ze-1', 'egress');
    await reconciler.whenIdle();
    const cb = (name: string, to: Record<string, unknown>, top: Record<string, unknown> = { kind: 'Mesh' }) => ({
      type: 'MeshCircuitBreaker',
      mesh: 'default',
      name,
      labels: {},
      spec: { targetRef: top, to: [{ targetRef: to, default: { connectionLimits: { maxConnections: 3 } } }] },
    });
    await write(() => store.create(cb('to-ext', { kind: 'MeshExternalService', name: 'ext' }, { kind: 'MeshSubset', tags: { 'kuma.io/service': 'a' } })));
    await write(() => store.create(cb('to-b', { kind: 'MeshService', name: 'b' })));
    const rows = (name: string) => proxyPropagation({ store, registry, reconciler, acks, zone: 'zone-1' }, { type: 'MeshCircuitBreaker', mesh: 'default', name }).proxies.map((p) => `${p.kind ?? 'Dataplane'}/${p.name}`);
    // Its sidecars by the top-level targetRef, and the egress whatever that says.
    expect(rows('to-ext')).toEqual(['Dataplane/a-0', 'ZoneEgress/ze-1']);
    expect(rows('to-b')).toEqual(['Dataplane/a-0', 'Dataplane/b-0', 'Dataplane/c-0']);
  });

  it('a route sending to a subset lists the zone ingress (it gets a chain per subset); one to a whole service does not', async () => {
    await store.create({ type: 'ZoneIngress', mesh: '', name: 'zi-1', labels: {}, spec: { networking: { address: '127.0.0.1', port: 10001, advertisedAddress: '127.0.0.1', advertisedPort: 10001 } } });
    await reconciler.connect('zi-1', '', 'zi-1', 'ingress');
    const route = (name: string, backendRef: Record<string, unknown>) => ({
      type: 'MeshHTTPRoute',
      mesh: 'default',
      name,
      labels: {},
      spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'MeshService', name: 'b' }, rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], default: { backendRefs: [backendRef] } }] }] },
    });
    await write(() => store.create(route('to-v2', { kind: 'MeshServiceSubset', name: 'b', tags: { version: 'v2' } })));
    await write(() => store.create(route('to-b', { kind: 'MeshService', name: 'b' })));
    const rows = (name: string) => proxyPropagation({ store, registry, reconciler, acks, zone: 'zone-1' }, { type: 'MeshHTTPRoute', mesh: 'default', name }).proxies.filter((p) => p.kind).map((p) => `${p.kind}/${p.name}`);
    expect(rows('to-v2')).toEqual(['ZoneIngress/zi-1']);
    expect(rows('to-b')).toEqual([]);
  });

  it('unknown records and types that configure no proxy say so', () => {
    expect(ask('nope')).toEqual({ found: false, proxies: [] });
    expect(proxyPropagation({ store, registry, reconciler, acks }, { type: 'Nope', mesh: 'default', name: 'x' }).note).toMatch(/unknown type "Nope"/);
  });
});

describe('ackStateOf', () => {
  const st = { ackedSeq: 3, ackedAtMs: 1, pendingTypes: [] as string[] };
  it('a config built from the record on is ACKed', () => expect(ackStateOf(st, 3, 0)).toBe('ACKed'));
  it('an older fully ACKed config counts once the mesh was looked at past the record', () => {
    expect(ackStateOf(st, 5, 5)).toBe('ACKed');
    expect(ackStateOf(st, 5, 4)).toBe('Pending');
    expect(ackStateOf({ ...st, pendingTypes: ['L'], pendingSeq: 6 }, 5, 6)).toBe('Pending');
  });
  it('nothing ACKed and a rejection: NACKed', () => {
    expect(ackStateOf({ ackedSeq: 0, pendingTypes: ['L'], nack: { typeUrl: 'L', version: 'v', error: 'e', atMs: 1 } }, 1, 9)).toBe('NACKed');
  });
});
