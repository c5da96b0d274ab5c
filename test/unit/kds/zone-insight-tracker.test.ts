/** ZoneInsight follows the accepted connection: a late write of a replaced one never closes the live one. */
import { describe, expect, it } from 'vitest';
import { ZoneInsightTracker } from '../../../internal/kds/global/zone-insight-tracker';
import { MemoryStore } from '../../../internal/store/memory-store';

const info = (zoneInstanceId: string) => ({ globalInstanceId: 'g-1', zoneInstanceId, version: {}, config: '{}', authTokenProvided: false });
const subs = (store: MemoryStore) => (store.get({ type: 'ZoneInsight', mesh: '', name: 'east' })?.spec.subscriptions ?? []) as { zoneInstanceId: string; disconnectTime?: string }[];

describe('ZoneInsightTracker', () => {
  it('a new connection closes the old subscription; the old one flushing later leaves the new one open and last', async () => {
    const store = new MemoryStore();
    const old = new ZoneInsightTracker(store, 'east', info('cp-a'), 60_000);
    await old.open();
    const fresh = new ZoneInsightTracker(store, 'east', info('cp-a'), 60_000);
    await fresh.open();
    old.count('Mesh', 'sent');
    await old.flush();
    await old.close();
    const s = subs(store);
    expect(s).toHaveLength(2);
    expect(s[0]!.disconnectTime).toBeDefined();
    expect(s[1]!.disconnectTime).toBeUndefined();
    await fresh.close();
    expect(subs(store).every((x) => x.disconnectTime)).toBe(true);
  });

  it('a connection ending after its Zone was deleted does not bring the ZoneInsight back', async () => {
    const store = new MemoryStore();
    const t = new ZoneInsightTracker(store, 'east', info('cp-a'), 60_000);
    await t.open();
    await store.delete({ type: 'ZoneInsight', mesh: '', name: 'east' });
    await t.close();
    expect(store.get({ type: 'ZoneInsight', mesh: '', name: 'east' })).toBeUndefined();
  });
});
