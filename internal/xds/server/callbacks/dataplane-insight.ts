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
    const prev = this.#mtls.get(key);
    const expiresAt = id.expiresAt.toISOString();
    if (prev?.expiresAt === expiresAt) return;
    this.#mtls.set(key, { expiresAt, lastRegeneration: id.issuedAt.toISOString(), regenerations: (prev?.regenerations ?? 0) + 1, backend: id.backend });
    for (const s of this.#subs.values()) if (s.mesh === mesh && s.name === name) s.dirty = true;
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
        sub.dirty = true;
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
        sub.dirty = true;
        this.#schedule();
      },
      onStreamClose: (streamId) => {
        const sub = this.#subs.get(streamId);
        if (!sub) return;
        sub.disconnectTime = new Date().toISOString();
        sub.dirty = true;
        void this.flush().then(() => this.#subs.delete(streamId));
      },
    };
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
    for (const sub of [...this.#subs.values()]) {
      if (!sub.dirty) continue;
      sub.dirty = false;
      // The proxy's resource may be gone (deregistered): its insight goes with it.
      if (!this.#store.get({ type: PROXY_RESOURCE_TYPE[sub.kind], mesh: sub.mesh, name: sub.name })) continue;
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
  }

  #isLive(id: string): boolean {
    for (const s of this.#subs.values()) if (s.id === id && !s.disconnectTime) return true;
    return false;
  }
}
