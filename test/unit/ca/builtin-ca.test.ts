import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createBuiltinCa, ensureMeshCa } from '../../../internal/ca/builtin-ca';
import { builtinCaConf, enabledBackend, parseCertDuration } from '../../../internal/ca/mtls-config';
import { x509 } from '../../support/peculiar-x509';
import type { Resource } from '../../../internal/resources/model';
import { MemoryStore } from '../../../internal/store/memory-store';

const NOW = new Date('2026-01-01T00:00:00Z');
const DAY = 86_400_000;

async function meshIn(store: MemoryStore, name: string, mtls?: Record<string, unknown>): Promise<Resource> {
  return store.create({ type: 'Mesh', mesh: '', name, labels: {}, spec: mtls ? { mtls } : {} });
}

const builtin = (conf?: Record<string, unknown>) => ({ enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin', ...(conf ? { conf } : {}) }] });

describe('createBuiltinCa', () => {
  it('makes an ECDSA P-256 self-signed root, O=Kuma OU=Mesh CN=<mesh>, 10 years by default', async () => {
    const ca = await createBuiltinCa('demo', builtinCaConf(enabledBackend({ mtls: builtin() })!), NOW);
    const cert = new X509Certificate(ca.certPem);
    expect(cert.subject.split('\n')).toEqual(['O=Kuma', 'OU=Mesh', 'CN=demo']);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.ca).toBe(true);
    expect(cert.subjectAltName).toBe('URI:spiffe://demo');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(new Date(cert.validFrom).getTime()).toBe(NOW.getTime() - 10_000);
    expect(new Date(cert.validTo).getTime()).toBe(NOW.getTime() + 3650 * DAY);
    const parsed = new x509.X509Certificate(ca.certPem);
    const bc = parsed.getExtension(x509.BasicConstraintsExtension)!;
    expect([bc.ca, bc.critical]).toEqual([true, true]);
    const ku = parsed.getExtension(x509.KeyUsagesExtension)!;
    expect(ku.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('uses RSA of caCert.RSAbits and the caCert.expiration validity when the backend asks', async () => {
    const conf = builtinCaConf(enabledBackend({ mtls: builtin({ caCert: { RSAbits: 2048, expiration: '1y' } }) })!);
    const ca = await createBuiltinCa('demo', conf, NOW);
    const cert = new X509Certificate(ca.certPem);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(new Date(cert.validTo).getTime()).toBe(NOW.getTime() + 365 * DAY);
  });

  it('reads durations the way Kuma mesh config does', () => {
    expect(parseCertDuration('10y')).toBe(3650 * DAY);
    expect(parseCertDuration('90d')).toBe(90 * DAY);
    expect(parseCertDuration('24h30m')).toBe(24.5 * 3_600_000);
    expect(parseCertDuration('soon')).toBeUndefined();
    expect(() => builtinCaConf(enabledBackend({ mtls: builtin({ caCert: { expiration: 'soon' } }) })!)).toThrow(/conf\.caCert\.expiration: "soon"/);
  });
});

describe('ensureMeshCa', () => {
  it('returns creates of both secrets, base64 PEM, labelled with the mesh', async () => {
    const store = new MemoryStore();
    const mesh = await meshIn(store, 'demo', builtin());
    const ops = await ensureMeshCa(store, mesh, { now: NOW });
    expect(ops.map((o) => [o.op, o.op === 'delete' ? '' : o.resource.name])).toEqual([
      ['create', 'demo.ca-builtin-cert-ca-1'],
      ['create', 'demo.ca-builtin-key-ca-1'],
    ]);
    const [cert, key] = ops.map((o) => (o.op === 'delete' ? '' : Buffer.from(String(o.resource.spec.data), 'base64').toString()));
    expect(cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(ops[0]!.op !== 'delete' && ops[0]!.resource.labels).toEqual({ 'kuma.io/mesh': 'demo' });
  });

  it('returns nothing when mTLS is off, the backend is provided, or the secrets exist', async () => {
    const store = new MemoryStore();
    expect(await ensureMeshCa(store, await meshIn(store, 'off'))).toEqual([]);
    const provided = { enabledBackend: 'p', backends: [{ name: 'p', type: 'provided' }] };
    expect(await ensureMeshCa(store, await meshIn(store, 'prov', provided))).toEqual([]);
    const mesh = await meshIn(store, 'demo', builtin());
    await store.transact(await ensureMeshCa(store, mesh));
    expect(await ensureMeshCa(store, mesh)).toEqual([]);
  });

  it('replaces a half pair as a whole', async () => {
    const store = new MemoryStore();
    const mesh = await meshIn(store, 'demo', builtin());
    await store.transact(await ensureMeshCa(store, mesh));
    await store.delete({ type: 'Secret', mesh: 'demo', name: 'demo.ca-builtin-key-ca-1' });
    const ops = await ensureMeshCa(store, mesh);
    expect(ops.map((o) => o.op)).toEqual(['update', 'create']);
  });
});
