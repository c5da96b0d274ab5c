/**
 * Workload identity certificates (Kuma pkg/core/ca/issuer/issuer.go): empty
 * subject, URI SANs `spiffe://<mesh>/<service>` per service plus
 * `kuma://<tag>/<value>` per tag value, NotBefore 10 s back, EKU server and
 * client auth, signed by the mesh CA. Envoy presents it on both sides of
 * mesh mTLS (kuma-kds-xds.md §3.3). Pure given its inputs: the clock is a
 * parameter.
 */
import { ECDSA_P256, generateKeys, importSigningKey, privateKeyPem, randomSerial, x509, type KeyKind } from '../tls/x509';
import { CLOCK_SKEW_MS } from './builtin-ca';

export interface IdentityCertRequest {
  caCertPem: string;
  caKeyPem: string;
  mesh: string;
  services: string[];
  tags: Record<string, string[]>;
  validityMs: number;
  now: Date;
  /** Default ECDSA P-256 (Kuma uses RSA 2048; Envoy takes either). */
  key?: KeyKind;
}

export interface IdentityCert {
  certPem: string;
  keyPem: string;
  expiresAt: Date;
  /** Hex serial number. */
  serial: string;
}

/** The URI SANs of an identity, sorted and without duplicates so equal inputs give equal certificates. */
export function identitySans(mesh: string, services: string[], tags: Record<string, string[]>): string[] {
  const spiffe = [...new Set(services)].sort().map((s) => `spiffe://${mesh}/${s}`);
  const kuma = new Set<string>();
  for (const [tag, values] of Object.entries(tags)) for (const v of values) kuma.add(`kuma://${tag}/${v}`);
  return [...spiffe, ...[...kuma].sort()];
}

/**
 * The parsed CA certificate and imported signing key of the last few CAs: parsing and importing
 * cost a third of an issuance, and a whole mesh is issued from one CA.
 */
const signers = new Map<string, Promise<{ ca: x509.X509Certificate; signer: Awaited<ReturnType<typeof importSigningKey>> }>>();
const SIGNERS_KEPT = 16;

function caSigner(certPem: string, keyPem: string) {
  const key = `${certPem}\u0000${keyPem}`;
  let s = signers.get(key);
  if (!s) {
    s = (async () => ({ ca: new x509.X509Certificate(certPem), signer: await importSigningKey(keyPem) }))();
    s.catch(() => signers.delete(key));
    if (signers.size >= SIGNERS_KEPT) signers.delete(signers.keys().next().value!);
    signers.set(key, s);
  }
  return s;
}

export async function issueIdentityCert(req: IdentityCertRequest): Promise<IdentityCert> {
  const sans = identitySans(req.mesh, req.services, req.tags);
  if (sans.length === 0) throw new Error(`an identity certificate needs at least one service or tag (mesh "${req.mesh}")`);
  const { ca, signer } = await caSigner(req.caCertPem, req.caKeyPem);
  const { keys } = await generateKeys(req.key ?? ECDSA_P256);
  const expiresAt = new Date(req.now.getTime() + req.validityMs);
  const serial = randomSerial();
  const aki = ca.getExtension(x509.SubjectKeyIdentifierExtension);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    // An empty subject makes the SAN extension the identity, so RFC 5280 §4.2.1.6 wants it critical.
    subject: [],
    issuer: ca.subjectName,
    notBefore: new Date(req.now.getTime() - CLOCK_SKEW_MS),
    notAfter: expiresAt,
    publicKey: keys.publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(
        sans.map((value) => ({ type: 'url' as const, value })),
        true,
      ),
      ...(aki ? [new x509.AuthorityKeyIdentifierExtension(aki.keyId)] : []),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey), expiresAt, serial };
}

/**
 * Whether a certificate issued at `issuedAt` and expiring at `expiresAt`
 * is due for renewal: once `fraction` of its lifetime has passed (Kuma
 * renews at 4/5).
 */
export function needsRenewal(expiresAt: Date, issuedAt: Date, fraction = 0.8, now: Date = new Date()): boolean {
  return now.getTime() >= renewalTime(expiresAt, issuedAt, fraction).getTime();
}

/** The moment `needsRenewal` turns true. */
export function renewalTime(expiresAt: Date, issuedAt: Date, fraction = 0.8): Date {
  const life = expiresAt.getTime() - issuedAt.getTime();
  return new Date(issuedAt.getTime() + Math.max(0, life) * fraction);
}
