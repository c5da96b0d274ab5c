/** The rule that keeps a zone name to one zone CP instance on the global. */
import { describe, expect, it } from 'vitest';
import { ZoneConnections, zoneTakenMessage, type StreamKind, type ZoneStream } from '../../../internal/kds/global/zone-connections';

const stream = (instanceId: string, kind: StreamKind = 'globalToZone') => {
  const closed: string[] = [];
  const s: ZoneStream & { closed: string[] } = { kind, instanceId, close: (r) => closed.push(r), closed };
  return s;
};

describe('ZoneConnections', () => {
  it('admits the first instance, both of its streams, and refuses another instance while any stream is alive', () => {
    const c = new ZoneConnections();
    const down = stream('cp-a');
    const up = stream('cp-a', 'zoneToGlobal');
    expect(c.claim('east', down, new Date('2026-01-01T00:00:00Z'))).toEqual({ accepted: true });
    expect(c.claim('east', up)).toEqual({ accepted: true });
    expect(c.claim('east', stream('cp-b'))).toEqual({ accepted: false, holder: 'cp-a', since: '2026-01-01T00:00:00.000Z' });
    c.release('east', down);
    expect(c.isConnected('east')).toBe(true);
    expect(c.claim('east', stream('cp-b', 'zoneToGlobal')).accepted).toBe(false);
    c.release('east', up);
    expect(c.isConnected('east')).toBe(false);
    expect(c.claim('east', stream('cp-b')).accepted).toBe(true);
    expect(c.holderOf('east')).toBe('cp-b');
  });

  it('lets the holder replace its own stream of the same kind (a reconnect the global has not noticed)', () => {
    const c = new ZoneConnections();
    const old = stream('cp-a');
    c.claim('east', old);
    const fresh = stream('cp-a');
    const claim = c.claim('east', fresh);
    expect(claim).toEqual({ accepted: true, replaced: old });
    // The replaced stream ending later frees nothing.
    c.release('east', old);
    expect(c.holderOf('east')).toBe('cp-a');
    c.release('east', fresh);
    expect(c.isConnected('east')).toBe(false);
  });

  it('keeps zones apart', () => {
    const c = new ZoneConnections();
    expect(c.claim('east', stream('cp-a')).accepted).toBe(true);
    expect(c.claim('west', stream('cp-b')).accepted).toBe(true);
    expect(c.isConnected('north')).toBe(false);
  });

  it('the refusal names the zone, the holder and the fix', () => {
    const m = zoneTakenMessage('east', 'host-ab12', '2026-01-01T00:00:00.000Z', 'host-cd34');
    expect(m).toContain('zone "east" is already connected');
    expect(m).toContain('"host-ab12"');
    expect(m).toContain('"host-cd34"');
    expect(m).toContain('KUMA_MULTIZONE_ZONE_NAME');
    expect(m).toContain('stop the other CP');
  });
});
