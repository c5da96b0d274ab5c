/**
 * Identity certificates per proxy, issued on demand and kept in memory.
 *
 * Contract for the xDS reconciler:
 * - `getIdentity(mesh, proxy)` returns the proxy's current certificate for
 *   `mesh`, issuing one when there is none, when `renewAt` has passed, or
 *   when what the certificate says changed (the mesh CA, the proxy's
 *   services or tags, the validity). `undefined` means mTLS is off for the
 *   mesh: send no SDS secrets. While the CA is not in the store yet it
 *   throws CaNotReadyError; the Secret's store event is the cue to retry.
 * - Schedule a refresh of the proxy at `renewAt`; the next call then
 *   returns a new certificate. Renewal happens when `renewalFraction` of
 *   the lifetime has passed (Kuma: 4/5), long before `expiresAt`.
 * - Concurrent calls for one proxy share one issuance.
 * - Call `forgetProxy(proxy)` (or `forget(mesh, proxy)`) when the proxy's
 *   stream closes and `forgetMesh(mesh)` when a mesh is deleted: the cache
 *   holds private keys and must not outlive the proxies it serves.
 *
 * A proxy is a Dataplane (services and tags from its inbounds and gateway)
 * or a ZoneEgress (identity `spiffe://<mesh>/zone-egress`, which external
 * services reached through egress verify; kuma-kds-xds.md §3.3).
 */
import { TAG, type Resource } from '../resources/model';
import type { ResourceStore } from '../store/resource-store';
import { identitySans, issueIdentityCert, renewalTime } from './identity-cert';
import { loadMeshCa } from './mesh-ca';
import { DEFAULT_DP_CERT_VALIDITY_MS } from './mtls-config';

export const ZONE_EGRESS_SERVICE = 'zone-egress';

export interface IdentityProviderDeps {
  store: ResourceStore;
  now?: () => Date;
  /** Used when the backend sets no `dpCert.rotation.expiration` (config ca.dpCertValidity). */
  defaultValidityMs?: number;
  /** Fraction of the lifetime after which a certificate is renewed (config ca.dpCertRenewalFraction). */
  renewalFraction?: number;
  /** Called once per certificate issued (Kuma's cert_generation{mesh}). */
  onIssued?(mesh: string): void;
}

export interface ProxyIdentity {
  mesh: string;
  /** Identity cert and its key (PKCS#8), for SDS `identity_cert:secret:<mesh>`. */
  certPem: string;
  keyPem: string;
  /** The mesh CA certificate, for SDS `mesh_ca:secret:<mesh>`. */
  caPem: string;
  sans: string[];
  serial: string;
  issuedAt: Date;
  expiresAt: Date;
  /** When to ask again: from then on `getIdentity` issues a fresh certificate. */
  renewAt: Date;
}

/** Services and tags the identity of `proxy` names (Kuma: the proxy's TagSet). */
export function proxyIdentityInputs(proxy: Resource): { services: string[]; tags: Record<string, string[]> } {
  if (proxy.type === 'ZoneEgress') return { services: [ZONE_EGRESS_SERVICE], tags: {} };
  if (proxy.type !== 'Dataplane') throw new Error(`no mesh identity for a ${proxy.type}`);
  const net = (proxy.spec.networking ?? {}) as { inbound?: { tags?: Record<string, string> }[]; gateway?: { tags?: Record<string, string> } };
  const tags: Record<string, Set<string>> = {};
  for (const t of [...(net.inbound ?? []).map((i) => i.tags ?? {}), net.gateway?.tags ?? {}]) {
    for (const [k, v] of Object.entries(t)) (tags[k] ??= new Set()).add(v);
  }
  const services = [...(tags[TAG.service] ?? [])];
  return { services, tags: Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, [...v].sort()])) };
}

export class IdentityProvider {
  readonly #d: IdentityProviderDeps;
  readonly #cache = new Map<string, { fingerprint: Fingerprint; identity: ProxyIdentity }>();
  readonly #inflight = new Map<string, Promise<ProxyIdentity>>();
  /** Cache keys per proxy (a zone egress holds one identity per mesh), so forgetting one is no scan. */
  readonly #byProxy = new Map<string, Set<string>>();
  /** Cache keys per mesh, for forgetMesh. */
  readonly #byMesh = new Map<string, Set<string>>();

  constructor(deps: IdentityProviderDeps) {
    this.#d = deps;
  }

  async getIdentity(mesh: string, proxy: Resource): Promise<ProxyIdentity | undefined> {
    const ca = loadMeshCa(this.#d.store, mesh);
    if (!ca) return undefined;
    const { services, tags } = proxyIdentityInputs(proxy);
    const validityMs = ca.backend.dpCertValidityMs ?? this.#d.defaultValidityMs ?? DEFAULT_DP_CERT_VALIDITY_MS;
    const sans = identitySans(mesh, services, tags);
    // Compared field by field: the CA texts are the same strings while the CA Secret is unchanged
    // (mesh-ca.ts), so nothing is hashed per proxy.
    const fingerprint: Fingerprint = { caCertPem: ca.certPem, caKeyPem: ca.keyPem, sans: sans.join('\n'), validityMs };
    const key = cacheKey(mesh, proxy);
    const now = this.#now();
    const cached = this.#cache.get(key);
    if (cached && sameFingerprint(cached.fingerprint, fingerprint) && now < cached.identity.renewAt) return cached.identity;

    const running = this.#inflight.get(key);
    if (running) return running;
    const issuance: { p?: Promise<ProxyIdentity> } = {};
    const p = (issuance.p = (async () => {
      const cert = await issueIdentityCert({ caCertPem: ca.certPem, caKeyPem: ca.keyPem, mesh, services, tags, validityMs, now });
      this.#d.onIssued?.(mesh);
      const identity: ProxyIdentity = {
        mesh,
        certPem: cert.certPem,
        keyPem: cert.keyPem,
        caPem: ca.certPem,
        sans,
        serial: cert.serial,
        issuedAt: now,
        expiresAt: cert.expiresAt,
        renewAt: renewalTime(cert.expiresAt, now, this.#d.renewalFraction ?? 0.8),
      };
      // A proxy forgotten while its certificate was being issued stays forgotten.
      if (this.#inflight.get(key) === issuance.p) this.#remember(key, mesh, proxy, { fingerprint, identity });
      return identity;
    })());
    this.#inflight.set(key, p);
    try {
      return await p;
    } finally {
      if (this.#inflight.get(key) === p) this.#inflight.delete(key);
    }
  }

  /** The CA bundle peers of `mesh` are validated with (also for cross-mesh upstreams); undefined when mTLS is off. */
  meshCaPem(mesh: string): string | undefined {
    return loadMeshCa(this.#d.store, mesh)?.certPem;
  }

  forget(mesh: string, proxy: Pick<Resource, 'type' | 'mesh' | 'name'>): void {
    this.#drop(cacheKey(mesh, proxy));
  }

  /** Forgets every identity of the proxy, in every mesh. */
  forgetProxy(proxy: Pick<Resource, 'type' | 'mesh' | 'name'>): void {
    for (const k of [...(this.#byProxy.get(proxyKey(proxy)) ?? [])]) this.#drop(k);
  }

  forgetMesh(mesh: string): void {
    for (const k of [...(this.#byMesh.get(mesh) ?? [])]) this.#drop(k);
  }

  /** Identities held (certificates with their private keys), and the index entries (for leak tests). */
  sizes(): { identities: number; inflight: number; proxies: number; meshes: number } {
    return { identities: this.#cache.size, inflight: this.#inflight.size, proxies: this.#byProxy.size, meshes: this.#byMesh.size };
  }

  #remember(key: string, mesh: string, proxy: Pick<Resource, 'type' | 'mesh' | 'name'>, entry: { fingerprint: Fingerprint; identity: ProxyIdentity }): void {
    this.#cache.set(key, entry);
    let keys = this.#byProxy.get(proxyKey(proxy));
    if (!keys) this.#byProxy.set(proxyKey(proxy), (keys = new Set()));
    keys.add(key);
    let inMesh = this.#byMesh.get(mesh);
    if (!inMesh) this.#byMesh.set(mesh, (inMesh = new Set()));
    inMesh.add(key);
  }

  #drop(key: string): void {
    this.#inflight.delete(key);
    if (!this.#cache.delete(key)) return;
    const [mesh, type, pmesh, name] = key.split('\u0000') as [string, string, string, string];
    const pk = proxyKey({ type, mesh: pmesh, name });
    const keys = this.#byProxy.get(pk);
    keys?.delete(key);
    if (keys?.size === 0) this.#byProxy.delete(pk);
    const inMesh = this.#byMesh.get(mesh);
    inMesh?.delete(key);
    if (inMesh?.size === 0) this.#byMesh.delete(mesh);
  }

  #now(): Date {
    return this.#d.now?.() ?? new Date();
  }
}

/** What a certificate says and is signed with: a change to any of them means a new certificate. */
interface Fingerprint {
  caCertPem: string;
  caKeyPem: string;
  sans: string;
  validityMs: number;
}

function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.caCertPem === b.caCertPem && a.caKeyPem === b.caKeyPem && a.sans === b.sans && a.validityMs === b.validityMs;
}

function proxyKey(proxy: Pick<Resource, 'type' | 'mesh' | 'name'>): string {
  return [proxy.type, proxy.mesh, proxy.name].join('\u0000');
}

function cacheKey(mesh: string, proxy: Pick<Resource, 'type' | 'mesh' | 'name'>): string {
  return [mesh, proxy.type, proxy.mesh, proxy.name].join('\u0000');
}
