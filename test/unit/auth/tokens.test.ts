import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { ensureZoneSigningKey, newSigningKeyData, parseKey, zoneSigningPublicKeys } from '../../../internal/auth/signing-key';
import {
  SigningKeyNotFoundError,
  TokenError,
  issueDataplaneToken,
  issueZoneToken,
  signToken,
  verifyDataplaneToken,
  verifyZoneToken,
  zoneClaims,
} from '../../../internal/auth/tokens';
import { MemoryStore } from '../../../internal/store/memory-store';

const NOW = new Date('2026-06-01T10:00:00Z');
const T = NOW.getTime() / 1000;
const DAY = 86_400_000;

async function addSecret(store: MemoryStore, type: 'Secret' | 'GlobalSecret', mesh: string, name: string, data?: string) {
  return store.create({ type, mesh, name, labels: {}, spec: { data: data ?? (await newSigningKeyData()) } });
}

describe('dataplane tokens', () => {
  let store: MemoryStore;
  beforeEach(async () => {
    store = new MemoryStore();
    await addSecret(store, 'Secret', 'demo', 'dataplane-token-signing-key-demo-1');
  });

  it('are RS256 JWTs with kid, jti, iat = nbf = now − 5 s, exp = now + validFor + 5 s and capitalised claims', async () => {
    const token = await issueDataplaneToken(store, { name: 'web-01', mesh: 'demo', tags: { 'kuma.io/service': ['web'] }, type: 'dataplane', workload: 'w' }, DAY, NOW);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: '1', typ: 'JWT' });
    const c = decodeJwt(token);
    expect(c).toMatchObject({ Name: 'web-01', Mesh: 'demo', Tags: { 'kuma.io/service': ['web'] }, Type: 'dataplane', Workload: 'w', iat: T - 5, nbf: T - 5, exp: T + 86_400 + 5 });
    expect(c.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const v = await verifyDataplaneToken(store, token, 'demo', new Date(NOW.getTime() + 1000));
    expect(v).toMatchObject({ Name: 'web-01', Mesh: 'demo', Tags: { 'kuma.io/service': ['web'] }, Type: 'dataplane', Workload: 'w', jti: c.jti });
  });

  it('unset claims are empty, and each token gets its own jti', async () => {
    const a = decodeJwt(await issueDataplaneToken(store, { mesh: 'demo' }, DAY, NOW));
    const b = decodeJwt(await issueDataplaneToken(store, { mesh: 'demo' }, DAY, NOW));
    expect(a).toMatchObject({ Name: '', Mesh: 'demo', Tags: {}, Type: '', Workload: '' });
    expect(a.jti).not.toBe(b.jti);
  });

  it('are signed with the newest key after a rotation, and older tokens stay valid while their key exists', async () => {
    const old = await issueDataplaneToken(store, { mesh: 'demo' }, DAY, NOW);
    await addSecret(store, 'Secret', 'demo', 'dataplane-token-signing-key-demo-2');
    const fresh = await issueDataplaneToken(store, { mesh: 'demo' }, DAY, NOW);
    expect(decodeProtectedHeader(fresh).kid).toBe('2');
    await expect(verifyDataplaneToken(store, old, 'demo', NOW)).resolves.toBeDefined();
    await expect(verifyDataplaneToken(store, fresh, 'demo', NOW)).resolves.toBeDefined();
    await store.delete({ type: 'Secret', mesh: 'demo', name: 'dataplane-token-signing-key-demo-1' });
    await expect(verifyDataplaneToken(store, old, 'demo', NOW)).rejects.toThrow(
      'there is no signing key with KID 1. Secret of name "dataplane-token-signing-key-demo-1" in mesh "demo" is not found. If signing key was rotated, regenerate the token',
    );
  });

  it('cannot be issued without a signing key', async () => {
    const err = await issueDataplaneToken(store, { mesh: 'nokey' }, DAY, NOW).catch((e) => e);
    expect(err).toBeInstanceOf(SigningKeyNotFoundError);
    expect(err.message).toBe('there is no signing key with KID 1. Secret of name "dataplane-token-signing-key-nokey-1" in mesh "nokey" is not found. If signing key was rotated, regenerate the token');
  });

  it('are verified against the key of the mesh the proxy belongs to', async () => {
    await addSecret(store, 'Secret', 'other', 'dataplane-token-signing-key-other-1');
    const token = await issueDataplaneToken(store, { mesh: 'demo' }, DAY, NOW);
    await expect(verifyDataplaneToken(store, token, 'other', NOW)).rejects.toThrow('could not parse token: crypto/rsa: verification error');
  });

  it('are refused when expired, not yet valid, tampered with, malformed or revoked', async () => {
    const token = await issueDataplaneToken(store, { mesh: 'demo' }, DAY, NOW);
    await expect(verifyDataplaneToken(store, token, 'demo', new Date(NOW.getTime() + DAY + 6000))).rejects.toThrow('could not parse token: token is expired');
    await expect(verifyDataplaneToken(store, token, 'demo', new Date(NOW.getTime() - 6000))).rejects.toThrow('could not parse token: token is not valid yet');
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(token), Name: 'admin' })).toString('base64url');
    await expect(verifyDataplaneToken(store, `${h}.${forged}.${s}`, 'demo', NOW)).rejects.toThrow('could not parse token: crypto/rsa: verification error');
    await expect(verifyDataplaneToken(store, 'not-a-jwt', 'demo', NOW)).rejects.toThrow('could not parse token: token is malformed');

    const jti = String(decodeJwt(token).jti);
    await addSecret(store, 'Secret', 'demo', 'dataplane-token-revocations-demo', Buffer.from(`someone-else,${jti}\n`).toString('base64'));
    const err = await verifyDataplaneToken(store, token, 'demo', NOW).catch((e) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect(err.message).toBe('token is revoked');
    expect(err.code).toBe('KUMA_UNAUTHENTICATED');
  });

  it('are refused without a kid or with another alg', async () => {
    const key = parseKey(Buffer.from(String(store.get({ type: 'Secret', mesh: 'demo', name: 'dataplane-token-signing-key-demo-1' })!.spec.data), 'base64'), 'private');
    const { SignJWT } = await import('jose');
    const noKid = await new SignJWT({ Mesh: 'demo' }).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('1h').sign(key);
    await expect(verifyDataplaneToken(store, noKid, 'demo')).rejects.toThrow('could not parse token: missing Key ID (kid header)');
    const hs = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: '1' }).sign(new Uint8Array(32));
    await expect(verifyDataplaneToken(store, hs, 'demo')).rejects.toThrow('could not parse token: unknown token alg "HS256". Allowed alg is RS256');
  });
});

describe('zone tokens', () => {
  let store: MemoryStore;
  beforeEach(async () => {
    store = new MemoryStore();
    await ensureZoneSigningKey(store);
  });

  it('carry Zone and Scope and are signed by zone-token-signing-key-<kid>', async () => {
    const token = await issueZoneToken(store, { zone: 'zone-1', scope: ['cp', 'ingress'] }, DAY, NOW);
    expect(decodeProtectedHeader(token).kid).toBe('1');
    expect(decodeJwt(token)).toMatchObject({ Zone: 'zone-1', Scope: ['cp', 'ingress'], iat: T - 5, nbf: T - 5, exp: T + 86_400 + 5 });
    expect(await verifyZoneToken(store, token, { now: NOW })).toMatchObject({ Zone: 'zone-1', Scope: ['cp', 'ingress'] });
  });

  it('verify on a federated zone that holds only the public key', async () => {
    const token = await issueZoneToken(store, { zone: 'zone-1', scope: ['cp'] }, DAY, NOW);
    const zone = new MemoryStore();
    for (const k of zoneSigningPublicKeys(store)) await addSecret(zone, 'GlobalSecret', '', k.name, Buffer.from(k.pem).toString('base64'));
    expect((await verifyZoneToken(zone, token, { now: NOW, federatedZone: true })).Zone).toBe('zone-1');
    await expect(issueZoneToken(zone, { scope: ['cp'] }, DAY, NOW)).rejects.toBeInstanceOf(SigningKeyNotFoundError);
    await expect(verifyZoneToken(new MemoryStore(), token, { now: NOW, federatedZone: true })).rejects.toThrow(
      'there is no signing key with KID 1. GlobalSecret of name "zone-token-signing-public-key-1" is not found. If signing key was rotated, regenerate the token',
    );
    await expect(verifyZoneToken(new MemoryStore(), token, { now: NOW })).rejects.toThrow(
      'there is no signing key with KID 1. GlobalSecret of name "zone-token-signing-key-1" is not found. If signing key was rotated, regenerate the token',
    );
  });

  it('rotate to the newest key and honour zone-token-revocations', async () => {
    await addSecret(store, 'GlobalSecret', '', 'zone-token-signing-key-2');
    const token = await issueZoneToken(store, { zone: 'z', scope: ['egress'] }, DAY, NOW);
    expect(decodeProtectedHeader(token).kid).toBe('2');
    await addSecret(store, 'GlobalSecret', '', 'zone-token-revocations', Buffer.from(String(decodeJwt(token).jti)).toString('base64'));
    await expect(verifyZoneToken(store, token, { now: NOW })).rejects.toThrow('token is revoked');
  });

  it('signed offline with a key the CP knows under that kid verify', async () => {
    const data = await newSigningKeyData();
    await addSecret(store, 'GlobalSecret', '', 'zone-token-signing-key-7', data);
    const token = await signToken(parseKey(data, 'private'), '7', zoneClaims({ zone: 'z', scope: ['ingress'] }), DAY, NOW);
    expect((await verifyZoneToken(store, token, { now: NOW })).Scope).toEqual(['ingress']);
  });
});
