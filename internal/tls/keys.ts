/**
 * Keys and signature algorithms every certificate maker shares (mesh CA,
 * identity certs, the CP's own cert), on node:crypto alone.
 */
import { generateKeyPair, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { NULL, oid, sequence } from './der';

export type KeyKind = { type: 'ecdsa' } | { type: 'rsa'; bits: number };

export const ECDSA_P256: KeyKind = { type: 'ecdsa' };

const generateKeyPairAsync = promisify(generateKeyPair);

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export async function newKeyPair(kind: KeyKind): Promise<KeyPair> {
  // A P-256 key takes a fraction of a millisecond: generated in line. RSA takes tens, off the loop.
  return kind.type === 'ecdsa' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairAsync('rsa', { modulusLength: kind.bits });
}

/** How a key signs: the hash for crypto.sign and the AlgorithmIdentifier DER a certificate names. */
export interface SignatureAlgorithm {
  hash: string;
  algorithm: Buffer;
}

const ALGORITHMS = {
  ecdsaSha256: { hash: 'sha256', algorithm: sequence(oid('1.2.840.10045.4.3.2')) },
  ecdsaSha384: { hash: 'sha384', algorithm: sequence(oid('1.2.840.10045.4.3.3')) },
  ecdsaSha512: { hash: 'sha512', algorithm: sequence(oid('1.2.840.10045.4.3.4')) },
  rsaSha256: { hash: 'sha256', algorithm: sequence(oid('1.2.840.113549.1.1.11'), NULL) },
} satisfies Record<string, SignatureAlgorithm>;

/** RSA signs with SHA-256; ECDSA with the hash that matches its curve. */
export function signatureAlgorithmOf(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return ALGORITHMS.rsaSha256;
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'secp384r1' ? ALGORITHMS.ecdsaSha384 : curve === 'secp521r1' ? ALGORITHMS.ecdsaSha512 : ALGORITHMS.ecdsaSha256;
  }
  throw new Error(`unsupported CA key type "${key.asymmetricKeyType}": use an RSA or ECDSA key`);
}

/** PKCS#8 PEM ("PRIVATE KEY"), without the trailing newline: the form Envoy, Node and OpenSSL all read. */
export function privateKeyPem(key: KeyObject): string {
  return (key.export({ type: 'pkcs8', format: 'pem' }) as string).trimEnd();
}

/** A positive 128-bit serial number as hex (the high bit cleared so DER keeps it positive without padding). */
export function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  // A leading zero byte would be stripped by encoders and change the serial we report.
  if (b[0] === 0) b[0] = 0x01;
  return b.toString('hex');
}
