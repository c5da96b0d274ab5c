/**
 * Workload identity certificates (Kuma pkg/core/ca/issuer/issuer.go): empty
 * subject, URI SANs `spiffe://<mesh>/<service>` per service plus
 * `kuma://<tag>/<value>` per tag value, NotBefore 10 s back, EKU server and
 * client auth, signed by the mesh CA. Envoy presents it on both sides of
 * mesh mTLS (kuma-kds-xds.md §3.3). Pure given its inputs: the clock is a
 * parameter.
 */
import { X509Certificate, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { TRUE, bitString, children, context, octetString, oid, pem, readTlv, sequence, tlv, time, unsignedInteger } from '../tls/der';
import { ECDSA_P256, newKeyPair, privateKeyPem, randomSerial, signatureAlgorithmOf, type KeyKind } from '../tls/keys';
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

/** What signing with a CA needs: its key, the signature algorithm (DER and hash), its subject and key id. */
interface CaSigner {
  key: KeyObject;
  hash: string;
  algorithm: Buffer;
  /** The CA's subject Name, as DER, copied byte for byte into the issuer field. */
  subject: Buffer;
  /** The Authority Key Identifier extension naming the CA's Subject Key Identifier; absent when the CA has none. */
  aki?: Buffer;
}

/**
 * The parsed CA certificate and signing key of the last few CAs: parsing and importing cost
 * a third of an issuance, and a whole mesh is issued from one CA.
 */
const signers = new Map<string, CaSigner>();
const SIGNERS_KEPT = 16;

const SUBJECT_KEY_IDENTIFIER = oid('2.5.29.14');

// The extensions every identity certificate carries, encoded once. An empty subject makes the SAN
// extension the identity, so RFC 5280 §4.2.1.6 wants that one critical.
const VERSION_3 = context(0, true, tlv(0x02, Buffer.from([2])));
const EMPTY_NAME = sequence();
const BASIC_CONSTRAINTS_LEAF = sequence(oid('2.5.29.19'), TRUE, octetString(sequence()));
// digitalSignature (bit 0) | keyEncipherment (bit 2): 0b1010_0000 with 5 unused bits.
const KEY_USAGE = sequence(oid('2.5.29.15'), TRUE, octetString(bitString(Buffer.from([0xa0]), 5)));
const EXT_KEY_USAGE = sequence(oid('2.5.29.37'), octetString(sequence(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))));
const SAN = oid('2.5.29.17');
const AKI = oid('2.5.29.35');

function caSigner(certPem: string, keyPem: string): CaSigner {
  const cacheKey = `${certPem}\u0000${keyPem}`;
  const cached = signers.get(cacheKey);
  if (cached) return cached;
  const s = parseCa(certPem, keyPem);
  if (signers.size >= SIGNERS_KEPT) signers.delete(signers.keys().next().value!);
  signers.set(cacheKey, s);
  return s;
}

function parseCa(certPem: string, keyPem: string): CaSigner {
  // Accepts PKCS#8, PKCS#1 ("RSA PRIVATE KEY", what Kuma writes) and SEC1 ("EC PRIVATE KEY").
  const key = createPrivateKey(keyPem);
  const { hash, algorithm } = signatureAlgorithmOf(key);
  const der = new X509Certificate(certPem).raw;
  const tbs = children(der, readTlv(der, 0))[0]!;
  const fields = children(der, tbs);
  // version [0], serial, signature, issuer, validity, subject, spki, ..., [3] extensions
  const hasVersion = fields[0]!.tag === 0xa0;
  const subjectField = fields[hasVersion ? 5 : 4]!;
  const subject = Buffer.from(der.subarray(subjectField.start, subjectField.end));
  let aki: Buffer | undefined;
  const extsWrapper = fields.find((f) => f.tag === 0xa3);
  if (extsWrapper) {
    for (const ext of children(der, children(der, extsWrapper)[0]!)) {
      const parts = children(der, ext);
      const id = der.subarray(parts[0]!.start, parts[0]!.end);
      if (!SUBJECT_KEY_IDENTIFIER.equals(id)) continue;
      const value = parts[parts.length - 1]!;
      const keyId = readTlv(der, value.contentStart, value.end);
      aki = sequence(AKI, octetString(sequence(context(0, false, Buffer.from(der.subarray(keyId.contentStart, keyId.end))))));
    }
  }
  return { key, hash, algorithm, subject, ...(aki ? { aki } : {}) };
}

export async function issueIdentityCert(req: IdentityCertRequest): Promise<IdentityCert> {
  const sans = identitySans(req.mesh, req.services, req.tags);
  if (sans.length === 0) throw new Error(`an identity certificate needs at least one service or tag (mesh "${req.mesh}")`);
  const ca = caSigner(req.caCertPem, req.caKeyPem);
  const { publicKey, privateKey } = await newKeyPair(req.key ?? ECDSA_P256);
  const expiresAt = new Date(req.now.getTime() + req.validityMs);
  const serial = randomSerial();
  const sanValue = sequence(...sans.map((uri) => context(6, false, Buffer.from(uri, 'latin1'))));
  const tbs = sequence(
    VERSION_3,
    unsignedInteger(Buffer.from(serial, 'hex')),
    ca.algorithm,
    ca.subject,
    sequence(time(new Date(req.now.getTime() - CLOCK_SKEW_MS)), time(expiresAt)),
    EMPTY_NAME,
    publicKey.export({ type: 'spki', format: 'der' }),
    context(3, true, sequence(BASIC_CONSTRAINTS_LEAF, KEY_USAGE, EXT_KEY_USAGE, sequence(SAN, TRUE, octetString(sanValue)), ...(ca.aki ? [ca.aki] : []))),
  );
  // ECDSA signatures come out DER-encoded (Ecdsa-Sig-Value), which is what X.509 carries.
  const signature = sign(ca.hash, tbs, ca.key);
  const cert = sequence(tbs, ca.algorithm, bitString(signature));
  return { certPem: pem('CERTIFICATE', cert), keyPem: privateKeyPem(privateKey), expiresAt, serial };
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
