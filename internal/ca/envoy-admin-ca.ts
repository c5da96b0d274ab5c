/**
 * The `envoy-admin-ca` GlobalSecret Kuma creates on every CP's first start
 * (spec kuma-api-cli.md §1.12; Kuma pkg/defaults EnsureEnvoyAdminCaExists):
 * the root a CP would sign Envoy admin client/server certificates with.
 * Never synced by KDS (filters.ts). Data: base64 of the CA certificate PEM
 * followed by its key PEM.
 */
import type { ResourceStore } from '../store/resource-store';
import { basicConstraintsCa, keyUsage, selfSignedCert } from '../tls/cert-builder';
import { ECDSA_P256 } from '../tls/keys';

export const ENVOY_ADMIN_CA_KEY = { type: 'GlobalSecret', mesh: '', name: 'envoy-admin-ca' } as const;
const VALIDITY_MS = 10 * 365 * 24 * 3600 * 1000;

/** Creates the secret unless it exists; true when created. */
export async function ensureEnvoyAdminCa(store: ResourceStore, now = new Date()): Promise<boolean> {
  if (store.get(ENVOY_ADMIN_CA_KEY)) return false;
  const ca = await selfSignedCert({
    subject: [['O', 'Kuma'], ['CN', 'Envoy Admin CA']],
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + VALIDITY_MS),
    key: ECDSA_P256,
    extensions: () => [basicConstraintsCa(), keyUsage(['keyCertSign', 'cRLSign'])],
  });
  const pem = ca.certPem + '\n' + ca.keyPem;
  try {
    await store.create({ ...ENVOY_ADMIN_CA_KEY, labels: {}, spec: { data: Buffer.from(pem).toString('base64') } });
  } catch (e) {
    if ((e as { code?: string }).code === 'KUMA_ALREADY_EXISTS') return false;
    throw e;
  }
  return true;
}
