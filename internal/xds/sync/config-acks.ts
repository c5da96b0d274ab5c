/**
 * Which store state each connected proxy runs. The reconciler reports, per
 * proxy, the snapshot the cache now holds (its per-type versions) and the
 * store sequence number it stands for; the ADS hooks report, per type, the
 * version the proxy ACKed or NACKed. A snapshot counts as ACKed only once
 * every type it holds resources of is ACKed at the snapshot's version of that
 * type: Envoy answers LDS, CDS, EDS, RDS and SDS separately, so one type's
 * ACK says nothing of the others. It counts as NACKed when the proxy rejected
 * one of those versions (Envoy's error_detail is kept).
 *
 * A type the snapshot holds nothing of is not waited for: Envoy never asks
 * for RDS or SDS when no listener or cluster names one. On a Delta stream a
 * new type version that changes nothing the proxy subscribed to is never
 * sent, so never ACKed; the cache reports it (`upToDate`) instead.
 *
 * Per proxy: the current snapshot's versions, the last ACKed version and
 * NACK per type (at most one each per xDS type), a few numbers; forgotten
 * when the proxy goes away (the reconciler's onForget, on its last stream's
 * close).
 */
import type { StreamCallbacks } from '../server/callbacks';

export interface ProxyConfigState {
  /** The store sequence number the proxy's ACKed config was built from (0 with ackedAtMs unset: nothing ACKed). */
  ackedSeq: number;
  ackedAtMs?: number;
  /** The sequence number of the current snapshot while the proxy has not ACKed all of it. */
  pendingSeq?: number;
  /** The types of the current snapshot not ACKed at its version yet. */
  pendingTypes: string[];
  /** A rejection of one of the current snapshot's versions. */
  nack?: { typeUrl: string; version: string; error: string; atMs: number };
}

interface NodeState {
  ackedSeq: number;
  ackedAtMs?: number;
  /** The snapshot the cache holds for the proxy: store sequence and type URL -> version (non-empty types only). */
  target?: { seq: number; versions: ReadonlyMap<string, string> };
  /** type URL -> version the proxy ACKed last, and when. */
  acked: Map<string, { version: string; atMs: number }>;
  /** type URL -> the last rejection. */
  nacks: Map<string, { version: string; error: string; atMs: number }>;
}

export class ConfigAckLedger {
  readonly #nodes = new Map<string, NodeState>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The proxy's current snapshot stands for store state `seq`. `versions` are its per-type versions
   * (as `SnapshotCache.setSnapshot` assigned them) for the types it holds resources of; omitted when
   * the reconciler left the snapshot as it was because its inputs did not move.
   */
  built(nodeId: string, seq: number, versions?: ReadonlyMap<string, string>): void {
    const known = this.#nodes.get(nodeId);
    if (!versions && !known?.target) return; // nothing set for it yet: no config stands for seq
    const n = known ?? this.#node(nodeId);
    n.target = { seq: Math.max(seq, n.target?.seq ?? 0), versions: versions ?? n.target!.versions };
    this.#check(n);
  }

  /**
   * The cache had nothing to send the proxy's Delta stream for `typeUrl` at `version`: the proxy
   * holds that content already (or the part of it it subscribed to), so it counts as ACKed at
   * `version`, or as still rejecting it when its last answer on the type was a NACK (the rejected
   * resources were not resent, so they stand).
   */
  upToDate(nodeId: string, typeUrl: string, version: string): void {
    // Called while the cache sets the snapshot, before `built` names it the target: record only.
    const n = this.#nodes.get(nodeId);
    if (!n) return;
    const nack = n.nacks.get(typeUrl);
    if (nack) nack.version = version;
    else {
      const a = n.acked.get(typeUrl);
      if (a?.version === version) return;
      n.acked.set(typeUrl, { version, atMs: a?.atMs ?? this.now() });
    }
    this.#check(n);
  }

  state(nodeId: string): ProxyConfigState | undefined {
    const n = this.#nodes.get(nodeId);
    if (!n) return undefined;
    const pendingTypes: string[] = [];
    let nack: ProxyConfigState['nack'];
    for (const [typeUrl, version] of n.target?.versions ?? []) {
      if (n.acked.get(typeUrl)?.version === version) continue;
      pendingTypes.push(typeUrl);
      const k = n.nacks.get(typeUrl);
      if (k && k.version === version && !nack) nack = { typeUrl, ...k };
    }
    const pending = pendingTypes.length > 0 && n.target ? { pendingSeq: n.target.seq } : {};
    return { ackedSeq: n.ackedSeq, ...(n.ackedAtMs !== undefined ? { ackedAtMs: n.ackedAtMs } : {}), ...pending, pendingTypes, ...(nack ? { nack } : {}) };
  }

  forget(nodeId: string): void {
    this.#nodes.delete(nodeId);
  }

  sizes(): { nodes: number } {
    return { nodes: this.#nodes.size };
  }

  callbacks(): StreamCallbacks {
    return {
      onStreamRequest: (_streamId, node, typeUrl, info) => {
        if (!node.id) return;
        // A first request carrying a version (a reconnect) says the proxy runs that version.
        if (info.kind === 'request' && !info.version) return;
        const n = this.#node(node.id);
        if (info.kind === 'nack') {
          n.nacks.set(typeUrl, { version: info.version, error: info.errorDetail || 'rejected without a message', atMs: this.now() });
          // upToDate may have counted it while the response was on its way.
          if (n.acked.get(typeUrl)?.version === info.version) n.acked.delete(typeUrl);
        } else {
          n.acked.set(typeUrl, { version: info.version, atMs: this.now() });
          n.nacks.delete(typeUrl);
        }
        this.#check(n);
      },
    };
  }

  #node(nodeId: string): NodeState {
    let n = this.#nodes.get(nodeId);
    if (!n) this.#nodes.set(nodeId, (n = { ackedSeq: 0, acked: new Map(), nacks: new Map() }));
    return n;
  }

  /** The current snapshot is ACKed when every type of it is ACKed at its version. */
  #check(n: NodeState): void {
    const t = n.target;
    if (!t || (t.seq <= n.ackedSeq && n.ackedAtMs !== undefined)) return;
    // When the last of its types was ACKed: a snapshot left as it was keeps its ACK time.
    let at = 0;
    for (const [typeUrl, version] of t.versions) {
      const a = n.acked.get(typeUrl);
      if (a?.version !== version) return;
      at = Math.max(at, a.atMs);
    }
    n.ackedSeq = t.seq;
    n.ackedAtMs = t.versions.size ? at : this.now();
  }
}

/** The per-type versions of a versioned snapshot, for the types it holds resources of. */
export function snapshotVersions(snapshot: { typeUrls(): string[]; resources(typeUrl: string): { size: number }; version(typeUrl: string): string }): Map<string, string> {
  const out = new Map<string, string>();
  for (const typeUrl of snapshot.typeUrls()) if (snapshot.resources(typeUrl).size > 0) out.set(typeUrl, snapshot.version(typeUrl));
  return out;
}
