/**
 * A proxy whose config cannot be generated (here a MeshProxyPatch JSON patch whose path does not
 * exist in its config) keeps its last config, and the other proxies of the mesh still get theirs.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from '../../../proto/gen/envoy/config/cluster/v3/cluster';
import { IdentityProvider } from '../../../internal/ca/identity-provider';
import { registry } from '../../../internal/resources/types/index';
import { MemoryStore } from '../../../internal/store/memory-store';
import { SnapshotCache } from '../../../internal/xds/cache/snapshot-cache';
import { CLUSTER_TYPE_URL } from '../../../internal/xds/cache/resource-types';
import { XdsReconciler } from '../../../internal/xds/sync/reconciler';

const dp = (name: string, service: string, ip: string, outbound: string) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  labels: {},
  spec: {
    networking: {
      address: ip,
      inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }],
      outbound: [{ port: 10001, tags: { 'kuma.io/service': outbound } }],
    },
  },
});

describe('XdsReconciler when one proxy fails to generate', () => {
  let reconciler: XdsReconciler | undefined;
  afterEach(() => reconciler?.stop());

  it('keeps that proxy on its last config and configures the rest of the mesh', async () => {
    const store = new MemoryStore();
    const errors: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => errors.push(line) });
    await store.create({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {} });
    // a-0 is generated first (name order), so a failure that aborted the pass would starve b-0.
    await store.create(dp('a-0', 'a', '10.0.0.1', 'b'));
    await store.create(dp('b-0', 'b', '10.0.0.2', 'a'));
    const cache = new SnapshotCache();
    const identities = new IdentityProvider({ store, defaultValidityMs: 60_000 });
    reconciler = new XdsReconciler({ store, registry, cache, identities, zone: 'zone-1', debounceMs: 1, log });
    await Promise.all(['a-0', 'b-0'].map((n) => reconciler!.connect(`default.${n}`, 'default', n)));
    await reconciler.whenIdle();
    const timeoutOf = (node: string, cluster: string) => {
      const r = cache.getSnapshot(node)!.resources(CLUSTER_TYPE_URL).get(cluster)!;
      return Cluster.decode(r.resource.value).connectTimeout;
    };
    const before = timeoutOf('default.a-0', 'b');

    await store.create({
      type: 'MeshProxyPatch',
      mesh: 'default',
      name: 'broken-for-a',
      labels: {},
      spec: {
        targetRef: { kind: 'MeshService', name: 'a' },
        default: { appendModifications: [{ cluster: { operation: 'Patch', match: { name: 'b' }, jsonPatches: [{ op: 'replace', path: '/noSuch/field', value: 1 }] } }] },
      },
    });
    await store.create({ type: 'MeshTimeout', mesh: 'default', name: 't', labels: {}, spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'Mesh' }, default: { connectionTimeout: '2s' } }] } });
    await reconciler.whenIdle();

    expect(timeoutOf('default.b-0', 'a')).toEqual({ seconds: '2', nanos: 0 });
    expect(timeoutOf('default.a-0', 'b')).toEqual(before);
    const logged = errors.map((l) => JSON.parse(l) as { msg: string; proxy: string; err: string });
    expect(logged).toEqual([expect.objectContaining({ msg: 'xDS generation failed; the proxy keeps its last config', proxy: 'a-0' })]);
    expect(logged[0]!.err).toContain('MeshProxyPatch appendModifications[0].cluster: jsonPatches[0]: path "/noSuch/field": "/noSuch" does not exist');
  });
});
