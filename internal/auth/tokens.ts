/**
 * Dataplane and zone tokens (spec kuma-api-cli.md §5): RS256 JWTs whose
 * header carries the `kid` of the signing key, registered claims jti (a
 * UUID), iat = nbf = now − 5 s and exp = now + validFor + 5 s, and custom
 * claims with Kuma's capitalised Go field names.
 *
 * Keys come from the store (signing-key.ts): dataplane tokens from mesh
 * Secret `dataplane-token-signing-key-<mesh>-<kid>`, zone tokens from
 * GlobalSecret `zone-token-signing-key-<kid>` or, on a federated zone, its
 * public half `zone-token-signing-public-key-<kid>`, user tokens from
 * GlobalSecret `user-token-signing-key-<kid>`. Revoked token ids are a comma
 * list in Secret `dataplane-token-revocations-<mesh>` or GlobalSecret
 * `zone-token-revocations` / `user-token-revocations` (Kuma
 * pkg/core/tokens/revocations.go). What a verified dataplane or zone token
 * allows is checked in token-authn.ts.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { KumaError } from '../errors';
import type { Resource } from '../resources/model';
import type { ResourceStore } from '../store/resource-store';
import { authenticated, type User } from './user';
import {
  USER_SIGNING_KEY_PREFIX,
  zoneSigningKeySettled,
  USER_TOKEN_REVOCATIONS,
  userSigningKeyName,
  ZONE_SIGNING_KEY_PREFIX,
  ZONE_TOKEN_REVOCATIONS,
  dataplaneRevocationsName,
  dataplaneSigningKeyName,
  dataplaneSigningKeyPrefix,
  latestSigningKey,
  parseKey,
  secretBytes,
  zoneSigningKeyName,
  zoneSigningPublicKeyName,
} from './signing-key';

/**
 * Parsed verification keys per stored secret object. The store hands out
 * the same object until the secret changes, so a rotation or edit misses
 * and the old entry is collected with the old object. Parsing an RSA PEM
 * costs far more than checking a signature.
 */
const verifyKeys = new WeakMap<object, KeyObject>();

function verifyKeyOf(secret: Resource): KeyObject {
  let k = verifyKeys.get(secret);
  if (!k) {
    k = parseKey(secretBytes(secret), 'public');
    verifyKeys.set(secret, k);
  }
  return k;
}

/** Slack on both ends of a token's validity for clocks that disagree. */
export const TOKEN_CLOCK_SKEW_MS = 5_000;

export const PROXY_TYPES = ['dataplane', 'ingress', 'egress'] as const;
/** `cp` is ours: it lets a zone control plane authenticate to the global over KDS. */
export const ZONE_TOKEN_SCOPES = ['cp', 'ingress', 'egress'] as const;
export type ZoneTokenScope = (typeof ZONE_TOKEN_SCOPES)[number];
/** Kuma's default scope (the zone proxies); `cp` must be asked for. */
export const DEFAULT_ZONE_TOKEN_SCOPES: ZoneTokenScope[] = ['ingress', 'egress'];

/** A token was refused: the message says why, in Kuma's words. */
export class TokenError extends KumaError {
  constructor(message: string) {
    super('KUMA_UNAUTHENTICATED', message);
    this.name = 'TokenError';
  }
}

/** No key to sign with (API: 404 "Signing Key not found"). */
export class SigningKeyNotFoundError extends KumaError {
  constructor(message: string) {
    super('KUMA_NOT_FOUND', message);
    this.name = 'SigningKeyNotFoundError';
  }
}

export interface DataplaneIdentity {
  name?: string;
  mesh: string;
  tags?: Record<string, string[]>;
  type?: string;
  workload?: string;
}

export interface ZoneIdentity {
  zone?: string;
  scope: string[];
}

interface Registered {
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
}

export interface DataplaneClaims extends Registered {
  Name: string;
  Mesh: string;
  Tags: Record<string, string[]>;
  Type: string;
  Workload: string;
}

export interface ZoneClaims extends Registered {
  Zone: string;
  Scope: string[];
}

export interface UserClaims extends Registered {
  Name: string;
  Groups: string[];
}

export function userClaims(u: User): Record<string, unknown> {
  return { Name: u.name, Groups: u.groups };
}

export function dataplaneClaims(id: DataplaneIdentity): Record<string, unknown> {
  return { Name: id.name ?? '', Mesh: id.mesh, Tags: id.tags ?? {}, Type: id.type ?? '', Workload: id.workload ?? '' };
}

export function zoneClaims(id: ZoneIdentity): Record<string, unknown> {
  return { Zone: id.zone ?? '', Scope: id.scope };
}

/** Signs custom claims with `key` (offline signing uses this directly). */
export async function signToken(key: KeyObject, kid: string, claims: Record<string, unknown>, validForMs: number, now: Date = new Date()): Promise<string> {
  const t = Math.floor(now.getTime() / 1000);
  const skew = TOKEN_CLOCK_SKEW_MS / 1000;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setJti(randomUUID())
    .setIssuedAt(t - skew)
    .setNotBefore(t - skew)
    .setExpirationTime(t + Math.ceil(validForMs / 1000) + skew)
    .sign(key);
}

export async function issueDataplaneToken(store: ResourceStore, id: DataplaneIdentity, validForMs: number, now?: Date): Promise<string> {
  const k = latestSigningKey(store, 'Secret', id.mesh, dataplaneSigningKeyPrefix(id.mesh));
  if (!k) throw new SigningKeyNotFoundError(notFoundText(dataplaneSigningKeyName(id.mesh), id.mesh));
  return signToken(parseKey(secretBytes(k.resource), 'private'), k.kid, dataplaneClaims(id), validForMs, now);
}

export async function issueZoneToken(store: ResourceStore, id: ZoneIdentity, validForMs: number, now?: Date): Promise<string> {
  await zoneSigningKeySettled(store);
  const k = latestSigningKey(store, 'GlobalSecret', '', ZONE_SIGNING_KEY_PREFIX);
  if (!k) throw new SigningKeyNotFoundError(notFoundText(zoneSigningKeyName(), ''));
  return signToken(parseKey(secretBytes(k.resource), 'private'), k.kid, zoneClaims(id), validForMs, now);
}

/** A user token for the API (`POST /tokens/user`, the bootstrapped admin token). */
export async function issueUserToken(store: ResourceStore, u: User, validForMs: number, now?: Date): Promise<string> {
  const k = latestSigningKey(store, 'GlobalSecret', '', USER_SIGNING_KEY_PREFIX);
  if (!k) throw new SigningKeyNotFoundError(notFoundText(userSigningKeyName(), ''));
  return signToken(parseKey(secretBytes(k.resource), 'private'), k.kid, userClaims(u), validForMs, now);
}

/**
 * Verifies a user token; the user it proves gets the group
 * mesh-system:authenticated on top of the token's groups.
 */
export async function verifyUserToken(store: ResourceStore, token: string, now?: Date): Promise<User & { jti: string }> {
  const payload = await verify(token, now, (kid) => {
    const s = store.get({ type: 'GlobalSecret', mesh: '', name: userSigningKeyName(kid) });
    if (!s) throw new TokenError(notFoundText(userSigningKeyName(kid), ''));
    return verifyKeyOf(s);
  });
  checkRevoked(store, { type: 'GlobalSecret', mesh: '', name: USER_TOKEN_REVOCATIONS }, payload);
  const name = str(payload.Name);
  if (!name) throw new TokenError('the user token has no Name claim');
  const groups = Array.isArray(payload.Groups) ? payload.Groups.map(String) : [];
  return { ...authenticated({ name, groups }), jti: str(payload.jti) };
}

/** Verifies a dataplane token presented by a proxy of `mesh` (the key is looked up in that mesh). */
export async function verifyDataplaneToken(store: ResourceStore, token: string, mesh: string, now?: Date): Promise<DataplaneClaims> {
  const payload = await verify(token, now, (kid) => {
    const s = store.get({ type: 'Secret', mesh, name: dataplaneSigningKeyName(mesh, kid) });
    if (!s) throw new TokenError(notFoundText(dataplaneSigningKeyName(mesh, kid), mesh));
    return verifyKeyOf(s);
  });
  checkRevoked(store, { type: 'Secret', mesh, name: dataplaneRevocationsName(mesh) }, payload);
  return {
    ...registered(payload),
    Name: str(payload.Name),
    Mesh: str(payload.Mesh),
    Tags: tagsOf(payload.Tags),
    Type: str(payload.Type),
    Workload: str(payload.Workload),
  };
}

/**
 * Verifies a zone token. The private key is used when present (global,
 * non-federated zone); otherwise the public key the global sent. On a
 * federated zone (`federatedZone`) the not-found text names the public key.
 */
export async function verifyZoneToken(store: ResourceStore, token: string, opts: { now?: Date; federatedZone?: boolean } = {}): Promise<ZoneClaims> {
  await zoneSigningKeySettled(store);
  const payload = await verify(token, opts.now, (kid) => {
    const priv = store.get({ type: 'GlobalSecret', mesh: '', name: zoneSigningKeyName(kid) });
    if (priv) return verifyKeyOf(priv);
    const pub = store.get({ type: 'GlobalSecret', mesh: '', name: zoneSigningPublicKeyName(kid) });
    if (pub) return verifyKeyOf(pub);
    throw new TokenError(notFoundText(opts.federatedZone ? zoneSigningPublicKeyName(kid) : zoneSigningKeyName(kid), ''));
  });
  checkRevoked(store, { type: 'GlobalSecret', mesh: '', name: ZONE_TOKEN_REVOCATIONS }, payload);
  const scope = Array.isArray(payload.Scope) ? payload.Scope.map(String) : [];
  return { ...registered(payload), Zone: str(payload.Zone), Scope: scope };
}

/** Kuma's SigningKeyNotFound text; the kid is the suffix of the secret name. */
function notFoundText(name: string, mesh: string): string {
  const kid = name.slice(name.lastIndexOf('-') + 1);
  return mesh
    ? `there is no signing key with KID ${kid}. Secret of name "${name}" in mesh "${mesh}" is not found. If signing key was rotated, regenerate the token`
    : `there is no signing key with KID ${kid}. GlobalSecret of name "${name}" is not found. If signing key was rotated, regenerate the token`;
}

async function verify(token: string, now: Date | undefined, keyFor: (kid: string) => KeyObject): Promise<JWTPayload> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new TokenError('could not parse token: token is malformed');
  }
  if (header.alg !== 'RS256') throw new TokenError(`could not parse token: unknown token alg "${String(header.alg)}". Allowed alg is RS256`);
  if (typeof header.kid !== 'string' || header.kid === '') throw new TokenError('could not parse token: missing Key ID (kid header)');
  const key = keyFor(header.kid);
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['RS256'], currentDate: now });
    return payload;
  } catch (e) {
    throw new TokenError(`could not parse token: ${joseReason(e)}`);
  }
}

/** golang-jwt's wording for the failures people actually meet. */
function joseReason(e: unknown): string {
  const err = e as { code?: string; claim?: string; message?: string };
  if (err.code === 'ERR_JWT_EXPIRED') return 'token is expired';
  if (err.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (err.claim === 'nbf' || err.claim === 'iat')) return 'token is not valid yet';
  if (err.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'crypto/rsa: verification error';
  return err.message ?? String(e);
}

/** Whether `jti` is in a revocation list's data (the bytes of a Secret: "id1,id2", maybe a trailing newline). */
export function isRevoked(data: Buffer | string, jti: string): boolean {
  return !!jti && revokedIds(data).has(jti);
}

function revokedIds(data: Buffer | string): Set<string> {
  const text = (Buffer.isBuffer(data) ? data.toString('utf8') : data).replace(/\n$/, '');
  return new Set(text ? text.split(',').map((id) => id.trim()) : []);
}

/** Parsed revocation lists per stored secret object (as verifyKeys): every API request checks one. */
const revocationLists = new WeakMap<object, Set<string>>();

function checkRevoked(store: ResourceStore, key: { type: string; mesh: string; name: string }, payload: JWTPayload): void {
  const r = store.get(key);
  if (!r) return;
  let ids = revocationLists.get(r);
  if (!ids) {
    ids = revokedIds(secretBytes(r));
    revocationLists.set(r, ids);
  }
  const jti = str(payload.jti);
  if (jti && ids.has(jti)) throw new TokenError('token is revoked');
}

function registered(p: JWTPayload): Registered {
  return { jti: str(p.jti), iat: Number(p.iat ?? 0), nbf: Number(p.nbf ?? 0), exp: Number(p.exp ?? 0) };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function tagsOf(v: unknown): Record<string, string[]> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, string[]> = {};
  for (const [k, vals] of Object.entries(v as Record<string, unknown>)) out[k] = Array.isArray(vals) ? vals.map(String) : [];
  return out;
}
