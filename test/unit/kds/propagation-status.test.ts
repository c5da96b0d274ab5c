/**
 * The global's per-zone row of `_propagation` (propagation-status.ts) over a fake ZoneSyncView,
 * and ZoneSyncViews' attach/detach (a newer session of a zone replaces the older one).
 */
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../internal/kds/delivery-ledger';
import { zonePropagation } from '../../../internal/kds/global/propagation-status';
import { ZoneSyncViews, type ZoneSyncView } from '../../../internal/kds/global/zone-sync-views';
import type { Resource } from '../../../internal/resources/model';
import { registerAll } from '../../../internal/resources/types';

const registry = registerAll();
const mt = registry.mustByName('MeshTimeout');
const res = (labels: Record<string, string> = {}): Resource =>
  ({ type: 'MeshTimeout', mesh: 'default', name: 't', labels, spec: {}, version: 4, creationTime: '', modificationTime: '' }) as unknown as Resource;
const zones = { isEnabled: () => true };

function view(delivery: Delivery | undefined, opts: { subscribed?: boolean; encoding?: ReturnType<ZoneSyncView['encodingFor']> } = {}): ZoneSyncView {
  return {
    connectedAtMs: 0,
    subscribed: () => opts.subscribed ?? true,
    delivery: () => delivery,
    encodingFor: () => opts.encoding ?? { wireName: 't-hash.default', version: 'h2' },
  };
}

describe('zonePropagation', () => {
  it('Synced at the global version once the zone ACKed the current encoding', () => {
    const row = zonePropagation(mt, res(), 'zone-1', true, view({ version: 'h2', sentAtMs: 1000, ackedVersion: 'h2', ackedAtMs: 2000 }), zones);
    expect(row).toEqual({ zone: 'zone-1', zoneName: 't-hash', state: 'Synced', synced: true, version: 4, sentAt: new Date(1000).toISOString(), ackedAt: new Date(2000).toISOString(), note: '' });
  });

  it('Pending while an older version is ACKed or the current one not sent', () => {
    expect(zonePropagation(mt, res(), 'z', true, view({ version: 'h2', sentAtMs: 1, ackedVersion: 'h1', ackedAtMs: 1 }), zones)).toMatchObject({ state: 'Pending', synced: false, note: expect.stringMatching(/older version/) });
    expect(zonePropagation(mt, res(), 'z', true, view({ version: 'h1', sentAtMs: 1 }), zones)).toMatchObject({ state: 'Pending', note: expect.stringMatching(/about to be sent/) });
    expect(zonePropagation(mt, res(), 'z', true, view(undefined), zones)).toMatchObject({ state: 'Pending', note: 'not sent yet' });
    expect(zonePropagation(mt, res(), 'z', true, view(undefined, { subscribed: false }), zones)).toMatchObject({ state: 'Pending', note: expect.stringMatching(/not subscribed/) });
  });

  it('NACKed with the zone’s error', () => {
    const row = zonePropagation(mt, res(), 'z', true, view({ version: 'h2', sentAtMs: 1, nack: { version: 'h2', error: 'spec.to: bad', atMs: 2 } }), zones);
    expect(row).toMatchObject({ state: 'NACKed', synced: false, error: 'spec.to: bad' });
  });

  it('Offline without a session, with when it last disconnected', () => {
    expect(zonePropagation(mt, res(), 'z', true, undefined, zones, { globalInstanceId: 'g-1', disconnectTime: '2026-12-03T10:00:00.000Z' }, 'g-1')).toMatchObject({ state: 'Offline', synced: false, note: expect.stringMatching(/zone offline.*last disconnected 2026-12-03T10:00:00.000Z/) });
    expect(zonePropagation(mt, res(), 'z', true, undefined, zones, undefined, 'g-1')).toMatchObject({ state: 'Offline', note: 'zone offline: no KDS stream to this global' });
  });

  it('OtherInstance when the zone holds an open subscription to another global instance', () => {
    expect(zonePropagation(mt, res(), 'z', true, undefined, zones, { globalInstanceId: 'g-2' }, 'g-1')).toMatchObject({ state: 'OtherInstance', synced: false, note: expect.stringContaining('instance "g-2"') });
    // Its own instance with no disconnect recorded (it crashed, or the stream just ended): offline.
    expect(zonePropagation(mt, res(), 'z', true, undefined, zones, { globalInstanceId: 'g-1' }, 'g-1').state).toBe('Offline');
  });

  it('Disabled and Filtered say why', () => {
    expect(zonePropagation(mt, res(), 'z', false, view(undefined), zones)).toMatchObject({ state: 'Disabled', synced: false });
    expect(zonePropagation(mt, res({ 'kuma.io/kds-sync': 'disabled' }), 'z', true, view(undefined), zones)).toMatchObject({ state: 'Filtered', note: expect.stringMatching(/kds-sync: disabled/) });
    const fromZ = res({ 'kuma.io/origin': 'zone', 'kuma.io/zone': 'z' });
    expect(zonePropagation(mt, fromZ, 'other', true, view(undefined), zones)).toMatchObject({ state: 'Filtered', note: expect.stringMatching(/origin: zone/) });
  });
});

describe('ZoneSyncViews', () => {
  it('a newer session replaces the older one, whose detach then leaves it alone', () => {
    const views = new ZoneSyncViews();
    const a = view(undefined);
    const b = view(undefined);
    const detachA = views.attach('z', a);
    const detachB = views.attach('z', b);
    detachA();
    expect(views.get('z')).toBe(b);
    detachB();
    expect(views.get('z')).toBeUndefined();
    expect(views.size).toBe(0);
  });
});
