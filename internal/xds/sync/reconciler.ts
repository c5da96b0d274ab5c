/**
 * Turns the store into Envoy config for every connected sidecar. Store
 * changes mark meshes dirty; after a short debounce each dirty mesh gets one
 * MeshContext, shared by all its proxies, and a proxy is regenerated only
 * when the hash of its inputs (mesh context, its own Dataplane, its identity
 * certificate) changed. Identity certificates are renewed on their schedule.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { IdentityProvider, ProxyIdentity } from '../../ca/identity-provider';
import type { Resource } from '../../resources/model';
import type { Registry } from '../../resources/registry';
import type { ResourceStore, StoreEvent } from '../../store/resource-store';
import type { SnapshotCache } from '../cache/snapshot-cache';
import { snapshotFromResources } from '../cache/snapshot-resources';
import { buildMeshContext } from '../context/mesh-context';
import type { MeshContext, XdsResources } from '../context/types';
import { generateSidecar } from '../generators/sidecar/profile';

export const DEFAULT_ADMIN_PORT = 9901;

interface Proxy {
  nodeId: string;
  mesh: string;
  name: string;
  lastHash?: string;
  renewTimer?: NodeJS.Timeout;
}

export interface ReconcilerDeps {
  store: ResourceStore;
  registry: Registry;
  cache: SnapshotCache;
  identities: IdentityProvider;
  zone: string;
  debounceMs: number;
  log: Logger;
  /** Called with what was generated (for `inspect dataplane --type=config`). */
  onGenerated?(nodeId: string, res: XdsResources): void;
  /** Called when a proxy is sent an identity certificate (DataplaneInsight.mTLS). */
  onIdentity?(mesh: string, name: string, identity: ProxyIdentity): void;
}

export class XdsReconciler {
  readonly #d: ReconcilerDeps;
  readonly #proxies = new Map<string, Proxy>();
  readonly #dirty = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  readonly #unwatch: () => void;

  constructor(deps: ReconcilerDeps) {
    this.#d = deps;
    this.#unwatch = deps.store.watch((evs) => this.#onEvents(evs));
  }

  /** A proxy's stream is up: generate its config now, so its first request is answered. */
  async connect(nodeId: string, mesh: string, name: string): Promise<void> {
    const p = this.#proxies.get(nodeId) ?? { nodeId, mesh, name };
    this.#proxies.set(nodeId, p);
    p.lastHash = undefined;
    await this.#serialized(() => this.#reconcileMesh(mesh, [p]));
  }

  disconnect(nodeId: string): void {
    const p = this.#proxies.get(nodeId);
    if (!p) return;
    if (p.renewTimer) clearTimeout(p.renewTimer);
    this.#proxies.delete(nodeId);
    this.#d.cache.clearSnapshot(nodeId);
  }

  connectedNodes(): string[] {
    return [...this.#proxies.keys()];
  }

  stop(): void {
    this.#unwatch();
    if (this.#timer) clearTimeout(this.#timer);
    for (const p of this.#proxies.values()) if (p.renewTimer) clearTimeout(p.renewTimer);
  }

  #onEvents(events: StoreEvent[]): void {
    for (const e of events) {
      const r = e.resource;
      if (r.type.endsWith('Insight')) continue; // status, never config
      if (r.type === 'Mesh') this.#dirty.add(r.name);
      else if (r.mesh) this.#dirty.add(r.mesh);
    }
    if (this.#dirty.size && !this.#timer) this.#timer = setTimeout(() => this.#flush(), this.#d.debounceMs);
  }

  #flush(): void {
    this.#timer = undefined;
    const meshes = [...this.#dirty];
    this.#dirty.clear();
    void this.#serialized(async () => {
      for (const mesh of meshes) {
        const proxies = [...this.#proxies.values()].filter((p) => p.mesh === mesh);
        if (proxies.length) await this.#reconcileMesh(mesh, proxies);
      }
    });
  }

  /** One reconciliation at a time, so snapshots are set in the order changes happened. */
  #serialized(fn: () => Promise<void>): Promise<void> {
    this.#running = this.#running.then(fn).catch((e) => this.#d.log.error({ err: e }, 'xDS reconciliation failed'));
    return this.#running;
  }

  meshContext(mesh: string): MeshContext | undefined {
    const { store, registry } = this.#d;
    const meshRes = store.get({ type: 'Mesh', mesh: '', name: mesh });
    if (!meshRes) return undefined;
    const resources = new Map<string, Resource[]>();
    for (const d of registry.all()) {
      if (d.scope !== 'Mesh' || d.readOnly) continue;
      const items = store.list(d.name, { mesh }).items;
      if (items.length) resources.set(d.name, [...items]);
    }
    return buildMeshContext({ mesh: meshRes, resources, zone: this.#d.zone, caCertsPem: this.#d.identities.meshCaPem(mesh) });
  }

  async #reconcileMesh(mesh: string, proxies: Proxy[]): Promise<void> {
    const ctx = this.meshContext(mesh);
    for (const p of proxies) {
      if (!this.#proxies.has(p.nodeId)) continue;
      const dp = this.#d.store.get({ type: 'Dataplane', mesh, name: p.name });
      if (!ctx || !dp) {
        this.#d.cache.clearSnapshot(p.nodeId);
        p.lastHash = undefined;
        continue;
      }
      let identity;
      try {
        identity = await this.#d.identities.getIdentity(mesh, dp);
      } catch (e) {
        // The mesh CA is not there yet (created a moment later): its Secret event brings us back.
        this.#d.log.debug({ mesh, proxy: p.name, err: (e as Error).message }, 'identity not ready');
        continue;
      }
      const adminPort = (dp.spec.networking as { admin?: { port?: number } } | undefined)?.admin?.port ?? DEFAULT_ADMIN_PORT;
      const hash = createHash('sha256').update(JSON.stringify([ctx.hash, dp.spec, dp.labels, identity?.serial ?? '', adminPort])).digest('hex');
      if (hash === p.lastHash) continue;
      const res = generateSidecar({ dataplane: dp, adminPort, ...(identity ? { identity: { certPem: identity.certPem, keyPem: identity.keyPem, expiresAt: identity.expiresAt.toISOString() } } : {}) }, ctx);
      this.#d.cache.setSnapshot(p.nodeId, snapshotFromResources(res));
      this.#d.onGenerated?.(p.nodeId, res);
      p.lastHash = hash;
      if (p.renewTimer) clearTimeout(p.renewTimer);
      if (identity) {
        this.#d.onIdentity?.(mesh, p.name, identity);
        const wait = Math.max(0, identity.renewAt.getTime() - Date.now());
        p.renewTimer = setTimeout(() => {
          this.#dirty.add(mesh);
          this.#flush();
        }, Math.min(wait, 2 ** 31 - 1));
      }
    }
  }
}
