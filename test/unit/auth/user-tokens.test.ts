/** User tokens (Name, Groups; GlobalSecret user-token-signing-key-N) and the revocation list format. */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { ensureUserSigningKey, newSigningKeyData, parseKey } from '../../../internal/auth/signing-key';
import { isRevoked, issueUserToken, signToken, TokenError, userClaims, verifyUserToken } from '../../../internal/auth/tokens';
import { MemoryStore } from '../../../internal/store/memory-store';

const NOW = new Date('2026-06-01T12:00:00Z');
const HOUR = 3_600_000;

describe('user tokens', () => {
  let store: MemoryStore;
  beforeEach(async () => {
    store = new MemoryStore();
    expect(await ensureUserSigningKey(store)).toBe(true);
    expect(await ensureUserSigningKey(store)).toBe(false);
  });

  it('carry Name and Groups, signed with user-token-signing-key-1; the user verifies as authenticated', async () => {
    const token = await issueUserToken(store, { name: 'john', groups: ['team-a'] }, HOUR, NOW);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: '1', typ: 'JWT' });
    const c = decodeJwt(token);
    expect(c).toMatchObject({ Name: 'john', Groups: ['team-a'] });
    expect(c.exp! - c.iat!).toBe(3600 + 10);
    const u = await verifyUserToken(store, token, NOW);
    expect({ name: u.name, groups: u.groups, jti: u.jti }).toEqual({ name: 'john', groups: ['team-a', 'mesh-system:authenticated'], jti: c.jti });
  });

  it('are refused when expired, wrongly signed, of another key id, or revoked', async () => {
    const token = await issueUserToken(store, { name: 'john', groups: [] }, HOUR, NOW);
    await expect(verifyUserToken(store, token, new Date(NOW.getTime() + HOUR + 6000))).rejects.toThrow('could not parse token: token is expired');
    const foreign = await signToken(parseKey(await newSigningKeyData(), 'private'), '1', userClaims({ name: 'mesh-system:admin', groups: ['mesh-system:admin'] }), HOUR, NOW);
    await expect(verifyUserToken(store, foreign, NOW)).rejects.toThrow('could not parse token: crypto/rsa: verification error');
    const kid7 = await signToken(parseKey(await newSigningKeyData(), 'private'), '7', userClaims({ name: 'x', groups: [] }), HOUR, NOW);
    await expect(verifyUserToken(store, kid7, NOW)).rejects.toThrow(
      'there is no signing key with KID 7. GlobalSecret of name "user-token-signing-key-7" is not found. If signing key was rotated, regenerate the token',
    );
    await store.create({ type: 'GlobalSecret', mesh: '', name: 'user-token-revocations', labels: {}, spec: { data: Buffer.from(`a,${String(decodeJwt(token).jti)}\n`).toString('base64') } });
    const err = await verifyUserToken(store, token, NOW).catch((e) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect(err.message).toBe('token is revoked');
    const other = await issueUserToken(store, { name: 'jane', groups: [] }, HOUR, NOW);
    expect((await verifyUserToken(store, other, NOW)).name).toBe('jane');
  });

  it('need a Name', async () => {
    const data = String(store.list('GlobalSecret').items[0]!.spec.data);
    const nameless = await signToken(parseKey(data, 'private'), '1', { Groups: ['g'] }, HOUR, NOW);
    await expect(verifyUserToken(store, nameless, NOW)).rejects.toThrow('the user token has no Name claim');
  });
});

describe('revocation lists', () => {
  it('are comma-separated token ids, a trailing newline allowed', () => {
    expect(isRevoked('id1,id2', 'id2')).toBe(true);
    expect(isRevoked('id1,id2\n', 'id2')).toBe(true);
    expect(isRevoked(Buffer.from('id1'), 'id1')).toBe(true);
    expect(isRevoked('id1,id2', 'id3')).toBe(false);
    expect(isRevoked('id10', 'id1')).toBe(false);
    expect(isRevoked('', '')).toBe(false);
    expect(isRevoked(',', '')).toBe(false);
  });
});
