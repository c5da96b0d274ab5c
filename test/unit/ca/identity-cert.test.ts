import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBuiltinCa, type CaKeyPair } from '../../../internal/ca/builtin-ca';
import { identitySans, issueIdentityCert, needsRenewal, renewalTime } from '../../../internal/ca/identity-cert';
import { DEFAULT_CA_VALIDITY_MS } from '../../../internal/ca/mtls-config';
import { children, readTlv } from '../../../internal/tls/der';
import { importSigningKey, x509 } from '../../support/peculiar-x509';

const NOW = new Date('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;

describe('issueIdentityCert', () => {
  let ecCa: CaKeyPair;
  let rsaCa: CaKeyPair;
  beforeAll(async () => {
    ecCa = await createBuiltinCa('demo', { validityMs: DEFAULT_CA_VALIDITY_MS }, NOW);
    rsaCa = await createBuiltinCa('demo', { rsaBits: 2048, validityMs: DEFAULT_CA_VALIDITY_MS }, NOW);
  });

  const issue = (ca: CaKeyPair, validityMs = 24 * HOUR) =>
    issueIdentityCert({ caCertPem: ca.certPem, caKeyPem: ca.keyPem, mesh: 'demo', services: ['web', 'web-api'], tags: { 'kuma.io/service': ['web', 'web-api'], version: ['v1'] }, validityMs, now: NOW });

  it('has an empty subject and spiffe + kuma URI SANs, in a critical SAN extension', async () => {
    const id = await issue(ecCa);
    const cert = new X509Certificate(id.certPem);
    expect(cert.subject).toBeUndefined();
    expect(cert.subjectAltName!.split(', ')).toEqual([
      'URI:spiffe://demo/web',
      'URI:spiffe://demo/web-api',
      'URI:kuma://kuma.io/service/web',
      'URI:kuma://kuma.io/service/web-api',
      'URI:kuma://version/v1',
    ]);
    const san = new x509.X509Certificate(id.certPem).getExtension(x509.SubjectAlternativeNameExtension)!;
    expect(san.critical).toBe(true);
  });

  it('is valid from now − 10 s for validityMs, with the reported expiry and serial', async () => {
    const id = await issue(ecCa, 6 * HOUR);
    const cert = new X509Certificate(id.certPem);
    expect(new Date(cert.validFrom).getTime()).toBe(NOW.getTime() - 10_000);
    expect(new Date(cert.validTo).getTime()).toBe(NOW.getTime() + 6 * HOUR);
    expect(id.expiresAt.getTime()).toBe(NOW.getTime() + 6 * HOUR);
    expect(cert.serialNumber.toLowerCase()).toBe(id.serial);
  });

  it('is a leaf for server and client auth, with digitalSignature and keyEncipherment', async () => {
    const parsed = new x509.X509Certificate((await issue(ecCa)).certPem);
    expect(parsed.getExtension(x509.BasicConstraintsExtension)!.ca).toBe(false);
    expect(parsed.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
    expect(parsed.getExtension(x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    const aki = parsed.getExtension(x509.AuthorityKeyIdentifierExtension)!;
    const ski = new x509.X509Certificate(ecCa.certPem).getExtension(x509.SubjectKeyIdentifierExtension)!;
    expect(aki.keyId).toBe(ski.keyId);
  });

  it('is signed by the mesh CA (ECDSA and RSA CAs) with an ECDSA P-256 key of its own', async () => {
    for (const ca of [ecCa, rsaCa]) {
      const id = await issue(ca);
      const cert = new X509Certificate(id.certPem);
      const caCert = new X509Certificate(ca.certPem);
      expect(cert.checkIssued(caCert)).toBe(true);
      expect(cert.verify(caCert.publicKey)).toBe(true);
      expect(cert.issuer).toBe(caCert.subject);
      expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(id.keyPem))).toBe(true);
    }
    const other = await createBuiltinCa('other', { validityMs: HOUR }, NOW);
    expect(new X509Certificate((await issue(ecCa)).certPem).verify(new X509Certificate(other.certPem).publicKey)).toBe(false);
  });

  it('is byte for byte the certificate @peculiar/x509 builds from the same inputs (all but the signature)', async () => {
    for (const ca of [ecCa, rsaCa]) {
      const id = await issue(ca, 6 * HOUR);
      const ours = new X509Certificate(id.certPem);
      const caCert = new x509.X509Certificate(ca.certPem);
      const signer = await importSigningKey(ca.keyPem);
      const reference = await x509.X509CertificateGenerator.create({
        serialNumber: id.serial,
        subject: [],
        issuer: caCert.subjectName,
        notBefore: new Date(NOW.getTime() - 10_000),
        notAfter: new Date(NOW.getTime() + 6 * HOUR),
        publicKey: new x509.PublicKey(ours.publicKey.export({ type: 'spki', format: 'der' })),
        signingKey: signer.key,
        signingAlgorithm: signer.signingAlgorithm,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
          new x509.SubjectAlternativeNameExtension(
            identitySans('demo', ['web', 'web-api'], { 'kuma.io/service': ['web', 'web-api'], version: ['v1'] }).map((value) => ({ type: 'url' as const, value })),
            true,
          ),
          new x509.AuthorityKeyIdentifierExtension(caCert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId),
        ],
      });
      const tbsAndAlgorithm = (der: Uint8Array) => {
        const [tbs, alg] = children(der, readTlv(der, 0));
        return Buffer.from(der.subarray(tbs!.start, alg!.end)).toString('hex');
      };
      expect(tbsAndAlgorithm(ours.raw)).toBe(tbsAndAlgorithm(new Uint8Array(reference.rawData)));
    }
  });

  it('verifies with openssl against the mesh CA, for TLS client and server use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kuma-idcert-'));
    try {
      for (const ca of [ecCa, rsaCa]) {
        const id = await issue(ca);
        writeFileSync(join(dir, 'ca.pem'), ca.certPem);
        writeFileSync(join(dir, 'id.pem'), id.certPem);
        writeFileSync(join(dir, 'key.pem'), id.keyPem);
        const at = String(Math.floor(NOW.getTime() / 1000) + 60);
        for (const purpose of ['sslserver', 'sslclient']) {
          expect(execFileSync('openssl', ['verify', '-attime', at, '-purpose', purpose, '-CAfile', join(dir, 'ca.pem'), join(dir, 'id.pem')], { encoding: 'utf8' })).toContain('id.pem: OK');
        }
        const text = execFileSync('openssl', ['x509', '-in', join(dir, 'id.pem'), '-noout', '-text'], { encoding: 'utf8' });
        expect(text).toMatch(/X509v3 Subject Alternative Name: critical\s+URI:spiffe:\/\/demo\/web, URI:spiffe:\/\/demo\/web-api, URI:kuma:\/\/kuma.io\/service\/web/);
        expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
        expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
        // The key file is a PKCS#8 key openssl reads and that matches the certificate.
        const pub = execFileSync('openssl', ['pkey', '-in', join(dir, 'key.pem'), '-pubout'], { encoding: 'utf8' });
        expect(createPrivateKey(id.keyPem).asymmetricKeyType).toBe('ec');
        expect(pub.trim()).toBe((new X509Certificate(id.certPem).publicKey.export({ type: 'spki', format: 'pem' }) as string).trim());
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts a CA key in SEC1 ("EC PRIVATE KEY") and PKCS#1 ("RSA PRIVATE KEY") form, as Kuma writes them', async () => {
    for (const ca of [ecCa, rsaCa]) {
      const k = createPrivateKey(ca.keyPem);
      const legacy = k.export({ type: k.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'sec1', format: 'pem' }) as string;
      const id = await issueIdentityCert({ caCertPem: ca.certPem, caKeyPem: legacy, mesh: 'demo', services: ['web'], tags: {}, validityMs: HOUR, now: NOW });
      expect(new X509Certificate(id.certPem).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    }
  });

  it('issues an RSA identity key when asked', async () => {
    const id = await issueIdentityCert({ caCertPem: ecCa.certPem, caKeyPem: ecCa.keyPem, mesh: 'demo', services: ['web'], tags: {}, validityMs: HOUR, now: NOW, key: { type: 'rsa', bits: 2048 } });
    const cert = new X509Certificate(id.certPem);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(cert.checkPrivateKey(createPrivateKey(id.keyPem))).toBe(true);
  });

  it('refuses an identity with nothing to name', async () => {
    await expect(issueIdentityCert({ caCertPem: ecCa.certPem, caKeyPem: ecCa.keyPem, mesh: 'demo', services: [], tags: {}, validityMs: HOUR, now: NOW })).rejects.toThrow(/at least one service or tag/);
  });
});

describe('identitySans', () => {
  it('sorts and dedupes', () => {
    expect(identitySans('m', ['b', 'a', 'a'], { t: ['2', '1', '1'] })).toEqual(['spiffe://m/a', 'spiffe://m/b', 'kuma://t/1', 'kuma://t/2']);
  });
});

describe('renewal timing', () => {
  const issued = new Date('2026-03-01T00:00:00Z');
  const expires = new Date(issued.getTime() + 24 * HOUR);

  it('renews once 4/5 of the lifetime has passed', () => {
    expect(renewalTime(expires, issued).getTime()).toBe(issued.getTime() + 19.2 * HOUR);
    expect(needsRenewal(expires, issued, 0.8, new Date(issued.getTime() + 19.2 * HOUR - 1))).toBe(false);
    expect(needsRenewal(expires, issued, 0.8, new Date(issued.getTime() + 19.2 * HOUR))).toBe(true);
    expect(needsRenewal(expires, issued, 0.8, new Date(expires.getTime() + HOUR))).toBe(true);
  });

  it('honours another fraction', () => {
    expect(needsRenewal(expires, issued, 0.5, new Date(issued.getTime() + 12 * HOUR))).toBe(true);
    expect(needsRenewal(expires, issued, 0.5, new Date(issued.getTime() + 11 * HOUR))).toBe(false);
  });
});
