/**
 * The `envoy-admin-ca` GlobalSecret Kuma creates on every CP's first start
 * (spec kuma-api-cli.md §1.12; Kuma pkg/defaults EnsureEnvoyAdminCaExists):
 * the root a CP would sign Envoy admin client/server certificates with.
 * Never synced by KDS (filters.ts). Data: base64 of the CA certificate PEM
 * followed by its key PEM.
 */
import type { ResourceStore } from '../store/resource-store';
import { ECDSA_P256, generateKeys, privateKeyPem, randomSerial, x509 } from '../tls/x509';

export const ENVOY_ADMIN_CA_KEY = { type: 'GlobalSecret', mesh: '', name: 'envoy-admin-ca' } as const;
const VALIDITY_MS = 10 * 365 * 24 * 3600 * 1000;

/** Creates the secret unless it exists; true when created. */
export async function ensureEnvoyAdminCa(store: ResourceStore, now = new Date()): Promise<boolean> {
  if (store.get(ENVOY_ADMIN_CA_KEY)) return false;
  const { keys, signingAlgorithm } = await generateKeys(ECDSA_P256);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ O: ['Kuma'] }, { CN: ['Envoy Admin CA'] }],
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + VALIDITY_MS),
    keys,
    signingAlgorithm,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const pem = cert.toString('pem') + '\n' + (await privateKeyPem(keys.privateKey));
  try {
    await store.create({ ...ENVOY_ADMIN_CA_KEY, labels: {}, spec: { data: Buffer.from(pem).toString('base64') } });
  } catch (e) {
    if ((e as { code?: string }).code === 'KUMA_ALREADY_EXISTS') return false;
    throw e;
  }
  return true;
}
