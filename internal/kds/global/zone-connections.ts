/**
 * Which control plane instance holds each zone's KDS link on this global.
 * A zone name belongs to one zone CP instance at a time: while any stream of
 * instance A for zone "east" is alive, instance B's streams for "east" are
 * refused (two CPs with one name would merge their inventories). A new
 * stream of the holder replaces its older stream of the same kind: that is a
 * reconnect after a link cut the global has not noticed yet.
 *
 * Pure bookkeeping; the KDS server closes what `claim` says was replaced.
 */

export type StreamKind = 'globalToZone' | 'zoneToGlobal';

export interface ZoneStream {
  readonly kind: StreamKind;
  /** The zone CP instance the stream comes from. */
  readonly instanceId: string;
  /** Ends the stream because a newer one of the same instance replaced it. */
  close(reason: string): void;
}

export type Claim = { accepted: true; replaced?: ZoneStream } | { accepted: false; holder: string; since: string };

interface Holder {
  instanceId: string;
  since: string;
  streams: Map<StreamKind, ZoneStream>;
}

export class ZoneConnections {
  readonly #byZone = new Map<string, Holder>();

  claim(zone: string, stream: ZoneStream, now = new Date()): Claim {
    const h = this.#byZone.get(zone);
    if (h && h.instanceId !== stream.instanceId) return { accepted: false, holder: h.instanceId, since: h.since };
    if (!h) {
      this.#byZone.set(zone, { instanceId: stream.instanceId, since: now.toISOString(), streams: new Map([[stream.kind, stream]]) });
      return { accepted: true };
    }
    const replaced = h.streams.get(stream.kind);
    h.streams.set(stream.kind, stream);
    return replaced ? { accepted: true, replaced } : { accepted: true };
  }

  /** A stream ended; the zone is free once its holder has no stream left. A replaced stream releases nothing. */
  release(zone: string, stream: ZoneStream): void {
    const h = this.#byZone.get(zone);
    if (!h || h.streams.get(stream.kind) !== stream) return;
    h.streams.delete(stream.kind);
    if (h.streams.size === 0) this.#byZone.delete(zone);
  }

  isConnected(zone: string): boolean {
    return this.#byZone.has(zone);
  }

  holderOf(zone: string): string | undefined {
    return this.#byZone.get(zone)?.instanceId;
  }
}

/** The refusal the zone CP reads: what happened, who holds the name, how to fix it. */
export function zoneTakenMessage(zone: string, holder: string, since: string, refused: string): string {
  return (
    `zone "${zone}" is already connected to this global from control plane instance "${holder}" (since ${since}); ` +
    `refusing instance "${refused}". Two zone CPs must not share a zone name: give each zone CP a unique KUMA_MULTIZONE_ZONE_NAME, ` +
    `or stop the other CP (this one takes over once it disconnects)`
  );
}
