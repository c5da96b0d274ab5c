import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { certificateSans, generateServerCert, loadOrCreateCpCert, localSans } from '../../../internal/tls/self-signed';
import { x509 } from '../../support/peculiar-x509';

const NOW = new Date('2026-02-01T00:00:00Z');

describe('generateServerCert', () => {
  it('is a self-signed ECDSA P-256 cert with DNS and IP SANs, EKU serverAuth, 10 years from now − 5 min', async () => {
    const pair = await generateServerCert({ hostnames: ['cp.example.com', '10.0.0.5'], ips: ['::1'], now: NOW });
    const cert = new X509Certificate(pair.certPem);
    expect(cert.subject).toBe('CN=cp.example.com');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(pair.keyPem))).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.checkHost('cp.example.com')).toBe('cp.example.com');
    expect(cert.checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(new Date(cert.validFrom).getTime()).toBe(NOW.getTime() - 300_000);
    expect(new Date(cert.validTo).getTime()).toBe(NOW.getTime() + 3650 * 86_400_000);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(certificateSans(pair.certPem)).toEqual(['cp.example.com', '::1', '10.0.0.5']);
  });

  it('makes client certs and RSA keys on request, and needs a hostname', async () => {
    const pair = await generateServerCert({ hostnames: ['dp-1'], type: 'client', key: { type: 'rsa', bits: 2048 }, validityDays: 1, now: NOW });
    const cert = new X509Certificate(pair.certPem);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(new x509.X509Certificate(pair.certPem).getExtension(x509.BasicConstraintsExtension)!.ca).toBe(true);
    await expect(generateServerCert({ hostnames: [] })).rejects.toThrow('at least one hostname must be given');
  });
});

describe('loadOrCreateCpCert', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'kuma-tls-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('generates kuma-cp.crt and a 0600 kuma-cp.key in the work dir once, with the local SANs', async () => {
    const d = dir();
    const first = await loadOrCreateCpCert(d);
    expect(first).toMatchObject({ generated: true, certFile: join(d, 'kuma-cp.crt'), keyFile: join(d, 'kuma-cp.key') });
    expect(statSync(first.keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.certFile, 'utf8')).toBe(first.certPem);
    const cert = new X509Certificate(first.certPem);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    for (const ip of localSans().ips) expect(cert.checkIP(ip)).toBeTruthy();
    const again = await loadOrCreateCpCert(d);
    expect(again).toMatchObject({ generated: false, certPem: first.certPem, keyPem: first.keyPem });
  });

  it('uses configured files, which must come as a pair', async () => {
    const d = dir();
    const pair = await generateServerCert({ hostnames: ['x'] });
    writeFileSync(join(d, 'c.pem'), pair.certPem);
    writeFileSync(join(d, 'k.pem'), pair.keyPem);
    expect(await loadOrCreateCpCert(dir(), { certFile: join(d, 'c.pem'), keyFile: join(d, 'k.pem') })).toMatchObject({ generated: false, certPem: pair.certPem });
    await expect(loadOrCreateCpCert(d, { certFile: join(d, 'c.pem') })).rejects.toThrow(/must be set together/);
    await expect(loadOrCreateCpCert(d, { certFile: join(d, 'nope'), keyFile: join(d, 'k.pem') })).rejects.toThrow(/could not read the TLS certificate file/);
  });
});
