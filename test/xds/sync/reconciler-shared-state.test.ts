/**
 * What proxies share lives on the mesh's MeshContext (memo.ts): two alike proxies' snapshots hold
 * the same encoded outbound listener, and the context (with everything memoized on it) is dropped
 * when its inputs change and when the last proxy of the mesh disconnects.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityProvider } from '../../../internal/ca/identity-provider';
import { registry } from '../../../internal/resources/types/index';
import { MemoryStore } from '../../../internal/store/memory-store';
import { SnapshotCache } from '../../../internal/xds/cache/snapshot-cache';
import { LISTENER_TYPE_URL } from '../../../internal/xds/cache/resource-types';
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

const OUTBOUND = 'outbound:127.0.0.1:10001';

describe('XdsReconciler shared state', () => {
  let store: MemoryStore;
  let cache: SnapshotCache;
  let reconciler: XdsReconciler;

  beforeEach(async () => {
    store = new MemoryStore();
    await store.create({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {} });
    await store.create(dp('web-0', 'web', '10.0.0.1', ['backend']));
    await store.create(dp('web-1', 'web', '10.0.0.2', ['backend']));
    await store.create(dp('backend-0', 'backend', '10.0.0.3', []));
    cache = new SnapshotCache();
    const identities = new IdentityProvider({ store, defaultValidityMs: 60_000 });
    reconciler = new XdsReconciler({ store, registry, cache, identities, zone: 'zone-1', debounceMs: 1, log: pino({ level: 'silent' }) });
    await Promise.all(['web-0', 'web-1'].map((n) => reconciler.connect(`default.${n}`, 'default', n)));
    await reconciler.whenIdle();
  });

  afterEach(() => reconciler.stop());

  const listenerOf = (node: string) => cache.getSnapshot(node)!.resources(LISTENER_TYPE_URL).get(OUTBOUND)!;

  it('alike proxies hold one encoded outbound listener', () => {
    expect(listenerOf('default.web-0')).toBe(listenerOf('default.web-1'));
    expect(listenerOf('default.web-0').resource.value).toBe(listenerOf('default.web-1').resource.value);
  });

  it('a changed input drops the context; the proxies then share the new listener', async () => {
    const before = reconciler.meshContext('default');
    await store.create({
      type: 'MeshTimeout',
      mesh: 'default',
      name: 'idle',
      labels: {},
      spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'Mesh' }, default: { http: { streamIdleTimeout: '7s' } } }] },
    });
    await reconciler.whenIdle();
    expect(reconciler.meshContext('default')).not.toBe(before);
    expect(reconciler.sizes().meshContexts).toBe(1);
    expect(listenerOf('default.web-0')).toBe(listenerOf('default.web-1'));
  });

  it('keeps the context while a proxy of the mesh is connected and drops it with the last one', async () => {
    expect(reconciler.sizes().meshContexts).toBe(1);
    reconciler.disconnect('default.web-0');
    expect(reconciler.sizes().meshContexts).toBe(1);
    reconciler.disconnect('default.web-1');
    expect(reconciler.sizes()).toMatchObject({ proxies: 0, meshContexts: 0 });
    // A store change with nobody connected builds and keeps nothing.
    await store.create(dp('web-2', 'web', '10.0.0.4', ['backend']));
    await reconciler.whenIdle();
    expect(reconciler.sizes().meshContexts).toBe(0);
  });
});
