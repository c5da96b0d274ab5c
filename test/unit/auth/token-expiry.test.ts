import { describe, expect, it } from 'vitest';
import { nearExpiryWarning, tokenExpiryMs } from '../../../internal/auth/token-expiry';

const jwt = (payload: object) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
const now = Date.parse('2026-01-01T00:00:00Z');

describe('token expiry warnings', () => {
  it('reads exp of a JWT, nothing of other strings', () => {
    expect(tokenExpiryMs(jwt({ exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
    expect(tokenExpiryMs('Bearer ' + jwt({ exp: 1 }))).toBe(1000);
    expect(tokenExpiryMs('not-a-token')).toBeUndefined();
    expect(tokenExpiryMs(jwt({}))).toBeUndefined();
  });

  it('warns within 7 days and after expiry, naming the time and the fix', () => {
    expect(nearExpiryWarning(jwt({ exp: now / 1000 + 30 * 86400 }), 'the zone token', 'renew it', now)).toBeUndefined();
    expect(nearExpiryWarning(jwt({ exp: now / 1000 + 3 * 86400 }), 'the zone token', 'renew it', now)).toBe('the zone token expires at 2026-01-04T00:00:00.000Z (in 3 days); renew it');
    expect(nearExpiryWarning(jwt({ exp: now / 1000 + 5 * 3600 }), 'the zone token', 'renew it', now)).toBe('the zone token expires at 2026-01-01T05:00:00.000Z (in 5 hours); renew it');
    expect(nearExpiryWarning(jwt({ exp: now / 1000 - 60 }), 'the zone token', 'renew it', now)).toBe('the zone token expired at 2025-12-31T23:59:00.000Z; renew it');
  });
});
