/**
 * ZoneInsight bookkeeping on the global for one zone connection (Kuma's KDS
 * status tracker): a subscription per connection with connect/disconnect
 * times, the zone CP's version and config, and per-type counters of
 * responses sent, ACKed and NACKed. Counters are uint64 in Kuma's proto, so
 * they are JSON strings, as kumactl expects.
 */
import { randomUUID } from 'node:crypto';
import type { Spec } from '../../resources/model';
import type { ResourceStore } from '../../store/resource-store';
import type { StatEvent } from '../delta-sender';

/** `received`: a response the zone sent up (zone->global), which the global applied. */
export type ZoneStatEvent = StatEvent | 'received';

/** How many subscriptions a ZoneInsight keeps (KUMA_METRICS_ZONE_SUBSCRIPTION_LIMIT). */
const SUBSCRIPTION_LIMIT = 10;

interface Counters {
  responsesSent: number;
  responsesAcknowledged: number;
  responsesRejected: number;
  responsesReceived: number;
}

const zero = (): Counters => ({ responsesSent: 0, responsesAcknowledged: 0, responsesRejected: 0, responsesReceived: 0 });
const asJson = (c: Counters) => ({
  responsesSent: String(c.responsesSent),
  responsesAcknowledged: String(c.responsesAcknowledged),
  responsesRejected: String(c.responsesRejected),
  // Not in Kuma's KDSServiceStats: what the zone sent up, for zone->global types.
  responsesReceived: String(c.responsesReceived),
});

export interface ZoneConnectionInfo {
  globalInstanceId: string;
  zoneInstanceId: string;
  version: Spec;
  /** The zone CP's config as a JSON string (the GUI parses it). */
  config: string;
  authTokenProvided: boolean;
}

export class ZoneInsightTracker {
  readonly #store: ResourceStore;
  readonly #zone: string;
  readonly #id = randomUUID();
  readonly #connectTime = new Date().toISOString();
  #disconnectTime: string | undefined;
  #lastUpdate = this.#connectTime;
  readonly #total = zero();
  readonly #stat = new Map<string, Counters>();
  readonly #info: ZoneConnectionInfo;
  readonly #flushMs: number;
  #dirty = true;
  #opened = false;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(store: ResourceStore, zone: string, info: ZoneConnectionInfo, flushIntervalMs: number) {
    this.#store = store;
    this.#zone = zone;
    this.#info = info;
    this.#flushMs = flushIntervalMs;
  }

  /**
   * Records the connection at once, closing any subscription an earlier
   * connection left open (a crash, or a stream this one replaced). Only
   * here: later writes touch this subscription alone, so a late flush of an
   * old connection can never close the live one.
   */
  async open(): Promise<void> {
    await this.flush();
  }

  count(type: string, ev: ZoneStatEvent): void {
    const c = this.#stat.get(type) ?? zero();
    this.#stat.set(type, c);
    const field = ev === 'sent' ? 'responsesSent' : ev === 'ack' ? 'responsesAcknowledged' : ev === 'nack' ? 'responsesRejected' : 'responsesReceived';
    c[field]++;
    this.#total[field]++;
    this.#lastUpdate = new Date().toISOString();
    this.#dirty = true;
    if (!this.#timer) this.#timer = setTimeout(() => void this.flush(), this.#flushMs);
  }

  async close(): Promise<void> {
    if (this.#disconnectTime) return;
    this.#disconnectTime = new Date().toISOString();
    this.#dirty = true;
    await this.flush();
  }

  /** Writes the subscription if anything changed; serialized so writes never race each other. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writing = this.#writing.then(() => this.#write()).catch(() => {
      // A conflicting concurrent write: try again on the next tick.
      this.#dirty = true;
      if (!this.#timer) this.#timer = setTimeout(() => void this.flush(), this.#flushMs);
    });
    return this.#writing;
  }

  async #write(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    const key = { type: 'ZoneInsight', mesh: '', name: this.#zone };
    const cur = this.#store.get(key);
    // The Zone was deleted after this connection ended: do not bring its insight back.
    if (!cur && this.#disconnectTime) return;
    const now = new Date().toISOString();
    const closeOthers = !this.#opened;
    const mine = this.#subscription();
    let found = false;
    // In place, so the newest connection stays last even when an older one flushes after it.
    const subs = ((cur?.spec.subscriptions ?? []) as Record<string, unknown>[]).map((s) => {
      if (s.id === this.#id) {
        found = true;
        return mine;
      }
      return closeOthers && !s.disconnectTime ? { ...s, disconnectTime: now } : s;
    });
    if (!found) {
      // Trimmed away by newer connections: an old connection does not come back.
      if (this.#opened) return;
      subs.push(mine);
    }
    const spec = { ...(cur?.spec ?? {}), subscriptions: subs.slice(-SUBSCRIPTION_LIMIT) };
    if (cur) await this.#store.update({ ...key, labels: cur.labels, spec }, cur.version);
    else await this.#store.create({ ...key, labels: {}, spec });
    this.#opened = true;
  }

  #subscription(): Spec {
    const stat: Record<string, unknown> = {};
    for (const [t, c] of [...this.#stat].sort(([a], [b]) => a.localeCompare(b))) stat[t] = asJson(c);
    const s: Spec = {
      id: this.#id,
      globalInstanceId: this.#info.globalInstanceId,
      zoneInstanceId: this.#info.zoneInstanceId,
      connectTime: this.#connectTime,
      status: { lastUpdateTime: this.#lastUpdate, total: asJson(this.#total), stat },
      version: this.#info.version,
      config: this.#info.config,
      authTokenProvided: this.#info.authTokenProvided,
    };
    if (this.#disconnectTime) s.disconnectTime = this.#disconnectTime;
    return s;
  }
}
