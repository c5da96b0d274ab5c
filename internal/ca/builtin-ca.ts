/**
 * The builtin mesh CA (Kuma pkg/plugins/ca/builtin): a self-signed root per
 * (mesh, backend), kept as two mesh Secrets holding base64 PEM,
 * `<mesh>.ca-builtin-cert-<backend>` and `<mesh>.ca-builtin-key-<backend>`.
 * Created on the global (or a non-federated zone) and synced to zones by
 * KDS, so every zone of a mesh shares one CA (cross-zone mTLS needs it).
 */
import { LABEL, type Resource } from '../resources/model';
import type { ResourceStore, WriteOp } from '../store/resource-store';
import { basicConstraintsCa, keyUsage, selfSignedCert, subjectAltName, subjectKeyIdentifier } from '../tls/cert-builder';
import { ECDSA_P256 } from '../tls/keys';
import { builtinCaCertSecretName, builtinCaConf, builtinCaKeySecretName, enabledBackend, type BuiltinCaConf } from './mtls-config';

/** Kuma's DefaultAllowedClockSkew for CA and identity certificates. */
export const CLOCK_SKEW_MS = 10_000;

export interface CaKeyPair {
  certPem: string;
  keyPem: string;
}

/** A new self-signed root for `mesh`: subject O=Kuma, OU=Mesh, CN=<mesh>, URI SAN spiffe://<mesh>. */
export function createBuiltinCa(mesh: string, conf: BuiltinCaConf, now: Date): Promise<CaKeyPair> {
  return selfSignedCert({
    subject: [['O', 'Kuma'], ['OU', 'Mesh'], ['CN', mesh]],
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + conf.validityMs),
    key: conf.rsaBits ? { type: 'rsa', bits: conf.rsaBits } : ECDSA_P256,
    extensions: (spki) => [basicConstraintsCa(), keyUsage(['keyCertSign', 'cRLSign']), subjectAltName([{ type: 'uri', value: `spiffe://${mesh}` }]), subjectKeyIdentifier(spki)],
  });
}

export interface EnsureCaOptions {
  /** Labels of the CA secrets; default `kuma.io/mesh: <mesh>` (the CA manager passes the computed ones). */
  labels?: Record<string, string>;
  now?: Date;
}

/**
 * The writes that give `mesh` the CA of its enabled builtin backend: none
 * when mTLS is off, the backend is not builtin, or both secrets exist.
 * A half-present pair (a lost key) is replaced as a whole: a cert without
 * its key cannot sign anything.
 */
export async function ensureMeshCa(store: ResourceStore, mesh: Resource, opts: EnsureCaOptions = {}): Promise<WriteOp[]> {
  const backend = enabledBackend(mesh.spec);
  if (!backend || backend.type !== 'builtin') return [];
  const certKey = { type: 'Secret', mesh: mesh.name, name: builtinCaCertSecretName(mesh.name, backend.name) };
  const keyKey = { type: 'Secret', mesh: mesh.name, name: builtinCaKeySecretName(mesh.name, backend.name) };
  const cert = store.get(certKey);
  const key = store.get(keyKey);
  if (cert && key) return [];
  const pair = await createBuiltinCa(mesh.name, builtinCaConf(backend), opts.now ?? new Date());
  const labels = opts.labels ?? { [LABEL.mesh]: mesh.name };
  const write = (k: typeof certKey, exists: boolean, pem: string): WriteOp => {
    const resource = { ...k, labels, spec: { data: Buffer.from(pem).toString('base64') } };
    return exists ? { op: 'update', resource } : { op: 'create', resource };
  };
  return [write(certKey, !!cert, pair.certPem), write(keyKey, !!key, pair.keyPem)];
}
