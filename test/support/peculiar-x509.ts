/**
 * @peculiar/x509, the reference our DER-built certificates are compared
 * with (tests only: the product builds certificates in internal/tls/).
 *
 * It resolves its algorithms through tsyringe, which needs the Reflect
 * metadata polyfill loaded first, and signs through a WebCrypto provider
 * that must be set once. Both happen here.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };

const subtle = webcrypto.subtle;

export type KeyKind = { type: 'ecdsa' } | { type: 'rsa'; bits: number };

export const ECDSA_P256: KeyKind = { type: 'ecdsa' };

type KeyGenAlgorithm = (EcKeyGenParams | RsaHashedKeyGenParams) & { hash: string };

/** WebCrypto algorithm for a key kind; `hash` is the signature hash when the key signs a certificate. */
function algorithmOf(kind: KeyKind): KeyGenAlgorithm {
  return kind.type === 'ecdsa'
    ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
    : { name: 'RSASSA-PKCS1-v1_5', modulusLength: kind.bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
}

export interface GeneratedKeys {
  keys: CryptoKeyPair;
  /** Signature algorithm to pass as `signingAlgorithm` when these keys sign. */
  signingAlgorithm: Algorithm;
}

export async function generateKeys(kind: KeyKind): Promise<GeneratedKeys> {
  const alg = algorithmOf(kind);
  const keys = (await subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  return { keys, signingAlgorithm: alg };
}

/** PKCS#8 PEM ("PRIVATE KEY") of a WebCrypto private key: the form Envoy, Node and OpenSSL all read. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export interface SigningKey {
  key: CryptoKey;
  signingAlgorithm: Algorithm;
}

/**
 * Imports a PEM private key for signing. Accepts PKCS#8, PKCS#1 ("RSA
 * PRIVATE KEY", what Kuma writes) and SEC1 ("EC PRIVATE KEY"): node:crypto
 * reads them all and re-exports PKCS#8, the only form WebCrypto imports.
 */
export async function importSigningKey(pem: string): Promise<SigningKey> {
  const ko: KeyObject = createPrivateKey(pem);
  const der = ko.export({ type: 'pkcs8', format: 'der' });
  if (ko.asymmetricKeyType === 'rsa') {
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { key: (await subtle.importKey('pkcs8', der, alg, false, ['sign'])) as unknown as CryptoKey, signingAlgorithm: alg };
  }
  if (ko.asymmetricKeyType === 'ec') {
    const curve = ko.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === 'secp384r1' ? 'P-384' : curve === 'secp521r1' ? 'P-521' : 'P-256';
    const hash = namedCurve === 'P-384' ? 'SHA-384' : namedCurve === 'P-521' ? 'SHA-512' : 'SHA-256';
    const key = await subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve }, false, ['sign']);
    return { key: key as unknown as CryptoKey, signingAlgorithm: { name: 'ECDSA', hash } as Algorithm };
  }
  throw new Error(`unsupported CA key type "${ko.asymmetricKeyType}": use an RSA or ECDSA key`);
}
