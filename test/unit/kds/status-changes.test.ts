/**
 * Which of a zone's MeshServices its KDS sender looks at again when records their status is
 * derived from change (kds/zone/status-changes.ts): only those the change can move.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../../internal/kds/delta-sender';
import { statusMoved, statusRefreshOf } from '../../../internal/kds/zone/status-changes';
import type { Resource } from '../../../internal/resources/model';
import type { StoreEvent } from '../../../internal/store/resource-store';
import { MemoryStore } from '../../../internal/store/memory-store';

const ONLINE = { subscriptions: [{ id: '1', connectTime: '2026-01-01T00:00:00Z' }] };
const OFFLINE = { subscriptions: [{ id: '1', connectTime: '2026-01-01T00:00:00Z', disconnectTime: '2026-01-01T00:01:00Z' }] };

async function zone() {
  const store = new MemoryStore();
  await store.create({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {} });
  const sel = (svc: string) => ({ selector: { dataplaneTags: { 'kuma.io/service': svc } }, ports: [{ port: 80 }] });
  for (const svc of ['backend', 'web']) await store.create({ type: 'MeshService', mesh: 'default', name: svc, labels: { 'kuma.io/origin': 'zone' }, spec: sel(svc) });
  await store.create({ type: 'MeshService', mesh: 'default', name: 'pinned', labels: {}, spec: { selector: { dataplaneRef: { name: 'b-1' } }, ports: [{ port: 80 }] } });
  const dp = await store.create({ type: 'Dataplane', mesh: 'default', name: 'b-1', labels: {}, spec: { networking: { address: '10.0.0.1', inbound: [{ port: 80, tags: { 'kuma.io/service': 'backend' } }] } } });
  const insight = await store.create({ type: 'DataplaneInsight', mesh: 'default', name: 'b-1', labels: {}, spec: ONLINE });
  return { store, dp, insight };
}

const update = (resource: Resource, spec: Record<string, unknown>, previous = resource): StoreEvent => ({ kind: 'update', resource: { ...resource, spec }, previous });
const moved = (c: ChangeSet, store: MemoryStore) => statusMoved(c, store, 'zone-1').map((r) => r.name).sort();

describe('zone KDS: MeshServices whose status a change may move', () => {
  it('an insight write that moves neither connected nor the certificate adds nothing', async () => {
    const { store, insight } = await zone();
    expect(moved(new Map([['DataplaneInsight', [update(insight, { ...ONLINE, mTLS: undefined })]]]), store)).toEqual([]);
  });

  it('a proxy going offline (or getting its certificate) adds the MeshServices selecting it, by tags or by name', async () => {
    const { store, insight } = await zone();
    expect(moved(new Map([['DataplaneInsight', [update(insight, OFFLINE)]]]), store)).toEqual(['backend', 'pinned']);
    expect(moved(new Map([['DataplaneInsight', [update(insight, { ...ONLINE, mTLS: { issuedBackend: 'ca-1' } })]]]), store)).toEqual(['backend', 'pinned']);
  });

  it('a Dataplane change adds what selected it before and what selects it now', async () => {
    const { store, dp } = await zone();
    const retagged = update(dp, { networking: { address: '10.0.0.1', inbound: [{ port: 80, tags: { 'kuma.io/service': 'web' } }] } });
    expect(moved(new Map([['Dataplane', [retagged]]]), store)).toEqual(['backend', 'pinned', 'web']);
  });

  it('a HostnameGenerator, a VIP record or a new MeshService adds every MeshService of the mesh (hostnames, collisions)', async () => {
    const { store } = await zone();
    const hg = await store.create({ type: 'HostnameGenerator', mesh: '', name: 'g', labels: {}, spec: {} });
    expect(moved(new Map([['HostnameGenerator', [{ kind: 'create', resource: hg }]]]), store)).toEqual(['backend', 'pinned', 'web']);
    const ms = store.get({ type: 'MeshService', mesh: 'default', name: 'web' })!;
    expect(moved(new Map([['MeshService', [{ kind: 'create', resource: ms }]]]), store)).toEqual(['backend', 'pinned', 'web']);
    // A spec-only change of a MeshService moves no other MeshService's hostnames (the sender sends it anyway).
    expect(moved(new Map([['MeshService', [update(ms, { ...ms.spec, ports: [{ port: 81 }] })]]]), store)).toEqual([]);
  });

  it('the later refresh looks at them as stored then, leaving out those gone meanwhile', async () => {
    const { store } = await zone();
    const c = statusRefreshOf([{ type: 'MeshService', mesh: 'default', name: 'web' }, { type: 'MeshService', mesh: 'default', name: 'gone' }], store);
    expect([...c.keys()]).toEqual(['MeshService']);
    expect(c.get('MeshService')!.map((e) => [e.kind, e.resource.name])).toEqual([['update', 'web']]);
  });
});
