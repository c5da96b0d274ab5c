/**
 * ADS stream hook that feeds the xds_* discovery stats: active streams,
 * ACK/NACK per type URL, responses per type URL and delivery time (from the
 * reconciler setting a proxy's snapshot to the proxy's first ACK or NACK
 * after it, as Kuma keys Delta deliveries by node).
 */
import type { StreamCallbacks } from '../xds/server/callbacks';
import type { DiscoveryStats } from './discovery-stats';

/** As Kuma's ConfigInFlightThreshold: a leak guard, never reached while proxies answer. */
const IN_FLIGHT_LIMIT = 100_000;

export class XdsDeliveryTracker {
  readonly #stats: DiscoveryStats;
  /** node id -> when its latest snapshot was set and not yet confirmed. */
  readonly #ready = new Map<string, number>();

  constructor(stats: DiscoveryStats) {
    this.#stats = stats;
  }

  /** The reconciler set a new snapshot for this node. */
  configReady(nodeId: string): void {
    if (this.#ready.size >= IN_FLIGHT_LIMIT) this.#ready.clear();
    if (!this.#ready.has(nodeId)) this.#ready.set(nodeId, performance.now());
  }

  /** Nodes with a snapshot not yet confirmed (for tests: empty once every proxy answered or left). */
  get inFlight(): number {
    return this.#ready.size;
  }

  callbacks(): StreamCallbacks {
    const stats = this.#stats;
    return {
      onStreamOpen: () => stats.streamOpened(),
      onStreamRequest: (_streamId, node, typeUrl, info) => {
        if (info.kind === 'request') return;
        stats.confirmed(typeUrl, info.kind === 'ack' ? 'ACK' : 'NACK');
        const t = this.#ready.get(node.id);
        if (t === undefined) return;
        this.#ready.delete(node.id);
        stats.delivered(performance.now() - t);
      },
      onStreamResponse: (_streamId, typeUrl) => stats.responded(typeUrl),
      onStreamClose: (_streamId, node) => {
        stats.streamClosed();
        if (node) this.#ready.delete(node.id);
      },
    };
  }
}
