/** DeltaSender and DeltaReceiver wired back to back (no gRPC): the KDS protocol logic as a trace. */
import { describe, expect, it } from 'vitest';
import type { DeltaDiscoveryResponse } from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import { DeltaReceiver, type ReceivedBatch } from '../../../internal/kds/delta-receiver';
import { DeltaSender } from '../../../internal/kds/delta-sender';
import { encodeResource, type EncodedResource } from '../../../internal/kds/wire';

const MESH_RETRY = { name: 'MeshRetry', nestedSpec: true };

function state(n: number, prefix = 'p'): Map<string, EncodedResource> {
  const m = new Map<string, EncodedResource>();
  for (let i = 0; i < n; i++) {
    const e = encodeResource(MESH_RETRY, { type: 'MeshRetry', mesh: 'default', name: `${prefix}-${i}`, labels: {}, spec: { targetRef: { kind: 'Mesh' }, padding: 'x'.repeat(100) } });
    m.set(e.wireName, e);
  }
  return m;
}

function pair(snapshot: () => Map<string, EncodedResource>, maxMsgBytes: number) {
  const sent: DeltaDiscoveryResponse[] = [];
  const applied: ReceivedBatch[] = [];
  const acks: { nonce: string; error?: string }[] = [];
  let receiver!: DeltaReceiver;
  const sender = new DeltaSender({
    types: ['MeshRetry'],
    snapshot,
    maxMsgBytes,
    send: (resp) => {
      sent.push(resp);
      receiver.onResponse(resp);
    },
  });
  receiver = new DeltaReceiver({
    types: ['MeshRetry'],
    node: { id: 'zone-1' } as never,
    send: (req) => {
      if (req.responseNonce) acks.push({ nonce: req.responseNonce, error: req.errorDetail?.message });
      sender.onRequest(req);
    },
    apply: async (_t, b) => {
      applied.push(b);
      return b.resources.length === 1 && b.resources[0]!.name === 'bad-0.default' ? ['bad resource'] : [];
    },
    onFatal: (e) => {
      throw e;
    },
  });
  return { sender, receiver, sent, applied, acks };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('KDS delta streams', () => {
  it('splits a large full state into parts and applies it once, whole', async () => {
    const p = pair(() => state(5000), 64 * 1024);
    p.receiver.start();
    await settle();
    expect(p.sent.length).toBeGreaterThan(5);
    expect(p.sent.every((m) => m.resources.reduce((n, r) => n + (r.resource?.value.length ?? 0), 0) < 64 * 1024)).toBe(true);
    expect(p.sent.map((m) => m.systemVersionInfo)).toEqual(p.sent.map((_, i) => `full:${i + 1}/${p.sent.length}`));
    expect(p.applied).toHaveLength(1);
    expect(p.applied[0]!.full).toBe(true);
    expect(p.applied[0]!.resources).toHaveLength(5000);
    expect(p.acks.map((a) => a.nonce)).toEqual(p.sent.map((m) => m.nonce));
  });

  it('afterwards sends only changes and removals', async () => {
    let snap = state(3);
    const p = pair(() => snap, 1024 * 1024);
    p.receiver.start();
    await settle();
    const changed = encodeResource(MESH_RETRY, { type: 'MeshRetry', mesh: 'default', name: 'p-1', labels: { changed: 'yes' }, spec: {} });
    snap = new Map(snap);
    snap.set(changed.wireName, changed);
    snap.delete('p-2.default');
    p.sender.refresh();
    await settle();
    expect(p.applied).toHaveLength(2);
    expect(p.applied[1]).toMatchObject({ full: false, removed: ['p-2.default'] });
    expect(p.applied[1]!.resources.map((r) => r.name)).toEqual(['p-1.default']);
    p.sender.refresh();
    await settle();
    expect(p.applied).toHaveLength(2); // nothing changed, nothing sent
  });

  it('NACKs with the reason of a rejected resource', async () => {
    const p = pair(() => state(1, 'bad'), 1024 * 1024);
    p.receiver.start();
    await settle();
    expect(p.acks).toEqual([{ nonce: '1', error: 'bad resource' }]);
  });

  it('NACKs and never applies a type it did not subscribe to (a zone sending a Mesh to the global)', async () => {
    const p = pair(() => state(0), 1024 * 1024);
    p.receiver.onResponse({ typeUrl: 'Mesh', systemVersionInfo: 'full:1/1', resources: [], removedResources: [], nonce: 'n1' } as unknown as DeltaDiscoveryResponse);
    await settle();
    expect(p.applied).toEqual([]);
    expect(p.acks).toEqual([{ nonce: 'n1', error: 'resources of type "Mesh" are not accepted on this stream; it carries MeshRetry' }]);
  });
});
