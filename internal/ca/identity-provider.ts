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
 * - Call `forget(mesh, proxy)` when the proxy's stream closes and
 *   `forgetMesh(mesh)` when a mesh is deleted, so the cache stays bounded.
 *
 * A proxy is a Dataplane (services and tags from its inbounds and gateway)
 * or a ZoneEgress (identity `spiffe://<mesh>/zone-egress`, which external
 * services reached through egress verify; kuma-kds-xds.md §3.3).
 */
import { createHash } from 'node:crypto';
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
  readonly #cache = new Map<string, { fingerprint: string; identity: ProxyIdentity }>();
  readonly #inflight = new Map<string, Promise<ProxyIdentity>>();

  constructor(deps: IdentityProviderDeps) {
    this.#d = deps;
  }

  async getIdentity(mesh: string, proxy: Resource): Promise<ProxyIdentity | undefined> {
    const ca = loadMeshCa(this.#d.store, mesh);
    if (!ca) return undefined;
    const { services, tags } = proxyIdentityInputs(proxy);
    const validityMs = ca.backend.dpCertValidityMs ?? this.#d.defaultValidityMs ?? DEFAULT_DP_CERT_VALIDITY_MS;
    const sans = identitySans(mesh, services, tags);
    const fingerprint = createHash('sha256').update(JSON.stringify([ca.certPem, ca.keyPem, sans, validityMs])).digest('hex');
    const key = cacheKey(mesh, proxy);
    const now = this.#now();
    const cached = this.#cache.get(key);
    if (cached && cached.fingerprint === fingerprint && now < cached.identity.renewAt) return cached.identity;

    const running = this.#inflight.get(key);
    if (running) return running;
    const p = (async () => {
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
      this.#cache.set(key, { fingerprint, identity });
      return identity;
    })();
    this.#inflight.set(key, p);
    try {
      return await p;
    } finally {
      this.#inflight.delete(key);
    }
  }

  /** The CA bundle peers of `mesh` are validated with (also for cross-mesh upstreams); undefined when mTLS is off. */
  meshCaPem(mesh: string): string | undefined {
    return loadMeshCa(this.#d.store, mesh)?.certPem;
  }

  forget(mesh: string, proxy: Pick<Resource, 'type' | 'mesh' | 'name'>): void {
    this.#cache.delete(cacheKey(mesh, proxy));
  }

  forgetMesh(mesh: string): void {
    for (const k of this.#cache.keys()) if (k.startsWith(`${mesh}\u0000`)) this.#cache.delete(k);
  }

  #now(): Date {
    return this.#d.now?.() ?? new Date();
  }
}

function cacheKey(mesh: string, proxy: Pick<Resource, 'type' | 'mesh' | 'name'>): string {
  return [mesh, proxy.type, proxy.mesh, proxy.name].join('\u0000');
}
