/**
 * Token signing keys as Kuma keeps them (pkg/core/tokens/signing_key*.go):
 * 2048-bit RSA, PKCS#1 PEM, stored base64 in a (Global)Secret's `data`
 * named `<prefix>-<kid>`. The default key id is 1; a rotation adds
 * `<prefix>-2` and new tokens are signed with the highest kid.
 *
 * A federated zone has no zone-token private key: the global sends it the
 * public half as GlobalSecret `zone-token-signing-public-key-<kid>`
 * ("RSA PUBLIC KEY" PEM), which is enough to verify.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { Resource } from '../resources/model';
import type { ResourceStore } from '../store/resource-store';

const generate = promisify(generateKeyPair);

export const DEFAULT_KID = '1';
export const ZONE_SIGNING_KEY_PREFIX = 'zone-token-signing-key';
export const ZONE_SIGNING_PUBLIC_KEY_PREFIX = 'zone-token-signing-public-key';
export const ZONE_TOKEN_REVOCATIONS = 'zone-token-revocations';
export const USER_SIGNING_KEY_PREFIX = 'user-token-signing-key';
export const USER_TOKEN_REVOCATIONS = 'user-token-revocations';

export function dataplaneSigningKeyPrefix(mesh: string): string {
  return `dataplane-token-signing-key-${mesh}`;
}

export function dataplaneSigningKeyName(mesh: string, kid = DEFAULT_KID): string {
  return `${dataplaneSigningKeyPrefix(mesh)}-${kid}`;
}

export function dataplaneRevocationsName(mesh: string): string {
  return `dataplane-token-revocations-${mesh}`;
}

export function zoneSigningKeyName(kid = DEFAULT_KID): string {
  return `${ZONE_SIGNING_KEY_PREFIX}-${kid}`;
}

export function userSigningKeyName(kid = DEFAULT_KID): string {
  return `${USER_SIGNING_KEY_PREFIX}-${kid}`;
}

export function zoneSigningPublicKeyName(kid = DEFAULT_KID): string {
  return `${ZONE_SIGNING_PUBLIC_KEY_PREFIX}-${kid}`;
}

async function generatePem(): Promise<string> {
  const { privateKey } = await generate('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return privateKey as unknown as string;
}

/** Keys already being generated, taken first by newSigningKeyPem. */
const ahead: Promise<string>[] = [];

/**
 * Starts generating `n` keys at once on the thread pool. A CP's first start
 * needs up to three (zone, user and the default mesh's dataplane key) one
 * after the other; each takes 100-300 ms, so generating them together
 * instead of in turn is most of an empty store's time to ready.
 */
export function prefetchSigningKeys(n: number): void {
  for (let i = 0; i < n; i++) {
    const p = generatePem();
    p.catch(() => undefined); // a failure surfaces where the key is taken
    ahead.push(p);
  }
}

/** A new RSA private key as PKCS#1 PEM (what `kuma generate signing-key --format pem` prints). */
export function newSigningKeyPem(): Promise<string> {
  return ahead.shift() ?? generatePem();
}

/** A new RSA private key as the base64 of its PEM: a Secret's `data`. */
export async function newSigningKeyData(): Promise<string> {
  return Buffer.from(await newSigningKeyPem()).toString('base64');
}

/**
 * A key from bytes as users hand them over: PEM, the base64 of a PEM (a
 * Secret's data, or `kuma generate signing-key` output), or PKCS#1 DER
 * (Kuma's legacy form). Private keys stay private; `public` reads either.
 */
export function parseKey(bytes: Buffer | string, kind: 'private' | 'public'): KeyObject {
  let buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  if (!buf.toString('latin1').includes('-----BEGIN')) {
    const decoded = Buffer.from(buf.toString('latin1').trim(), 'base64');
    if (decoded.toString('latin1').includes('-----BEGIN')) buf = decoded;
  }
  const isPem = buf.toString('latin1').includes('-----BEGIN');
  const priv = () => (isPem ? createPrivateKey(buf) : createPrivateKey({ key: buf, format: 'der', type: 'pkcs1' }));
  if (kind === 'private') return priv();
  if (isPem && /-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(buf.toString('latin1'))) return createPublicKey(priv());
  return isPem ? createPublicKey(buf) : createPublicKey({ key: buf, format: 'der', type: 'pkcs1' });
}

/** The public half as Kuma writes it: PKCS#1 "RSA PUBLIC KEY" PEM. */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'pkcs1', format: 'pem' }) as string;
}

/** The raw bytes of a (Global)Secret. */
export function secretBytes(r: Resource): Buffer {
  return Buffer.from(String(r.spec.data ?? ''), 'base64');
}

export interface StoredKey {
  kid: string;
  resource: Resource;
}

/**
 * The signing key with the highest numeric kid among `<prefix>-<kid>`
 * secrets of one type and mesh, as Kuma's latestSigningKey picks it.
 */
export function latestSigningKey(store: ResourceStore, type: 'Secret' | 'GlobalSecret', mesh: string, prefix: string): StoredKey | undefined {
  let best: StoredKey | undefined;
  let bestN = -1;
  for (const r of store.list(type, { mesh: type === 'Secret' ? mesh : undefined, nameContains: prefix }).items) {
    if (!r.name.startsWith(`${prefix}-`)) continue;
    const kid = r.name.slice(prefix.length + 1);
    if (!/^\d+$/.test(kid)) continue;
    const n = Number(kid);
    if (n > bestN) {
      bestN = n;
      best = { kid, resource: r };
    }
  }
  return best;
}

/**
 * Creates GlobalSecret `zone-token-signing-key-1` unless some zone signing
 * key exists. Run on the global and on non-federated zones at start (not on
 * federated zones, which only hold the global's public key). Returns
 * whether it created the key.
 */
export function ensureZoneSigningKey(store: ResourceStore, labels: Record<string, string> = {}): Promise<boolean> {
  return ensureGlobalSigningKey(store, ZONE_SIGNING_KEY_PREFIX, labels);
}

/**
 * Creates GlobalSecret `user-token-signing-key-1` unless some user signing
 * key exists. Every CP signs its own user tokens (the key never crosses KDS),
 * so this runs on global and zone CPs alike, as Kuma's tokens plugin does.
 */
export function ensureUserSigningKey(store: ResourceStore): Promise<boolean> {
  return ensureGlobalSigningKey(store, USER_SIGNING_KEY_PREFIX, {});
}

/** Zone signing keys being created after the CP turned ready, per store. */
const zoneKeyInProgress = new WeakMap<ResourceStore, Promise<boolean>>();

/**
 * ensureZoneSigningKey off the path to /ready (Kuma creates it in its
 * defaults component too): zone tokens issued or verified meanwhile wait for
 * it through `zoneSigningKeySettled`.
 */
export function ensureZoneSigningKeySoon(store: ResourceStore): Promise<boolean> {
  const p = ensureZoneSigningKey(store);
  zoneKeyInProgress.set(store, p);
  p.then(
    () => zoneKeyInProgress.delete(store),
    () => zoneKeyInProgress.delete(store),
  );
  return p;
}

/** Resolves once a zone signing key this CP is creating exists (or its creation failed). */
export async function zoneSigningKeySettled(store: ResourceStore): Promise<void> {
  await zoneKeyInProgress.get(store)?.catch(() => undefined);
}

async function ensureGlobalSigningKey(store: ResourceStore, prefix: string, labels: Record<string, string>): Promise<boolean> {
  if (latestSigningKey(store, 'GlobalSecret', '', prefix)) return false;
  const data = await newSigningKeyData();
  // Key generation yields the event loop: another writer may have created it meanwhile.
  if (latestSigningKey(store, 'GlobalSecret', '', prefix)) return false;
  await store.create({ type: 'GlobalSecret', mesh: '', name: `${prefix}-${DEFAULT_KID}`, labels, spec: { data } });
  return true;
}

export interface PublicKeyEntry {
  kid: string;
  /** `zone-token-signing-public-key-<kid>`: the name a zone stores it under. */
  name: string;
  pem: string;
}

/** Public halves of every zone signing key, for the global to send to zones (one GlobalSecret each). */
export function zoneSigningPublicKeys(store: ResourceStore): PublicKeyEntry[] {
  const out: PublicKeyEntry[] = [];
  for (const r of store.list('GlobalSecret', { nameContains: ZONE_SIGNING_KEY_PREFIX }).items) {
    const kid = r.name.startsWith(`${ZONE_SIGNING_KEY_PREFIX}-`) ? r.name.slice(ZONE_SIGNING_KEY_PREFIX.length + 1) : '';
    if (!/^\d+$/.test(kid)) continue;
    out.push({ kid, name: zoneSigningPublicKeyName(kid), pem: publicKeyPem(parseKey(secretBytes(r), 'private')) });
  }
  return out;
}

/** The public key PEM of the newest zone signing key, or undefined when there is none. */
export function zoneSigningPublicKey(store: ResourceStore): string | undefined {
  const k = latestSigningKey(store, 'GlobalSecret', '', ZONE_SIGNING_KEY_PREFIX);
  return k ? publicKeyPem(parseKey(secretBytes(k.resource), 'private')) : undefined;
}
