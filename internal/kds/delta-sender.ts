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
 */
import { DeltaDiscoveryResponse, type DeltaDiscoveryRequest } from '../../proto/gen/envoy/service/discovery/v3/discovery';
import { toWireResource, type EncodedResource } from './wire';

export type StatEvent = 'sent' | 'ack' | 'nack';

export interface SenderDeps {
  /** Kuma type names this side provides. */
  types: readonly string[];
  /** The desired state of a type for this peer, keyed by wire name. */
  snapshot(type: string): Map<string, EncodedResource>;
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

  constructor(deps: SenderDeps) {
    this.#d = deps;
  }

  /** Handles one request from the peer: a subscription, an ACK or a NACK. */
  onRequest(req: DeltaDiscoveryRequest): void {
    const type = req.typeUrl;
    if (!this.#d.types.includes(type)) return;
    if (req.responseNonce) this.#d.onStat?.(type, req.errorDetail ? 'nack' : 'ack', req.errorDetail?.message);
    if (!this.#sent.has(type) && req.resourceNamesSubscribe.includes('*')) {
      const snap = this.#d.snapshot(type);
      this.#sent.set(type, new Map([...snap].map(([k, v]) => [k, v.version])));
      this.#sendParts(type, [...snap.values()], [], true);
    }
  }

  /** Sends every subscribed type's changes since the last send. */
  refresh(): void {
    for (const [type, sent] of this.#sent) {
      const snap = this.#d.snapshot(type);
      const changed: EncodedResource[] = [];
      for (const [k, e] of snap) if (sent.get(k) !== e.version) changed.push(e);
      const removed = [...sent.keys()].filter((k) => !snap.has(k));
      if (!changed.length && !removed.length) continue;
      for (const e of changed) sent.set(e.wireName, e.version);
      for (const k of removed) sent.delete(k);
      this.#sendParts(type, changed, removed, false);
    }
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
      this.#d.send(
        DeltaDiscoveryResponse.fromPartial({
          typeUrl: type,
          systemVersionInfo: full && parts.length > 1 ? `${FULL_PREFIX}${i + 1}/${parts.length}` : '',
          resources: part.map(toWireResource),
          removedResources: last ? removed : [],
          nonce: String(++this.#nonce),
        }),
      );
      this.#d.onStat?.(type, 'sent');
    });
  }
}
