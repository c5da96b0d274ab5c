/**
 * The providing side of one KDS delta stream (global->zone on the global,
 * zone->global on the zone). On a type's subscription it sends the whole
 * state; afterwards, on `refresh()`, only what changed and what was removed.
 *
 * As Kuma's go-control-plane server, system_version_info is empty and the
 * first response of a type is its whole state. A state larger than one
 * message is split into parts marked `full:<i>/<n>` in system_version_info
 * so our receiver applies it only once every part arrived (a half state
 * must never delete anything); Kuma never splits, so it never sees them.
 *
 * `refresh(changes)` costs what changed: only the types in the change set
 * are looked at, and for a type the peer side can encode one record at a
 * time (`entry`) only the changed records are (an insight write touches one
 * record of one type, not every type's whole state).
 */
import { DeltaDiscoveryResponse, type DeltaDiscoveryRequest } from '../../proto/gen/envoy/service/discovery/v3/discovery';
import type { Resource } from '../resources/model';
import type { StoreEvent } from '../store/resource-store';
import { DeliveryLedger, type Delivery } from './delivery-ledger';
import { toWireResource, type EncodedResource } from './wire';

export type StatEvent = 'sent' | 'ack' | 'nack';

/** Store events since the last refresh, by resource type. */
export type ChangeSet = ReadonlyMap<string, readonly StoreEvent[]>;

/** Collects store events into a ChangeSet until taken (one per debounce window). */
export class ChangeCollector {
  #changes = new Map<string, StoreEvent[]>();

  add(events: readonly StoreEvent[]): void {
    for (const e of events) {
      const list = this.#changes.get(e.resource.type);
      if (list) list.push(e);
      else this.#changes.set(e.resource.type, [e]);
    }
  }

  get size(): number {
    return this.#changes.size;
  }

  take(): ChangeSet {
    const c = this.#changes;
    this.#changes = new Map();
    return c;
  }
}

/** What a refresh cost (tests assert on it: an insight write must not rebuild other types). */
export interface SenderStats {
  /** Whole-type snapshots built, by type (subscriptions, full refreshes, types without `entry`). */
  snapshots: Record<string, number>;
  /** Records encoded one by one through `entry`, by type. */
  entries: Record<string, number>;
}

export interface SenderDeps {
  /** Kuma type names this side provides. */
  types: readonly string[];
  /** The desired state of a type for this peer, keyed by wire name. */
  snapshot(type: string): Map<string, EncodedResource>;
  /**
   * One record as the peer would get it: its wire name, and its encoding when it passes the
   * filter (undefined: not for this peer). Absent for a type, the type is always rebuilt whole
   * (e.g. one whose desired state is derived from other records).
   */
  entry?(type: string, r: Resource): { wireName?: string; encoded?: EncodedResource } | undefined;
  send(resp: DeltaDiscoveryResponse): void;
  maxMsgBytes: number;
  onStat?(type: string, event: StatEvent, detail?: string): void;
}

export const FULL_PREFIX = 'full:';

export class DeltaSender {
  readonly #d: SenderDeps;
  /** type -> (wire name -> version) as last sent; present iff the peer subscribed. */
  readonly #sent = new Map<string, Map<string, string>>();
  #nonce = 0;
  readonly #stats: SenderStats = { snapshots: {}, entries: {} };
  /** Per record: version sent and the peer's answer (the propagation view). */
  readonly #ledger = new DeliveryLedger();

  constructor(deps: SenderDeps) {
    this.#d = deps;
  }

  /** Handles one request from the peer: a subscription, an ACK or a NACK. */
  onRequest(req: DeltaDiscoveryRequest): void {
    const type = req.typeUrl;
    if (!this.#d.types.includes(type)) return;
    if (req.responseNonce) {
      this.#d.onStat?.(type, req.errorDetail ? 'nack' : 'ack', req.errorDetail?.message);
      this.#ledger.answered(type, req.responseNonce, req.errorDetail ? req.errorDetail.message || `rejected (code ${req.errorDetail.code})` : undefined);
    }
    if (!this.#sent.has(type) && req.resourceNamesSubscribe.includes('*')) {
      const snap = this.#snapshot(type);
      this.#sent.set(type, new Map([...snap].map(([k, v]) => [k, v.version])));
      this.#sendParts(type, [...snap.values()], [], true);
    }
  }

  /**
   * Sends the changes since the last send: of the types in `changes` only (looking at just the
   * changed records where `entry` allows), or of every subscribed type without a change set.
   */
  refresh(changes?: ChangeSet): void {
    for (const [type, sent] of this.#sent) {
      if (!changes) this.#refreshWhole(type, sent);
      else {
        const events = changes.get(type);
        if (!events) continue;
        if (this.#d.entry?.(type, events[0]!.resource) === undefined) this.#refreshWhole(type, sent);
        else this.#refreshChanged(type, sent, events);
      }
    }
  }

  stats(): SenderStats {
    return { snapshots: { ...this.#stats.snapshots }, entries: { ...this.#stats.entries } };
  }

  #snapshot(type: string): Map<string, EncodedResource> {
    this.#stats.snapshots[type] = (this.#stats.snapshots[type] ?? 0) + 1;
    return this.#d.snapshot(type);
  }

  #entry(type: string, r: Resource): { wireName?: string; encoded?: EncodedResource } {
    this.#stats.entries[type] = (this.#stats.entries[type] ?? 0) + 1;
    return this.#d.entry!(type, r) ?? {};
  }

  #refreshWhole(type: string, sent: Map<string, string>): void {
    const snap = this.#snapshot(type);
    const changed: EncodedResource[] = [];
    for (const [k, e] of snap) if (sent.get(k) !== e.version) changed.push(e);
    const removed = [...sent.keys()].filter((k) => !snap.has(k));
    this.#apply(type, sent, changed, removed);
  }

  #refreshChanged(type: string, sent: Map<string, string>, events: readonly StoreEvent[]): void {
    // Last event per record wins; a record's earlier wire name is retracted when it moved.
    const changed = new Map<string, EncodedResource>();
    const removed = new Set<string>();
    for (const ev of events) {
      const before = ev.kind === 'update' && ev.previous ? this.#entry(type, ev.previous).wireName : undefined;
      const now = ev.kind === 'delete' ? { wireName: this.#entry(type, ev.resource).wireName } : this.#entry(type, ev.resource);
      if (before && before !== now.wireName) {
        changed.delete(before);
        removed.add(before);
      }
      if (!now.wireName) continue;
      if (now.encoded) {
        removed.delete(now.wireName);
        changed.set(now.wireName, now.encoded);
      } else {
        changed.delete(now.wireName);
        removed.add(now.wireName);
      }
    }
    const toSend = [...changed.values()].filter((e) => sent.get(e.wireName) !== e.version);
    this.#apply(type, sent, toSend, [...removed].filter((k) => sent.has(k)));
  }

  #apply(type: string, sent: Map<string, string>, changed: EncodedResource[], removed: string[]): void {
    if (!changed.length && !removed.length) return;
    for (const e of changed) sent.set(e.wireName, e.version);
    for (const k of removed) sent.delete(k);
    this.#sendParts(type, changed, removed, false);
  }

  /** What was sent of one record and how the peer answered; undefined: never sent (or retracted). */
  delivery(type: string, wireName: string): Delivery | undefined {
    return this.#ledger.get(type, wireName);
  }

  /** Whether the peer subscribed to the type (it gets nothing of a type it did not ask for). */
  subscribed(type: string): boolean {
    return this.#sent.has(type);
  }

  ledgerSizes(): { records: number; inFlight: number } {
    return this.#ledger.sizes();
  }

  subscribedTypes(): string[] {
    return [...this.#sent.keys()];
  }

  #sendParts(type: string, resources: EncodedResource[], removed: string[], full: boolean): void {
    // Split by encoded size, keeping a margin for framing and the removed names.
    const budget = Math.max(1024, Math.floor(this.#d.maxMsgBytes * 0.8));
    const parts: EncodedResource[][] = [[]];
    let size = 0;
    for (const r of resources) {
      const s = r.bytes.length + r.wireName.length + 64;
      if (size + s > budget && parts[parts.length - 1]!.length > 0) {
        parts.push([]);
        size = 0;
      }
      parts[parts.length - 1]!.push(r);
      size += s;
    }
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const nonce = String(++this.#nonce);
      // A chunked full state is applied when its last part arrives, and the earlier parts are
      // ACKed unapplied: only the last part's answer says anything of the records.
      const chunked = full && parts.length > 1;
      this.#ledger.sent(type, nonce, chunked ? (last ? resources : []) : part, last ? removed : []);
      this.#d.send(
        DeltaDiscoveryResponse.fromPartial({
          typeUrl: type,
          systemVersionInfo: full && parts.length > 1 ? `${FULL_PREFIX}${i + 1}/${parts.length}` : '',
          resources: part.map(toWireResource),
          removedResources: last ? removed : [],
          nonce,
        }),
      );
      this.#d.onStat?.(type, 'sent');
    });
  }
}
