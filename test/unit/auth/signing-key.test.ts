import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ensureZoneSigningKey,
  latestSigningKey,
  newSigningKeyData,
  newSigningKeyPem,
  parseKey,
  publicKeyPem,
  zoneSigningPublicKey,
  zoneSigningPublicKeys,
} from '../../../internal/auth/signing-key';
import { MemoryStore } from '../../../internal/store/memory-store';

describe('signing keys', () => {
  it('are 2048-bit RSA PKCS#1 PEM, stored base64', async () => {
    const pem = await newSigningKeyPem();
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    const key = parseKey(pem, 'private');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(Buffer.from(await newSigningKeyData(), 'base64').toString()).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
  });

  it('parse from PEM, base64 of PEM and PKCS#1 DER; public halves from private or public keys', async () => {
    const pem = await newSigningKeyPem();
    const der = parseKey(pem, 'private').export({ type: 'pkcs1', format: 'der' });
    const want = publicKeyPem(parseKey(pem, 'private'));
    expect(want).toMatch(/^-----BEGIN RSA PUBLIC KEY-----/);
    for (const input of [pem, Buffer.from(pem).toString('base64'), der]) expect(publicKeyPem(parseKey(input, 'public'))).toBe(want);
    expect(publicKeyPem(parseKey(want, 'public'))).toBe(want);
    const spki = createPublicKey(want).export({ type: 'spki', format: 'pem' }) as string;
    expect(publicKeyPem(parseKey(spki, 'public'))).toBe(want);
  });

  it('latest is the highest numeric kid of the prefix', async () => {
    const store = new MemoryStore();
    for (const name of ['dataplane-token-signing-key-a-1', 'dataplane-token-signing-key-a-10', 'dataplane-token-signing-key-a-2', 'dataplane-token-signing-key-a-b-99', 'dataplane-token-signing-key-a-x']) {
      await store.create({ type: 'Secret', mesh: 'a', name, labels: {}, spec: { data: 'eA==' } });
    }
    expect(latestSigningKey(store, 'Secret', 'a', 'dataplane-token-signing-key-a')?.kid).toBe('10');
    expect(latestSigningKey(store, 'Secret', 'other', 'dataplane-token-signing-key-other')).toBeUndefined();
  });

  it('ensureZoneSigningKey creates zone-token-signing-key-1 once, and its public half is exported', async () => {
    const store = new MemoryStore();
    expect(zoneSigningPublicKey(store)).toBeUndefined();
    expect(await ensureZoneSigningKey(store)).toBe(true);
    expect(await ensureZoneSigningKey(store)).toBe(false);
    expect(store.list('GlobalSecret').items.map((r) => r.name)).toEqual(['zone-token-signing-key-1']);
    const pub = zoneSigningPublicKey(store)!;
    expect(pub).toMatch(/^-----BEGIN RSA PUBLIC KEY-----/);
    expect(zoneSigningPublicKeys(store)).toEqual([{ kid: '1', name: 'zone-token-signing-public-key-1', pem: pub }]);
  });
});
