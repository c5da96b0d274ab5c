import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createBuiltinCa } from '../../../internal/ca/builtin-ca';
import { ENVOY_ADMIN_CA_KEY, ensureEnvoyAdminCa } from '../../../internal/ca/envoy-admin-ca';
import { keyUsage } from '../../../internal/tls/cert-builder';
import { children, readTlv } from '../../../internal/tls/der';
import { ipBytes, ipText } from '../../../internal/tls/ip';
import { certificateSans, generateServerCert } from '../../../internal/tls/self-signed';
import { MemoryStore } from '../../../internal/store/memory-store';
import { importSigningKey, x509 } from '../../support/peculiar-x509';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

const tbsAndAlgorithm = (der: Uint8Array) => {
  const [tbs, alg] = children(der, readTlv(der, 0));
  return Buffer.from(der.subarray(tbs!.start, alg!.end)).toString('hex');
};

/** What @peculiar/x509 builds for the same subject, validity, key, serial and extensions (the signature aside). */
async function reference(pem: string, keyPem: string, name: x509.JsonName, notBefore: Date, notAfter: Date, extensions: (pub: x509.PublicKey) => Promise<x509.Extension[]>) {
  const ours = new X509Certificate(pem);
  const signer = await importSigningKey(keyPem);
  const publicKey = new x509.PublicKey(ours.publicKey.export({ type: 'spki', format: 'der' }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: ours.serialNumber.toLowerCase(),
    subject: name,
    issuer: name,
    notBefore,
    notAfter,
    publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.signingAlgorithm,
    extensions: await extensions(publicKey),
  });
  return new Uint8Array(cert.rawData);
}

describe('self-signed certificates built from DER', () => {
  it('mesh CA roots (ECDSA and RSA) are byte for byte what @peculiar/x509 builds', async () => {
    for (const rsaBits of [undefined, 2048]) {
      const ca = await createBuiltinCa('demo', { validityMs: 365 * DAY, ...(rsaBits ? { rsaBits } : {}) }, NOW);
      const ref = await reference(ca.certPem, ca.keyPem, [{ O: ['Kuma'] }, { OU: ['Mesh'] }, { CN: ['demo'] }], new Date(NOW.getTime() - 10_000), new Date(NOW.getTime() + 365 * DAY), async (pub) => [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: 'spiffe://demo' }]),
        await x509.SubjectKeyIdentifierExtension.create(pub),
      ]);
      const ours = new X509Certificate(ca.certPem);
      expect(tbsAndAlgorithm(ours.raw)).toBe(tbsAndAlgorithm(ref));
      expect(ours.verify(ours.publicKey)).toBe(true);
    }
  });

  it('the CP server certificate (DNS and IP SANs) is byte for byte what @peculiar/x509 builds', async () => {
    const pair = await generateServerCert({ hostnames: ['cp.example.com', '10.0.0.5'], ips: ['::1', 'fe80::1:2'], now: NOW });
    const ref = await reference(pair.certPem, pair.keyPem, [{ CN: ['cp.example.com'] }], new Date(NOW.getTime() - 300_000), new Date(NOW.getTime() + 3650 * DAY), async (pub) => [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'cp.example.com' },
        { type: 'ip', value: '::1' },
        { type: 'ip', value: 'fe80::1:2' },
        { type: 'ip', value: '10.0.0.5' },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(pub),
    ]);
    expect(tbsAndAlgorithm(new X509Certificate(pair.certPem).raw)).toBe(tbsAndAlgorithm(ref));
    expect(certificateSans(pair.certPem)).toEqual(['cp.example.com', '::1', 'fe80::1:2', '10.0.0.5']);
  });

  it('the envoy-admin-ca secret holds a CA certificate and its key', async () => {
    const store = new MemoryStore();
    expect(await ensureEnvoyAdminCa(store, NOW)).toBe(true);
    const pem = Buffer.from(String(store.get(ENVOY_ADMIN_CA_KEY)!.spec.data), 'base64').toString();
    const [certPem, keyPem] = pem.split('\n-----BEGIN PRIVATE KEY-----');
    const cert = new X509Certificate(certPem!);
    expect(cert.subject.split('\n')).toEqual(['O=Kuma', 'CN=Envoy Admin CA']);
    expect(cert.ca).toBe(true);
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(`-----BEGIN PRIVATE KEY-----${keyPem}`))).toBe(true);
    expect(new Date(cert.validFrom).getTime()).toBe(NOW.getTime() - 60_000);
    expect(await ensureEnvoyAdminCa(store, NOW)).toBe(false);
  });

  it('a subject that is not PrintableString is UTF8String', async () => {
    const pair = await generateServerCert({ hostnames: ['my_host'], now: NOW });
    const ref = await reference(pair.certPem, pair.keyPem, [{ CN: ['my_host'] }], new Date(NOW.getTime() - 300_000), new Date(NOW.getTime() + 3650 * DAY), async (pub) => [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'my_host' }]),
      await x509.SubjectKeyIdentifierExtension.create(pub),
    ]);
    expect(tbsAndAlgorithm(new X509Certificate(pair.certPem).raw)).toBe(tbsAndAlgorithm(ref));
  });

  it('key usage bits are DER-minimal', () => {
    expect(keyUsage(['keyCertSign', 'cRLSign']).toString('hex')).toMatch(/03020106$/);
    expect(keyUsage(['digitalSignature', 'keyEncipherment']).toString('hex')).toMatch(/030205a0$/);
  });
});

describe('IP SAN bytes', () => {
  it('reads every IPv6 spelling and prints the RFC 5952 form', () => {
    expect(ipBytes('10.1.2.3').toString('hex')).toBe('0a010203');
    expect(ipBytes('::1').toString('hex')).toBe('00000000000000000000000000000001');
    expect(ipBytes('::').toString('hex')).toBe('0'.repeat(32));
    expect(ipBytes('::ffff:1.2.3.4').toString('hex')).toBe('00000000000000000000ffff01020304');
    expect(ipBytes('2001:DB8:0:0:1:0:0:1').toString('hex')).toBe('20010db8000000000001000000000001');
    expect(ipText(ipBytes('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(ipText(ipBytes('1::'))).toBe('1::');
    expect(ipText(ipBytes('10.0.0.5'))).toBe('10.0.0.5');
    expect(() => ipBytes('nope')).toThrow(/not an IP address/);
  });
});
