/**
 * Turns the store into Envoy config for every connected sidecar. Store
 * changes mark meshes dirty; after a short debounce each dirty mesh gets one
 * MeshContext, shared by all its proxies. Which proxies are looked at follows
 * from what changed: all of the mesh when its base hash moved (Mesh, policies,
 * secrets, CA, VIPs), else only those reaching a service whose hash moved
 * (proxy-inputs.ts index), those whose own Dataplane changed and those whose
 * certificate is due. Each of these is regenerated only when the hash of its
 * inputs (base, own Dataplane, identity, reached services) moved.
 *
 * The MeshContext of a mesh is kept until a store event touches that mesh, so a
 * proxy that connects to an unchanged mesh reuses it (and the encoded resources
 * memoized on it) instead of rebuilding it from every Dataplane of the mesh.
 *
 * Generation never holds the event loop for long: proxies that connect are
 * collected and generated together after the current I/O (one pass per mesh),
 * and every pass yields with setImmediate after GENERATION_SLICE_MS of work, so
 * TLS handshakes and new streams of a connection storm are served between
 * batches instead of queueing behind the whole fleet's config.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { IdentityProvider, ProxyIdentity } from '../../ca/identity-provider';
import type { Resource } from '../../resources/model';
import type { Registry } from '../../resources/registry';
import type { ResourceStore, StoreEvent } from '../../store/resource-store';
import type { SnapshotCache } from '../cache/snapshot-cache';
import { snapshotFromResources } from '../cache/snapshot-resources';
import { snapshotVersions } from './config-acks';
import { buildMeshContext } from '../context/mesh-context';
import { meshContextInputFromStore } from '../context/mesh-context-input';
import type { MeshContext, XdsResources } from '../context/types';
import { generateSidecar } from '../generators/sidecar/profile';
import { generateIngress } from '../generators/ingress/ingress-proxy';
import { egressServesMesh, generateEgress } from '../generators/egress/egress-proxy';
import { forgetProxyPlans, outboundPlans } from '../generators/sidecar/outbound-plan';
import { resourceDigest } from '../context/mesh-context';
import { changedServices, ProxyInputIndex, proxyInputHash } from './proxy-inputs';

export const DEFAULT_ADMIN_PORT = 9901;
/** The dirty marker of zone proxies (ZoneIngress/ZoneEgress are global-scoped). */
const ZONE_PROXIES = '\u0000zone-proxies';
/** Generation work done before yielding to the event loop once. */
export const GENERATION_SLICE_MS = 10;

/** Resolves after pending I/O callbacks ran (setImmediate runs after the poll phase). */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export type ProxyKind = 'dataplane' | 'ingress' | 'egress';

interface Proxy {
  nodeId: string;
  kind: ProxyKind;
  mesh: string;
  name: string;
  lastHash?: string;
  renewTimer?: NodeJS.Timeout;
  /** kuma-dp's DNS port from the node metadata (ProxyContext.dnsPort). */
  dnsPort?: number;
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
  /** xds_generation / xds_generation_errors: milliseconds per proxy snapshot, failed passes. */
  metrics?: { generated(ms: number): void; failed(): void };
  /** Called when a proxy went away: whatever was kept for it must go too. */
  onForget?(nodeId: string, mesh: string, name: string): void;
  /**
   * Called when a proxy's (sidecar or zone proxy) current snapshot stands for store state `seq`: set now (`versions`, per
   * type URL it holds resources of, as the cache versioned them) or left as it was because its
   * inputs did not move (no `versions`). The propagation view's ACK ledger.
   */
  onBuilt?(nodeId: string, seq: number, versions?: ReadonlyMap<string, string>): void;
}

export class XdsReconciler {
  readonly #d: ReconcilerDeps;
  readonly #proxies = new Map<string, Proxy>();
  readonly #dirty = new Set<string>();
  /** The last MeshContext per mesh; dropped by any (non-status) store event of the mesh. */
  readonly #contexts = new Map<string, MeshContext>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  /** Proxies connected since the last arrivals pass, with their connect() waiting. */
  #arrivals: { proxy: Proxy; done: () => void }[] = [];
  #arrivalsScheduled = false;
  /** When the running generation pass last yielded. */
  #sliceStart = 0;
  readonly #unwatch: () => void;
  /** Connected sidecars per mesh, by Dataplane name. */
  readonly #meshProxies = new Map<string, Map<string, Proxy>>();
  /** Connected zone proxies (they serve every mesh). */
  readonly #zoneProxies = new Set<Proxy>();
  /** Services each generated sidecar reaches. */
  readonly #index = new ProxyInputIndex<Proxy>();
  /** Per mesh, the hashed parts of the MeshContext the last flush compared against. */
  readonly #parts = new Map<string, { baseHash: string; serviceHashes: ReadonlyMap<string, string> }>();
  /** Per mesh, Dataplanes written since the last flush. */
  readonly #changedDps = new Map<string, Set<string>>();
  /** Per mesh, sidecars the next flush must look at whatever changed: certificate due, or no identity yet. */
  readonly #renewDue = new Map<string, Set<Proxy>>();
  readonly #stats = { hashed: 0, generated: 0 };
  /** Store events seen (config, not status): a MeshContext built now reflects every one of them. */
  #seq = 0;
  /** The sequence number at which a stored record (by object: the store replaces it on write) was seen. */
  readonly #seenAt = new WeakMap<Resource, number>();
  readonly #ctxSeq = new WeakMap<MeshContext, number>();
  /**
   * Per mesh, the store sequence up to which every sidecar of the mesh was looked at (rebuilt, or
   * skipped because the changes could not move its config): a sidecar skipped by a flush runs a
   * config the later changes do not alter.
   */
  readonly #settled = new Map<string, number>();

  constructor(deps: ReconcilerDeps) {
    this.#d = deps;
    this.#unwatch = deps.store.watch((evs) => this.#onEvents(evs));
  }

  /**
   * A proxy's stream is up: generate its config soon, so its first request is answered. Resolves
   * once it was generated (or found impossible, e.g. no Dataplane), together with the other
   * proxies that connected meanwhile.
   */
  connect(nodeId: string, mesh: string, name: string, kind: ProxyKind = 'dataplane', dnsPort = 0): Promise<void> {
    const p = this.#proxies.get(nodeId) ?? { nodeId, kind, mesh, name };
    p.dnsPort = dnsPort;
    this.#proxies.set(nodeId, p);
    if (kind === 'dataplane') {
      let byName = this.#meshProxies.get(mesh);
      if (!byName) this.#meshProxies.set(mesh, (byName = new Map()));
      byName.set(name, p);
    } else this.#zoneProxies.add(p);
    p.lastHash = undefined;
    return new Promise((done) => {
      this.#arrivals.push({ proxy: p, done });
      if (this.#arrivalsScheduled) return;
      this.#arrivalsScheduled = true;
      // After the I/O of this turn: every stream that started meanwhile joins the same pass.
      setImmediate(() => {
        this.#arrivalsScheduled = false;
        void this.#serialized(() => this.#generateArrivals());
      });
    });
  }

  /** One pass for every proxy that connected since the last one: a MeshContext per mesh at most. */
  async #generateArrivals(): Promise<void> {
    const arrivals = this.#arrivals;
    this.#arrivals = [];
    try {
      const byMesh = new Map<string, Proxy[]>();
      const zoneProxies: Proxy[] = [];
      for (const { proxy } of arrivals) {
        if (proxy.kind !== 'dataplane') zoneProxies.push(proxy);
        else {
          let list = byMesh.get(proxy.mesh);
          if (!list) byMesh.set(proxy.mesh, (list = []));
          list.push(proxy);
        }
      }
      const built = new Map<string, MeshContext | undefined>();
      for (const [mesh, proxies] of byMesh) {
        await this.#reconcileMesh(mesh, proxies, built);
        // The first parts a later flush diffs against; never while a change waits for its flush
        // (that flush must still see what changed).
        const ctx = built.get(mesh);
        if (ctx && !this.#parts.has(mesh) && !this.#dirty.has(mesh)) this.#parts.set(mesh, { baseHash: ctx.baseHash, serviceHashes: ctx.serviceHashes });
      }
      if (zoneProxies.length) await this.#reconcileZoneProxies(zoneProxies, built);
    } finally {
      for (const { done } of arrivals) done();
    }
  }

  /** Yields to the event loop when this pass has worked for a slice. */
  async #maybeYield(): Promise<void> {
    if (performance.now() - this.#sliceStart < GENERATION_SLICE_MS) return;
    await yieldToEventLoop();
    this.#sliceStart = performance.now();
  }

  /** The proxy's last stream closed: drop its snapshot, identity (a private key) and timers. */
  disconnect(nodeId: string): void {
    const p = this.#proxies.get(nodeId);
    if (!p) return;
    if (p.renewTimer) clearTimeout(p.renewTimer);
    this.#proxies.delete(nodeId);
    if (this.#zoneProxies.delete(p) && this.#zoneProxies.size === 0) {
      for (const mesh of this.#contexts.keys()) if (!this.#meshProxies.has(mesh)) this.#contexts.delete(mesh);
    }
    const byName = this.#meshProxies.get(p.mesh);
    if (byName?.get(p.name) === p) {
      byName.delete(p.name);
      if (byName.size === 0) {
        this.#meshProxies.delete(p.mesh);
        // The shared resources memoized on the context (memo.ts) live as long as it: with no sidecar
        // left in the mesh (and no zone proxy, which serves every mesh) nothing uses them.
        if (this.#zoneProxies.size === 0) this.#contexts.delete(p.mesh);
      }
    }
    this.#index.remove(p);
    this.#renewDue.get(p.mesh)?.delete(p);
    this.#d.cache.clearSnapshot(nodeId);
    const type = p.kind === 'dataplane' ? 'Dataplane' : p.kind === 'ingress' ? 'ZoneIngress' : 'ZoneEgress';
    this.#d.identities.forgetProxy({ type, mesh: p.kind === 'dataplane' ? p.mesh : '', name: p.name });
    this.#d.onForget?.(nodeId, p.mesh, p.name);
  }

  /**
   * State the reconciler keeps (leak tests): per proxy, and the MeshContexts kept (one per mesh
   * with a connected sidecar at most), which hold the resources shared between proxies.
   */
  sizes(): { proxies: number; arrivals: number; meshProxies: number; zoneProxies: number; indexed: number; meshContexts: number } {
    let meshProxies = 0;
    for (const m of this.#meshProxies.values()) meshProxies += m.size;
    return { proxies: this.#proxies.size, arrivals: this.#arrivals.length, meshProxies, zoneProxies: this.#zoneProxies.size, indexed: this.#index.size, meshContexts: this.#contexts.size };
  }

  /** Sidecars whose input hash was computed and that were regenerated, since start (tests count them). */
  stats(): { hashed: number; generated: number } {
    return { ...this.#stats };
  }

  /**
   * The sidecar's certificate is due (its renewal timer fired): regenerate it, and only it, now.
   * getIdentity issues the new certificate since its renewAt has passed.
   */
  renew(nodeId: string): void {
    const p = this.#proxies.get(nodeId);
    if (!p || p.kind !== 'dataplane') return;
    let due = this.#renewDue.get(p.mesh);
    if (!due) this.#renewDue.set(p.mesh, (due = new Set()));
    due.add(p);
    this.#dirty.add(p.mesh);
    if (this.#timer) clearTimeout(this.#timer);
    this.#flush();
  }

  /** Resolves once no flush is pending and no pass is running (tests). */
  async whenIdle(): Promise<void> {
    for (;;) {
      await this.#running;
      if (!this.#timer && !this.#arrivalsScheduled) {
        await this.#running;
        if (!this.#timer && !this.#arrivalsScheduled) return;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  connectedNodes(): string[] {
    return [...this.#proxies.keys()];
  }

  /** The node id of a connected zone proxy, by its ZoneIngress / ZoneEgress (a zone has a few). */
  zoneProxyNode(kind: 'ingress' | 'egress', name: string): string | undefined {
    for (const p of this.#zoneProxies) if (p.kind === kind && p.name === name) return p.nodeId;
    return undefined;
  }

  /** The node id of a connected sidecar, by its Dataplane. */
  sidecarNode(mesh: string, name: string): string | undefined {
    return this.#meshProxies.get(mesh)?.get(name)?.nodeId;
  }

  stop(): void {
    this.#unwatch();
    this.#contexts.clear();
    if (this.#timer) clearTimeout(this.#timer);
    for (const p of this.#proxies.values()) if (p.renewTimer) clearTimeout(p.renewTimer);
  }

  /**
   * The store sequence number of a record's current version; 0 for one stored before this CP
   * started (every MeshContext since contains it).
   */
  seqOf(r: Resource): number {
    return this.#seenAt.get(r) ?? 0;
  }

  #onEvents(events: StoreEvent[]): void {
    for (const e of events) {
      const r = e.resource;
      if (r.type.endsWith('Insight')) continue; // status, never config
      this.#seenAt.set(r, ++this.#seq);
      if (r.type === 'ZoneIngress' || r.type === 'ZoneEgress' || r.type === 'HostnameGenerator') {
        // Zone proxies serve every mesh; remote ingresses and the local egress shape every mesh's endpoints.
        this.#dirty.add(ZONE_PROXIES);
        for (const m of this.#d.store.list('Mesh').items) this.#dirty.add(m.name);
        this.#contexts.clear();
        continue;
      }
      const mesh = r.type === 'Mesh' ? r.name : r.mesh;
      if (!mesh) continue;
      if (r.type === 'Mesh' && e.kind === 'delete') this.#d.identities.forgetMesh(mesh);
      if (r.type === 'Dataplane') {
        let names = this.#changedDps.get(mesh);
        if (!names) this.#changedDps.set(mesh, (names = new Set()));
        names.add(r.name);
      }
      this.#dirty.add(mesh);
      this.#contexts.delete(mesh);
    }
    if (this.#dirty.size && !this.#timer) this.#timer = setTimeout(() => this.#flush(), this.#d.debounceMs);
  }

  #flush(): void {
    this.#timer = undefined;
    const meshes = [...this.#dirty];
    this.#dirty.clear();
    void this.#serialized(async () => {
      const built = new Map<string, MeshContext | undefined>();
      for (const mesh of meshes) {
        if (mesh === ZONE_PROXIES) continue;
        const proxies = this.#affected(mesh, built);
        if (proxies.length) await this.#reconcileMesh(mesh, proxies, built);
        this.#markSettled(mesh, built.get(mesh));
      }
      // Zone proxies serve every mesh: any mesh change, or a zone proxy resource change, concerns them.
      if (this.#zoneProxies.size) await this.#reconcileZoneProxies([...this.#zoneProxies], built);
    });
  }

  /**
   * The sidecars of `mesh` a flush must look at: every one when the mesh's base hash moved (or
   * on the first flush), else those reaching a service whose hash moved, those whose Dataplane was
   * written and those whose certificate is due.
   */
  #affected(mesh: string, built: Map<string, MeshContext | undefined>): Proxy[] {
    const changedDps = this.#changedDps.get(mesh);
    this.#changedDps.delete(mesh);
    const renew = this.#renewDue.get(mesh);
    this.#renewDue.delete(mesh);
    if (!this.#meshProxies.get(mesh)?.size) {
      // Nobody to look at: no context is built, and the first proxy to connect records the parts.
      this.#parts.delete(mesh);
      return [];
    }
    if (!built.has(mesh)) built.set(mesh, this.meshContext(mesh));
    const ctx = built.get(mesh);
    const byName = this.#meshProxies.get(mesh);
    const prev = this.#parts.get(mesh);
    if (ctx) this.#parts.set(mesh, { baseHash: ctx.baseHash, serviceHashes: ctx.serviceHashes });
    else this.#parts.delete(mesh);
    if (!byName?.size) return [];
    if (!ctx || !prev || prev.baseHash !== ctx.baseHash) return [...byName.values()];
    const out = this.#index.reaching(mesh, changedServices(prev.serviceHashes, ctx.serviceHashes));
    for (const name of changedDps ?? []) {
      const p = byName.get(name);
      if (p) out.add(p);
    }
    for (const p of renew ?? []) if (byName.get(p.name) === p) out.add(p);
    return [...out];
  }

  #markSettled(mesh: string, ctx: MeshContext | undefined): void {
    // A sidecar whose identity was not ready was skipped, not settled: wait for its retry.
    if (!ctx || this.#renewDue.get(mesh)?.size) this.#settled.delete(mesh);
    else this.#settled.set(mesh, this.#ctxSeq.get(ctx) ?? 0);
  }

  /** The store sequence up to which the mesh's sidecars were all looked at (see #settled); 0: none. */
  settledSeq(mesh: string): number {
    return this.#settled.get(mesh) ?? 0;
  }

  /** One reconciliation at a time, so snapshots are set in the order changes happened. */
  #serialized(fn: () => Promise<void>): Promise<void> {
    this.#running = this.#running
      .then(() => {
        this.#sliceStart = performance.now();
        return fn();
      })
      .catch((e) => {
        this.#d.metrics?.failed();
        this.#d.log.error({ err: e }, 'xDS reconciliation failed');
      });
    return this.#running;
  }

  /**
   * The mesh's MeshContext: the cached one while no store event touched the mesh (events are
   * emitted synchronously with the index update, so a cached context is never older than the
   * store), else a new one built from the store.
   */
  meshContext(mesh: string): MeshContext | undefined {
    const { store, registry } = this.#d;
    const meshRes = store.get({ type: 'Mesh', mesh: '', name: mesh });
    if (!meshRes) {
      this.#contexts.delete(mesh);
      return undefined;
    }
    // Read on every call: a provided CA may come from a file, which no store event announces.
    const caCertsPem = this.#d.identities.meshCaPem(mesh);
    const cached = this.#contexts.get(mesh);
    if (cached && cached.mesh === meshRes && cached.caCertsPem === caCertsPem) return cached;
    const ctx = buildMeshContext(meshContextInputFromStore(store, registry, meshRes, this.#d.zone, caCertsPem));
      this.#ctxSeq.set(ctx, this.#seq);
    // Kept only while a proxy may use it again (a connected sidecar of the mesh, or a zone proxy):
    // the context holds the resources its proxies share (memo.ts), which must not outlive them.
    if (this.#meshProxies.has(mesh) || this.#zoneProxies.size) this.#contexts.set(mesh, ctx);
    return ctx;
  }

  /**
   * The store sequence a zone proxy config built from `meshes` stands for: a context still cached
   * holds every event so far (events drop it), a replaced one those up to when it was built.
   */
  #zoneProxySeq(meshes: ReadonlyMap<string, MeshContext>): number {
    let seq = this.#seq;
    for (const [name, ctx] of meshes) if (this.#contexts.get(name) !== ctx) seq = Math.min(seq, this.#ctxSeq.get(ctx) ?? 0);
    return seq;
  }

  async #reconcileZoneProxies(proxies: Proxy[], built: Map<string, MeshContext | undefined>): Promise<void> {
    const meshes = new Map<string, MeshContext>();
    for (const m of this.#d.store.list('Mesh').items) {
      if (!built.has(m.name)) built.set(m.name, this.meshContext(m.name));
      const ctx = built.get(m.name);
      if (ctx) meshes.set(m.name, ctx);
    }
    for (const p of proxies) {
      await this.#maybeYield();
      if (this.#proxies.get(p.nodeId) !== p) continue; // gone, or reconnected as another proxy
      const seq = this.#zoneProxySeq(meshes);
      const type = p.kind === 'ingress' ? 'ZoneIngress' : 'ZoneEgress';
      const zp = this.#d.store.get({ type, mesh: '', name: p.name });
      if (!zp) {
        this.#d.cache.clearSnapshot(p.nodeId);
        p.lastHash = undefined;
        continue;
      }
      if (p.kind === 'egress') {
        await this.#reconcileEgress(p, zp, meshes, seq);
        continue;
      }
      const hash = createHash('sha256').update(JSON.stringify([zp.spec, [...meshes.values()].map((c) => c.hash)])).digest('hex');
      if (hash === p.lastHash) {
        this.#d.onBuilt?.(p.nodeId, seq);
        continue;
      }
      const t0 = performance.now();
      const res = generateIngress({ ingress: zp, meshes });
      const versioned = this.#d.cache.setSnapshot(p.nodeId, snapshotFromResources(res));
      this.#d.metrics?.generated(performance.now() - t0);
      this.#d.onGenerated?.(p.nodeId, res);
      this.#d.onBuilt?.(p.nodeId, seq, snapshotVersions(versioned));
      p.lastHash = hash;
    }
  }

  /**
   * The zone egress needs, per mesh it serves, its identity `spiffe://<mesh>/zone-egress`: it
   * terminates the mesh mTLS of ExternalService traffic. A mesh whose CA is not ready gets
   * pass-through only.
   */
  async #reconcileEgress(p: Proxy, zp: Resource, meshes: ReadonlyMap<string, MeshContext>, seq: number): Promise<void> {
    const identities = new Map<string, { certPem: string; keyPem: string }>();
    const serials: string[] = [];
    let renewAt: number | undefined;
    for (const [mesh, ctx] of meshes) {
      if (!egressServesMesh(ctx)) continue;
      try {
        const id = await this.#d.identities.getIdentity(mesh, zp);
        if (!id) continue;
        identities.set(mesh, { certPem: id.certPem, keyPem: id.keyPem });
        serials.push(`${mesh}:${id.serial}`);
        renewAt = Math.min(renewAt ?? Infinity, id.renewAt.getTime());
      } catch (e) {
        this.#d.log.debug({ mesh, proxy: p.name, err: (e as Error).message }, 'zone egress identity not ready');
      }
    }
    const hash = createHash('sha256').update(JSON.stringify([zp.spec, [...meshes.values()].map((c) => c.hash), serials])).digest('hex');
    if (hash === p.lastHash) {
      this.#d.onBuilt?.(p.nodeId, seq);
      return;
    }
    const t0 = performance.now();
    const res = generateEgress({ egress: zp, meshes, identities });
    const versioned = this.#d.cache.setSnapshot(p.nodeId, snapshotFromResources(res));
    this.#d.metrics?.generated(performance.now() - t0);
    this.#d.onGenerated?.(p.nodeId, res);
    this.#d.onBuilt?.(p.nodeId, seq, snapshotVersions(versioned));
    p.lastHash = hash;
    if (p.renewTimer) clearTimeout(p.renewTimer);
    p.renewTimer = undefined;
    if (renewAt !== undefined) {
      p.renewTimer = setTimeout(() => {
        this.#dirty.add(ZONE_PROXIES);
        this.#flush();
      }, Math.min(Math.max(0, renewAt - Date.now()), 2 ** 31 - 1));
    }
  }

  async #reconcileMesh(mesh: string, proxies: Proxy[], built?: Map<string, MeshContext | undefined>): Promise<void> {
    if (built && !built.has(mesh)) built.set(mesh, this.meshContext(mesh));
    const ctx = built ? built.get(mesh) : this.meshContext(mesh);
    for (const p of proxies) {
      await this.#maybeYield();
      if (this.#proxies.get(p.nodeId) !== p) continue; // gone, or reconnected as another proxy
      const dp = this.#d.store.get({ type: 'Dataplane', mesh, name: p.name });
      if (!ctx || !dp) {
        this.#d.cache.clearSnapshot(p.nodeId);
        p.lastHash = undefined;
        continue;
      }
      try {
        await this.#reconcileSidecar(p, mesh, ctx, dp);
      } finally {
        // What generation memoized for this proxy alone (its plans, its policies) is not kept with the context.
        forgetProxyPlans(dp, ctx);
      }
    }
  }

  /** One sidecar of a mesh pass: its identity, its input hash and, when that moved, its config. */
  async #reconcileSidecar(p: Proxy, mesh: string, ctx: MeshContext, dp: Resource): Promise<void> {
    let identity;
    try {
      identity = await this.#d.identities.getIdentity(mesh, dp);
    } catch (e) {
      // The mesh CA is not there yet (created a moment later): its Secret event brings us back.
      // That event may move no hash this proxy's inputs are indexed by (the CA key, say), so the
      // proxy is marked due: the mesh's next flush looks at it whatever changed.
      this.#d.log.debug({ mesh, proxy: p.name, err: (e as Error).message }, 'identity not ready');
      let due = this.#renewDue.get(mesh);
      if (!due) this.#renewDue.set(mesh, (due = new Set()));
      due.add(p);
      return;
    }
    const adminPort = (dp.spec.networking as { admin?: { port?: number } } | undefined)?.admin?.port ?? DEFAULT_ADMIN_PORT;
    // The plans are memoized per (MeshContext, Dataplane): generation below reuses them.
    const services = [...new Set(outboundPlans(dp, ctx, { dnsPort: p.dnsPort ?? 0 }).flatMap((plan) => plan.clusters.map((c) => c.service)))].sort();
    this.#index.set(p, mesh, services);
    this.#stats.hashed++;
    const hash = proxyInputHash(ctx, { dataplaneDigest: resourceDigest(dp), serial: identity?.serial ?? '', adminPort, dnsPort: p.dnsPort ?? 0, services });
    const seq = this.#ctxSeq.get(ctx) ?? 0;
    if (hash === p.lastHash) {
      this.#d.onBuilt?.(p.nodeId, seq);
      return;
    }
    const t0 = performance.now();
    this.#stats.generated++;
    let res;
    let versioned;
    try {
      res = generateSidecar({ dataplane: dp, adminPort, ...(p.dnsPort ? { dnsPort: p.dnsPort } : {}), ...(identity ? { identity: { certPem: identity.certPem, keyPem: identity.keyPem, expiresAt: identity.expiresAt.toISOString() } } : {}) }, ctx);
      versioned = this.#d.cache.setSnapshot(p.nodeId, snapshotFromResources(res));
    } catch (e) {
      // One proxy's failure (a MeshProxyPatch that does not apply to its config, or adds an EDS
      // cluster without endpoints) must not hold back the rest of the mesh: the proxy keeps its
      // last config and is tried again on the next change.
      this.#d.metrics?.failed();
      this.#d.log.error({ mesh, proxy: p.name, err: (e as Error).message }, 'xDS generation failed; the proxy keeps its last config');
      return;
    }
    this.#d.metrics?.generated(performance.now() - t0);
    this.#d.onGenerated?.(p.nodeId, res);
    this.#d.onBuilt?.(p.nodeId, seq, snapshotVersions(versioned));
    p.lastHash = hash;
    if (p.renewTimer) clearTimeout(p.renewTimer);
    if (identity) {
      this.#d.onIdentity?.(mesh, p.name, identity);
      const wait = Math.max(0, identity.renewAt.getTime() - Date.now());
      // Only this proxy is due: the flush looks at it alone (and at nothing else of the mesh).
      p.renewTimer = setTimeout(() => this.renew(p.nodeId), Math.min(wait, 2 ** 31 - 1));
    }
  }
}
