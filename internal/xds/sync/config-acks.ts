/**
 * Which store state each connected proxy runs: the reconciler says from
 * which point of the store (a sequence number of the store events it has
 * seen) a proxy's current snapshot was built, and the ADS hooks say when
 * the proxy has answered every response sent since. A snapshot counts as
 * ACKed once nothing sent to the proxy is unanswered and no type was
 * NACKed; a snapshot whose types did not change sends nothing and is ACKed
 * at once. The propagation view compares a resource's sequence number with
 * the proxy's ACKed one.
 *
 * Per proxy: three numbers, a NACK and its in-flight types (at most one per
 * xDS type); forgotten when the proxy's last stream closes.
 */
import type { StreamCallbacks } from '../server/callbacks';

export interface ProxyConfigState {
  /** The store sequence number the proxy's ACKed config was built from (0: nothing ACKed). */
  ackedSeq: number;
  ackedAtMs?: number;
  /** The sequence number of the snapshot waiting for the proxy's answers. */
  pendingSeq?: number;
  /** The last rejection, kept until the proxy ACKs that type again. */
  nack?: { typeUrl: string; error: string; atMs: number };
}

interface NodeState extends ProxyConfigState {
  /** type URL -> version of the response sent and not answered yet. */
  inFlight: Map<string, string>;
  checkScheduled: boolean;
}

export class ConfigAckLedger {
  readonly #nodes = new Map<string, NodeState>();
  /** ADS stream id -> node id (responses are reported by stream). */
  readonly #streams = new Map<number, string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The reconciler looked at the proxy with store state `seq`: its current snapshot stands for it. */
  built(nodeId: string, seq: number): void {
    const n = this.#node(nodeId);
    if (n.ackedSeq >= seq) return;
    n.pendingSeq = Math.max(n.pendingSeq ?? 0, seq);
    // The cache answers open watches while the snapshot is set; look once those writes are done.
    this.#scheduleCheck(nodeId, n);
  }

  state(nodeId: string): ProxyConfigState | undefined {
    const n = this.#nodes.get(nodeId);
    return n && { ackedSeq: n.ackedSeq, ackedAtMs: n.ackedAtMs, pendingSeq: n.pendingSeq, nack: n.nack };
  }

  forget(nodeId: string): void {
    this.#nodes.delete(nodeId);
  }

  sizes(): { nodes: number; streams: number } {
    return { nodes: this.#nodes.size, streams: this.#streams.size };
  }

  callbacks(): StreamCallbacks {
    return {
      onStreamRequest: (streamId, node, typeUrl, info) => {
        if (!node.id) return;
        this.#streams.set(streamId, node.id);
        if (info.kind === 'request') return;
        const n = this.#node(node.id);
        n.inFlight.delete(typeUrl);
        if (info.kind === 'nack') n.nack = { typeUrl, error: info.errorDetail || 'rejected without a message', atMs: this.now() };
        else if (n.nack?.typeUrl === typeUrl) n.nack = undefined;
        // The server answers this request (maybe with the newer snapshot) after the hook returns.
        this.#scheduleCheck(node.id, n);
      },
      onStreamResponse: (streamId, typeUrl, version) => {
        const nodeId = this.#streams.get(streamId);
        if (nodeId) this.#nodes.get(nodeId)?.inFlight.set(typeUrl, version);
      },
      onStreamClose: (streamId) => {
        this.#streams.delete(streamId);
      },
    };
  }

  #node(nodeId: string): NodeState {
    let n = this.#nodes.get(nodeId);
    if (!n) this.#nodes.set(nodeId, (n = { ackedSeq: 0, inFlight: new Map(), checkScheduled: false }));
    return n;
  }

  #scheduleCheck(nodeId: string, n: NodeState): void {
    if (n.checkScheduled) return;
    n.checkScheduled = true;
    setImmediate(() => {
      n.checkScheduled = false;
      if (this.#nodes.get(nodeId) !== n) return; // forgotten meanwhile
      if (n.pendingSeq === undefined || n.inFlight.size > 0 || n.nack) return;
      n.ackedSeq = n.pendingSeq;
      n.ackedAtMs = this.now();
      n.pendingSeq = undefined;
    });
  }
}
