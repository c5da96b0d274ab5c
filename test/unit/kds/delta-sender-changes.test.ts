/**
 * DeltaSender.refresh(changes) costs what changed: with the zone's outbox (every zone->global type,
 * Kuma's mapping), an insight write looks at that one record of that one type, never rebuilds a
 * type's whole state, and sends exactly the change; deletes and moved wire names are retracted.
 */
import { describe, expect, it } from 'vitest';
import type { DeltaDiscoveryResponse } from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import { ChangeCollector, DeltaSender } from '../../../internal/kds/delta-sender';
import { sendToGlobal, typesZoneToGlobal } from '../../../internal/kds/filters';
import { mapForGlobal } from '../../../internal/kds/mappers';
import { EncodeCache, outboxSnapshot } from '../../../internal/kds/outbox';
import { registry } from '../../../internal/resources/types/index';
import { MemoryStore } from '../../../internal/store/memory-store';
import { zoneToGlobalEntry } from '../../../internal/kds/zone/kds-client';

const DP = (i: number) => ({ type: 'Dataplane', mesh: 'default', name: `dp-${i}`, labels: {}, spec: { networking: { address: `10.0.0.${i}`, inbound: [{ port: 80, tags: { 'kuma.io/service': `svc-${i}` } }] } } });
const INSIGHT = (i: number, n: number) => ({ type: 'DataplaneInsight', mesh: 'default', name: `dp-${i}`, labels: {}, spec: { subscriptions: [{ id: `s-${i}`, controlPlaneInstanceId: 'cp', status: { total: { responsesSent: String(n) } } }] } });

async function zoneOutbox(maxMsgBytes = 4 << 20) {
  const store = new MemoryStore();
  await store.create({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {} });
  for (let i = 0; i < 50; i++) {
    await store.create(DP(i));
    await store.create(INSIGHT(i, 0));
  }
  const types = typesZoneToGlobal(registry).map((d) => d.name);
  const cache = new EncodeCache((_d, r) => mapForGlobal(r, 'zone-1'));
  const sent: DeltaDiscoveryResponse[] = [];
  const sender = new DeltaSender({
    types,
    snapshot: (type) => outboxSnapshot(store, registry, cache, type, (d, r) => sendToGlobal(d, r)),
    entry: (type, r) => zoneToGlobalEntry(cache, registry.mustByName(type), r),
    send: (r) => sent.push(r),
    maxMsgBytes,
  });
  for (const t of types) sender.onRequest({ typeUrl: t, resourceNamesSubscribe: ['*'] } as never);
  const changes = new ChangeCollector();
  store.watch((evs) => changes.add(evs));
  return { store, sender, sent, changes, types };
}

describe('DeltaSender.refresh(changes)', () => {
  it('a copy of another zone\'s MeshService arriving never retracts this zone\'s own one of the same name', async () => {
    const { store, sender, sent, changes } = await zoneOutbox();
    await store.create({ type: 'MeshService', mesh: 'default', name: 'backend', labels: { 'kuma.io/origin': 'zone' }, spec: { ports: [{ port: 80 }] } });
    sender.refresh(changes.take());
    expect(sent.at(-1)!.resources.map((r) => r.name)).toEqual([mapForGlobal({ type: 'MeshService', mesh: 'default', name: 'backend', labels: {}, spec: {}, version: 1, creationTime: '', modificationTime: '' }, 'zone-1').name + '.default']);
    sent.length = 0;
    await store.create({ type: 'MeshService', mesh: 'default', name: 'backend-x5d9', labels: { 'kuma.io/origin': 'global', 'kuma.io/zone': 'zone-2', 'kuma.io/display-name': 'backend' }, spec: { ports: [{ port: 80 }] } });
    sender.refresh(changes.take());
    expect(sent).toEqual([]);
  });

  it('an insight write encodes that one record and rebuilds no type', async () => {
    const { store, sender, sent, changes, types } = await zoneOutbox();
    const before = sender.stats();
    expect(Object.keys(before.snapshots).sort()).toEqual([...types].sort()); // one per subscription
    sent.length = 0;
    await store.update(INSIGHT(7, 1));
    sender.refresh(changes.take());
    const after = sender.stats();
    expect(after.snapshots).toEqual(before.snapshots);
    expect(after.entries).toEqual({ DataplaneInsight: 2 }); // the new state and the one it replaced
    expect(sent.map((r) => [r.typeUrl, r.resources.length, r.removedResources.length])).toEqual([['DataplaneInsight', 1, 0]]);
    // a write that changes nothing on the wire sends nothing
    sent.length = 0;
    await store.update(INSIGHT(7, 1));
    sender.refresh(changes.take());
    expect(sent).toEqual([]);
  });

  it('retracts deleted records and the old wire name of a renamed one', async () => {
    const { store, sender, sent, changes } = await zoneOutbox();
    sent.length = 0;
    await store.delete({ type: 'Dataplane', mesh: 'default', name: 'dp-3' });
    const cur = store.get({ type: 'Dataplane', mesh: 'default', name: 'dp-4' })!;
    await store.update({ ...DP(4), labels: { 'kuma.io/display-name': 'renamed' } }, cur.version);
    // a record that stops passing the filter is retracted too
    await store.update({ ...INSIGHT(5, 0), labels: { 'kuma.io/kds-sync': 'disabled' } });
    sender.refresh(changes.take());
    const byType = new Map(sent.map((r) => [r.typeUrl, r]));
    const dps = byType.get('Dataplane')!;
    expect(dps.removedResources).toHaveLength(2);
    expect(dps.resources).toHaveLength(1);
    expect(dps.resources[0]!.name).not.toBe(dps.removedResources[1]);
    expect(byType.get('DataplaneInsight')!.removedResources).toHaveLength(1);
    expect(sender.stats().snapshots).toEqual(Object.fromEntries(Object.keys(sender.stats().snapshots).map((t) => [t, 1])));
  });

  it('without a change set, refreshes every subscribed type whole (as before)', async () => {
    const { store, sender, sent, types } = await zoneOutbox();
    sent.length = 0;
    await store.update(INSIGHT(1, 9));
    sender.refresh();
    expect(Object.values(sender.stats().snapshots).every((n) => n === 2)).toBe(true);
    expect(Object.keys(sender.stats().snapshots)).toHaveLength(types.length);
    expect(sent.map((r) => r.typeUrl)).toEqual(['DataplaneInsight']);
  });

  it('a chunked full state counts as ACKed only when its last part is (the receiver applies it then)', async () => {
    const { sender, sent } = await zoneOutbox(1024);
    const dps = sent.filter((r) => r.typeUrl === 'Dataplane');
    expect(dps.length).toBeGreaterThan(1);
    expect(dps[0]!.systemVersionInfo).toMatch(/1\/\d+$/);
    const first = dps[0]!.resources[0]!.name;
    sender.onRequest({ typeUrl: 'Dataplane', responseNonce: dps[0]!.nonce } as never);
    expect(sender.delivery('Dataplane', first)?.ackedVersion).toBeUndefined();
    sender.onRequest({ typeUrl: 'Dataplane', responseNonce: dps.at(-1)!.nonce } as never);
    expect(sender.delivery('Dataplane', first)?.ackedVersion).toBe(dps[0]!.resources[0]!.version);
  });
});
