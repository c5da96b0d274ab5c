/**
 * Self-signed certificates (the mesh CA roots, the Envoy admin CA, the CP's
 * own TLS certificate) built from DER bytes and signed with node:crypto.
 * A generic X.509 library cost a tenth of the CP's start in module loading
 * alone; these few shapes need only the encoders below. Field encodings
 * follow what @peculiar/x509 produced before (test/unit/tls/cert-builder.test.ts
 * compares the bytes).
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { TRUE, bitString, children, context, octetString, oid, pem, readTlv, sequence, tlv, time, unsignedInteger } from './der';
import { newKeyPair, privateKeyPem, randomSerial, signatureAlgorithmOf, type KeyKind } from './keys';
import { ipBytes } from './ip';

/** The attribute types our subjects use. */
export const ATTR = { CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11' } as const;

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** A Name of one attribute per RDN, in order; PrintableString when the value allows it, else UTF8String. */
export function name(attrs: [keyof typeof ATTR, string][]): Buffer {
  return sequence(
    ...attrs.map(([type, value]) => tlv(0x31, sequence(oid(ATTR[type]), tlv(PRINTABLE.test(value) ? 0x13 : 0x0c, Buffer.from(value, 'utf8'))))),
  );
}

const extension = (id: string, critical: boolean, value: Buffer): Buffer => sequence(oid(id), ...(critical ? [TRUE] : []), octetString(value));

/** Critical BasicConstraints CA:TRUE without a path length. */
export const basicConstraintsCa = (): Buffer => extension('2.5.29.19', true, sequence(TRUE));

export const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

/** Critical KeyUsage of the named bits, DER-minimal (trailing zero bits dropped). */
export function keyUsage(bits: (keyof typeof KEY_USAGE)[]): Buffer {
  const top = Math.max(...bits.map((b) => KEY_USAGE[b]));
  const bytes = Buffer.alloc((top >> 3) + 1);
  for (const b of bits) bytes[KEY_USAGE[b] >> 3]! |= 0x80 >> (KEY_USAGE[b] & 7);
  return extension('2.5.29.15', true, bitString(bytes, 7 - (top & 7)));
}

export const EKU = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' } as const;

export const extKeyUsage = (usages: (keyof typeof EKU)[]): Buffer => extension('2.5.29.37', false, sequence(...usages.map((u) => oid(EKU[u]))));

export type GeneralName = { type: 'dns' | 'uri' | 'ip'; value: string };

/** SubjectAltName: dNSName [2], uniformResourceIdentifier [6], iPAddress [7]. */
export function subjectAltName(names: GeneralName[], critical = false): Buffer {
  const encoded = names.map((n) =>
    n.type === 'ip' ? context(7, false, ipBytes(n.value)) : context(n.type === 'dns' ? 2 : 6, false, Buffer.from(n.value, 'latin1')),
  );
  return extension('2.5.29.17', critical, sequence(...encoded));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function subjectKeyIdentifier(spki: Buffer): Buffer {
  const bits = children(spki, readTlv(spki, 0))[1]!;
  return extension('2.5.29.14', false, octetString(createHash('sha1').update(spki.subarray(bits.contentStart + 1, bits.end)).digest()));
}

export interface SelfSignedSpec {
  subject: [keyof typeof ATTR, string][];
  notBefore: Date;
  notAfter: Date;
  key: KeyKind;
  /** Extensions in certificate order; `spki` is the new public key, for a Subject Key Identifier. */
  extensions: (spki: Buffer) => Buffer[];
}

export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

/** A version 3 certificate, issuer = subject, signed by its own new key. */
export async function selfSignedCert(spec: SelfSignedSpec): Promise<CertAndKey> {
  const { publicKey, privateKey } = await newKeyPair(spec.key);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const subject = name(spec.subject);
  const alg = signatureAlgorithmOf(privateKey);
  const tbs = sequence(
    context(0, true, tlv(0x02, Buffer.from([2]))),
    unsignedInteger(Buffer.from(randomSerial(), 'hex')),
    alg.algorithm,
    subject,
    sequence(time(spec.notBefore), time(spec.notAfter)),
    subject,
    spki,
    context(3, true, sequence(...spec.extensions(spki))),
  );
  return { certPem: signedPem(tbs, alg.algorithm, alg.hash, privateKey), keyPem: privateKeyPem(privateKey) };
}

function signedPem(tbs: Buffer, algorithm: Buffer, hash: string, key: KeyObject): string {
  // ECDSA signatures come out DER-encoded (Ecdsa-Sig-Value), which is what X.509 carries.
  return pem('CERTIFICATE', sequence(tbs, algorithm, bitString(sign(hash, tbs, key))));
}
