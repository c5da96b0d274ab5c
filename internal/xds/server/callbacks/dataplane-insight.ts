/**
 * DataplaneInsight bookkeeping: one subscription per ADS stream with its
 * connect/disconnect times, the Kuma DP and Envoy versions, per xDS type the
 * responses sent, ACKed and NACKed, the last ACKed version and the last
 * NACK's error text from Envoy, and the identity certificate's expiry.
 * Counters are uint64 in Kuma's proto: JSON strings, as kumactl expects.
 */
import { randomUUID } from 'node:crypto';
import type { ResourceStore } from '../../../store/resource-store';
import { shortTypeName } from '../../cache/resource-types';
import type { StreamCallbacks } from '../callbacks';
import { PROXY_RESOURCE_TYPE, type ProxyKind, type ProxyStreams } from './proxy-streams';

const SUBSCRIPTION_LIMIT = 5;
const FLUSH_MS = 500;
const TYPE_KEY: Record<string, string> = { CDS: 'cds', EDS: 'eds', LDS: 'lds', RDS: 'rds', SDS: 'sds' };

interface Stats {
  responsesSent: number;
  responsesAcknowledged: number;
  responsesRejected: number;
  lastAckedVersion?: string;
  lastRejectedVersion?: string;
  lastRejectedError?: string;
}

const INSIGHT_TYPE: Record<ProxyKind, string> = { dataplane: 'DataplaneInsight', ingress: 'ZoneIngressInsight', egress: 'ZoneEgressInsight' };

interface Sub {
  id: string;
  kind: ProxyKind;
  mesh: string;
  name: string;
  connectTime: string;
  disconnectTime?: string;
  lastUpdateTime: string;
  total: Stats;
  byType: Map<string, Stats>;
  version: Record<string, unknown>;
  dirty: boolean;
}

const zero = (): Stats => ({ responsesSent: 0, responsesAcknowledged: 0, responsesRejected: 0 });

function statsJson(s: Stats): Record<string, string> {
  const out: Record<string, string> = { responsesSent: String(s.responsesSent), responsesAcknowledged: String(s.responsesAcknowledged), responsesRejected: String(s.responsesRejected) };
  if (s.lastAckedVersion) out.lastAckedVersion = s.lastAckedVersion;
  if (s.lastRejectedVersion) out.lastRejectedVersion = s.lastRejectedVersion;
  if (s.lastRejectedError) out.lastRejectedError = s.lastRejectedError;
  return out;
}

export interface IdentityInfo {
  expiresAt: Date;
  issuedAt: Date;
  backend: string;
}

export class DataplaneInsightTracker {
  readonly #store: ResourceStore;
  readonly #streams: ProxyStreams;
  readonly #cpId: string;
  readonly #subs = new Map<number, Sub>();
  /** Streams per proxy (`<mesh>/<name>`), so an identity or a close finds its subscriptions without a scan. */
  readonly #byProxy = new Map<string, Set<number>>();
  /** Ids of subscriptions whose stream is open. */
  readonly #live = new Set<string>();
  /** Subscriptions with something to write; a flush writes only these. */
  readonly #dirty = new Set<number>();
  /** Per proxy with an open stream: its certificate, for DataplaneInsight.mTLS. Dropped with its last stream. */
  readonly #mtls = new Map<string, { expiresAt: string; lastRegeneration: string; regenerations: number; backend: string }>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(store: ResourceStore, streams: ProxyStreams, controlPlaneInstanceId: string) {
    this.#store = store;
    this.#streams = streams;
    this.#cpId = controlPlaneInstanceId;
  }

  /** Called by the reconciler when a proxy got a (new) identity certificate. */
  identityIssued(mesh: string, name: string, id: IdentityInfo): void {
    const key = `${mesh}/${name}`;
    // Issued before the proxy's first request reached this tracker: no subscription yet.
    const streams = this.#byProxy.get(key) ?? [];
    const prev = this.#mtls.get(key);
    const expiresAt = id.expiresAt.toISOString();
    if (prev?.expiresAt === expiresAt) return;
    // A proxy that reconnects keeps counting from what its insight says.
    const stored = prev?.regenerations ?? Number((this.#store.get({ type: 'DataplaneInsight', mesh, name })?.spec.mTLS as { certificateRegenerations?: number } | undefined)?.certificateRegenerations ?? 0);
    this.#mtls.set(key, { expiresAt, lastRegeneration: id.issuedAt.toISOString(), regenerations: stored + 1, backend: id.backend });
    for (const streamId of streams) this.#markDirty(streamId);
    this.#schedule();
  }

  callbacks(): StreamCallbacks {
    return {
      onStreamRequest: (streamId, node, typeUrl, info) => {
        let sub = this.#subs.get(streamId);
        if (!sub) {
          const s = this.#streams.get(streamId);
          if (!s?.name || (s.kind === 'dataplane' && !s.mesh)) return;
          const md = (node.metadata ?? {}) as Record<string, unknown>;
          const now = new Date().toISOString();
          sub = { id: randomUUID(), kind: s.kind ?? 'dataplane', mesh: s.mesh ?? '', name: s.name, connectTime: now, lastUpdateTime: now, total: zero(), byType: new Map(), version: (md.version as Record<string, unknown>) ?? {}, dirty: true };
          this.#subs.set(streamId, sub);
          this.#live.add(sub.id);
          const pk = proxyKey(sub);
          let streams = this.#byProxy.get(pk);
          if (!streams) this.#byProxy.set(pk, (streams = new Set()));
          streams.add(streamId);
          this.#dirty.add(streamId);
        }
        if (info.kind === 'request') return;
        const key = TYPE_KEY[shortTypeName(typeUrl)] ?? shortTypeName(typeUrl);
        const st = sub.byType.get(key) ?? zero();
        sub.byType.set(key, st);
        if (info.kind === 'ack') {
          st.responsesAcknowledged++;
          sub.total.responsesAcknowledged++;
          st.lastAckedVersion = info.version;
        } else {
          st.responsesRejected++;
          sub.total.responsesRejected++;
          st.lastRejectedVersion = info.version;
          st.lastRejectedError = info.errorDetail ?? '';
        }
        sub.lastUpdateTime = new Date().toISOString();
        this.#markDirty(streamId);
        this.#schedule();
      },
      onStreamResponse: (streamId, typeUrl) => {
        const sub = this.#subs.get(streamId);
        if (!sub) return;
        const key = TYPE_KEY[shortTypeName(typeUrl)] ?? shortTypeName(typeUrl);
        const st = sub.byType.get(key) ?? zero();
        sub.byType.set(key, st);
        st.responsesSent++;
        sub.total.responsesSent++;
        this.#markDirty(streamId);
        this.#schedule();
      },
      onStreamClose: (streamId) => {
        const sub = this.#subs.get(streamId);
        if (!sub) return;
        sub.disconnectTime = new Date().toISOString();
        this.#live.delete(sub.id);
        this.#markDirty(streamId);
        void this.flush().then(() => this.#forget(streamId, sub));
      },
    };
  }

  #markDirty(streamId: number): void {
    const sub = this.#subs.get(streamId);
    if (!sub) return;
    sub.dirty = true;
    this.#dirty.add(streamId);
  }

  /** The closed stream's subscription was written: keep nothing of it (nor of its proxy, if that was its last stream). */
  #forget(streamId: number, sub: Sub): void {
    if (this.#subs.get(streamId) !== sub) return;
    this.#subs.delete(streamId);
    this.#dirty.delete(streamId);
    const pk = proxyKey(sub);
    const streams = this.#byProxy.get(pk);
    streams?.delete(streamId);
    if (streams?.size === 0) {
      this.#byProxy.delete(pk);
      this.#mtls.delete(pk);
    }
  }

  /** The proxy went away (reconciler): drop its certificate info unless a stream of it is still tracked. */
  forgetIdentity(mesh: string, name: string): void {
    const key = proxyKey({ mesh, name });
    if (!this.#byProxy.has(key)) this.#mtls.delete(key);
  }

  /** Entries kept per stream and per proxy (leak tests). */
  sizes(): { subscriptions: number; proxies: number; live: number; dirty: number; mtls: number } {
    return { subscriptions: this.#subs.size, proxies: this.#byProxy.size, live: this.#live.size, dirty: this.#dirty.size, mtls: this.#mtls.size };
  }

  #schedule(): void {
    if (!this.#timer) this.#timer = setTimeout(() => void this.flush(), FLUSH_MS);
  }

  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writing = this.#writing.then(() => this.#write()).catch(() => this.#schedule());
    return this.#writing;
  }

  async #write(): Promise<void> {
    const due = [...this.#dirty];
    this.#dirty.clear();
    // Proxies are written concurrently, so the store group-commits them in a few batches; the
    // streams of one proxy in order, since each rewrites the same insight at its version.
    const byProxy = new Map<string, number[]>();
    for (const streamId of due) {
      const sub = this.#subs.get(streamId);
      if (!sub) continue;
      const list = byProxy.get(proxyKey(sub));
      if (list) list.push(streamId);
      else byProxy.set(proxyKey(sub), [streamId]);
    }
    const results = await Promise.allSettled(
      [...byProxy.values()].map(async (ids) => {
        for (let i = 0; i < ids.length; i++) {
          try {
            await this.#writeOne(ids[i]!);
          } catch (e) {
            for (const streamId of ids.slice(i)) this.#markDirty(streamId);
            throw e;
          }
        }
      }),
    );
    // Retried by the next flush (flush() reschedules on failure).
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  async #writeOne(streamId: number): Promise<void> {
    const sub = this.#subs.get(streamId);
      if (!sub?.dirty) return;
      sub.dirty = false;
      // The proxy's resource may be gone (deregistered): its insight goes with it.
      if (!this.#store.get({ type: PROXY_RESOURCE_TYPE[sub.kind], mesh: sub.mesh, name: sub.name })) return;
      const key = { type: INSIGHT_TYPE[sub.kind], mesh: sub.mesh, name: sub.name };
      const cur = this.#store.get(key);
      const now = new Date().toISOString();
      const others = ((cur?.spec.subscriptions ?? []) as Record<string, unknown>[])
        .filter((s) => s.id !== sub.id)
        .map((s) => (s.disconnectTime || !this.#isLive(String(s.id)) ? { ...s, disconnectTime: s.disconnectTime ?? now } : s));
      const status: Record<string, unknown> = { lastUpdateTime: sub.lastUpdateTime, total: statsJson(sub.total) };
      for (const [k, v] of [...sub.byType].sort(([a], [b]) => a.localeCompare(b))) status[k] = statsJson(v);
      const subscription: Record<string, unknown> = { id: sub.id, controlPlaneInstanceId: this.#cpId, connectTime: sub.connectTime, status, version: sub.version };
      if (sub.disconnectTime) subscription.disconnectTime = sub.disconnectTime;
      const spec: Record<string, unknown> = { ...(cur?.spec ?? {}), subscriptions: [...others, subscription].slice(-SUBSCRIPTION_LIMIT) };
      const m = this.#mtls.get(`${sub.mesh}/${sub.name}`);
      if (m) {
        spec.mTLS = { certificateExpirationTime: m.expiresAt, lastCertificateRegeneration: m.lastRegeneration, certificateRegenerations: m.regenerations, issuedBackend: m.backend, supportedBackends: [m.backend] };
      }
      if (cur) await this.#store.update({ ...key, labels: cur.labels, spec }, cur.version);
      else await this.#store.create({ ...key, labels: sub.mesh ? { 'kuma.io/mesh': sub.mesh } : {}, spec });
  }

  #isLive(id: string): boolean {
    return this.#live.has(id);
  }
}

function proxyKey(sub: { mesh: string; name: string }): string {
  return `${sub.mesh}/${sub.name}`;
}
