import { describe, expect, it } from 'vitest';
import { hashedName } from '../../../internal/kds/hash';

describe('hashedName', () => {
  it('matches the names Kuma computes', () => {
    expect(hashedName('default', 'redis-zone-1', 'zone-1')).toBe('redis-zone-1-2v6wfvvcvbc9f55d');
    expect(hashedName('default', 'redis-zone-2', 'zone-2')).toBe('redis-zone-2-ff29vc4685c6f594');
  });

  it('keeps same-named resources from different zones and meshes apart', () => {
    const names = new Set([hashedName('default', 'web', 'zone-1'), hashedName('default', 'web', 'zone-2'), hashedName('other', 'web', 'zone-1')]);
    expect(names.size).toBe(3);
  });

  it('never exceeds 253 characters', () => {
    const long = 'a'.repeat(253);
    const h = hashedName('default', long, 'zone-1');
    expect(h.length).toBe(253);
    expect(h).toMatch(/^a{236}-[bcdfghjklmnpqrstvwxz2456789]{16}$/);
  });
});
