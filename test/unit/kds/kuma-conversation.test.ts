/**
 * A recorded Kuma 2.14.3 global->zone exchange (test/fixtures/kuma-wire/
 * mesh-delta-response.*: the first DeltaDiscoveryResponse for Mesh, two
 * meshes, built by Kuma's own snapshot builder and go-control-plane) replayed
 * through our zone's receiving side into a real store, and our global's
 * sending side producing the same response from the same meshes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import { applyBatch, fromGlobalSide } from '../../../internal/kds/apply';
import { DeltaReceiver } from '../../../internal/kds/delta-receiver';
import { DeltaSender } from '../../../internal/kds/delta-sender';
import { mapForZone } from '../../../internal/kds/mappers';
import { EncodeCache, outboxSnapshot } from '../../../internal/kds/outbox';
import { registry } from '../../../internal/resources/types';
import { MemoryStore } from '../../../internal/store/memory-store';

const DIR = path.resolve(__dirname, '../../fixtures/kuma-wire');
const recorded = DeltaDiscoveryResponse.decode(Buffer.from(fs.readFileSync(path.join(DIR, 'mesh-delta-response.hex'), 'utf8').trim(), 'hex'));

const MESH_DEFAULT = {
  mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin', dpCert: { rotation: { expiration: '24h' } }, conf: { caCert: { RSAbits: 2048, expiration: '10y' } } }] },
  routing: { zoneEgress: true },
};

describe('a recorded Kuma global->zone Mesh exchange', () => {
  it('is applied by our zone as a full state and ACKed as Kuma zones ACK', async () => {
    const store = new MemoryStore();
    // A stale global-origin mesh: the first response is the whole state, so it goes.
    await store.create({ type: 'Mesh', mesh: '', name: 'stale', labels: { 'kuma.io/origin': 'global' }, spec: {} });
    const sent: DeltaDiscoveryRequest[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const receiver = new DeltaReceiver({
        types: ['Mesh'],
        node: { id: 'zone-1' } as never,
        send: (req) => {
          sent.push(req);
          if (req.responseNonce) resolve();
        },
        apply: (type, batch) => applyBatch(store, registry, fromGlobalSide, type, batch),
        onFatal: reject,
      });
      receiver.start();
      receiver.onResponse(recorded);
    });
    await done;

    const subscribe = sent[0]!;
    expect(subscribe).toMatchObject({ typeUrl: 'Mesh', resourceNamesSubscribe: ['*'], responseNonce: '' });
    const ack = sent[1]!;
    expect(ack).toMatchObject({ typeUrl: 'Mesh', responseNonce: '1', node: { id: 'zone-1' }, resourceNamesSubscribe: [] });
    expect(ack.errorDetail).toBeUndefined();

    const meshes = store.list('Mesh').items.map((r) => ({ name: r.name, labels: r.labels, spec: r.spec }));
    expect(meshes).toEqual([
      { name: 'default', labels: { 'kuma.io/origin': 'global' }, spec: MESH_DEFAULT },
      { name: 'second', labels: { 'kuma.io/origin': 'global' }, spec: {} },
    ]);
  });

  it('is what our global sends for the same meshes, byte for byte', async () => {
    const store = new MemoryStore();
    await store.create({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: MESH_DEFAULT });
    await store.create({ type: 'Mesh', mesh: '', name: 'second', labels: {}, spec: {} });
    const cache = new EncodeCache(mapForZone);
    const out: DeltaDiscoveryResponse[] = [];
    const sender = new DeltaSender({ types: ['Mesh'], snapshot: (t) => outboxSnapshot(store, registry, cache, t, () => true), send: (r) => out.push(r), maxMsgBytes: 10 * 1024 * 1024 });
    sender.onRequest(DeltaDiscoveryRequest.fromPartial({ typeUrl: 'Mesh', resourceNamesSubscribe: ['*'], node: { id: 'zone-1' } }));
    expect(out).toHaveLength(1);
    // By value: ts-proto writes Resource fields in declaration order, Go by field number.
    expect(out[0]).toEqual(recorded);
    for (const [i, r] of out[0]!.resources.entries()) expect(r.resource!.value.equals(recorded.resources[i]!.resource!.value)).toBe(true);
  });
});
