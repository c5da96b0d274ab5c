/**
 * Token signing keys as Kuma keeps them: 2048-bit RSA, PKCS#1 PEM, stored
 * base64 in a (Global)Secret's `data`. The default key id is 1.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

export const DEFAULT_KID = '1';

export function dataplaneSigningKeyName(mesh: string, kid = DEFAULT_KID): string {
  return `dataplane-token-signing-key-${mesh}-${kid}`;
}

/** A new RSA private key as the base64 of its PEM. */
export async function newSigningKeyData(): Promise<string> {
  const { privateKey } = await generate('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return Buffer.from(privateKey as unknown as string).toString('base64');
}
