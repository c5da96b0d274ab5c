/**
 * One versioned snapshot per node and the open watches of its streams, as go-control-plane's
 * `snapshotCache` (pkg/cache/v3/simple.go). It never imports grpc-js: streams, nonces and ACKs are
 * the server's business (internal/xds/server).
 *
 * Versions are the cache's: `setSnapshot` compares each type with the node's previous snapshot and
 * keeps the version when the contents are byte-equal, so a reconcile that changes nothing sends
 * nothing (Kuma's pkg/xds/server/v3/reconcile.go, `autoVersion`).
 */
import { KumaError } from '../../errors';
import type {
  CancelWatch,
  ConfigWatcher,
  DeltaSubscription,
  DeltaWatchRequest,
  DeltaWatchResponse,
  WatchRequest,
  WatchResponse,
} from './cache';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL } from './resource-types';
import { deltaResponse, sotwResponse } from './responses';
import { type Snapshot, sameResources } from './snapshot';

export interface SnapshotCacheOptions {
  /**
   * Prefix of every version this cache assigns (then a counter). Defaults to a random one, so a
   * restarted control plane never hands out a version an Envoy still holds for other contents
   * (go-control-plane's LinearCache does the same).
   */
  versionPrefix?: string;
  /**
   * A Delta watch of the node found nothing to send for the type at `version`: the client already
   * holds every resource of it that it subscribed to, so the new version needs no response (and
   * gets no ACK). The propagation view's ACK ledger counts the type as current.
   */
  onDeltaUpToDate?(nodeId: string, typeUrl: string, version: string): void;
}

type Watch =
  | { readonly kind: 'sotw'; readonly request: WatchRequest; readonly respond: (r: WatchResponse) => void }
  | {
      readonly kind: 'delta';
      readonly request: DeltaWatchRequest;
      readonly state: DeltaSubscription;
      readonly respond: (r: DeltaWatchResponse) => void;
    };

const noop: CancelWatch = () => {};

export class SnapshotCache implements ConfigWatcher {
  readonly #snapshots = new Map<string, Snapshot>();
  /** node id -> type URL -> open watches. Emptied maps are deleted so closed streams leave nothing behind. */
  readonly #watches = new Map<string, Map<string, Set<Watch>>>();
  readonly #versionPrefix: string;
  #versionCounter = 0;
  readonly #onDeltaUpToDate: SnapshotCacheOptions['onDeltaUpToDate'];

  constructor(options: SnapshotCacheOptions = {}) {
    this.#versionPrefix = options.versionPrefix ?? `${Math.random().toString(36).slice(2, 8)}-`;
    this.#onDeltaUpToDate = options.onDeltaUpToDate;
  }

  /**
   * Stores the node's snapshot, assigning versions, and answers the node's open watches whose
   * type changed, in ADS order (CDS, EDS, LDS, RDS, SDS).
   *
   * - A type keeps its previous version when its resources are byte-equal to the previous ones.
   * - When CDS gets a new version, EDS gets one too (Kuma's reconcile.go): Envoy re-warms a
   *   changed cluster and asks for its endpoints again at the version it already has; without a
   *   new version a SotW server would not answer and the cluster would stay warming.
   *
   * @throws InconsistentSnapshotError when a cluster or listener refers to a missing EDS or RDS
   *   resource; the previous snapshot stays in place.
   * @returns the stored, versioned snapshot.
   */
  setSnapshot(nodeId: string, snapshot: Snapshot): Snapshot {
    const inconsistent = snapshot.consistent();
    if (inconsistent) throw inconsistent;
    const previous = this.#snapshots.get(nodeId);
    const versioned = snapshot.withVersions(this.#assignVersions(previous, snapshot));
    this.#snapshots.set(nodeId, versioned);
    this.#answerWatches(nodeId, previous, versioned);
    return versioned;
  }

  /** The node's current (versioned) snapshot. */
  getSnapshot(nodeId: string): Snapshot | undefined {
    return this.#snapshots.get(nodeId);
  }

  /** Forgets the node's snapshot (its proxy is gone). Open watches stay open and wait for a new one. */
  clearSnapshot(nodeId: string): void {
    this.#snapshots.delete(nodeId);
  }

  /** Snapshots and nodes with open watches (leak tests). */
  sizes(): { snapshots: number; watchedNodes: number } {
    return { snapshots: this.#snapshots.size, watchedNodes: this.#watches.size };
  }

  /** Node ids that have a snapshot. */
  nodeIds(): string[] {
    return [...this.#snapshots.keys()];
  }

  /** Open watches, of one node or of all nodes (for tests and metrics). */
  watchCount(nodeId?: string): number {
    let count = 0;
    const nodes = nodeId === undefined ? [...this.#watches.values()] : [this.#watches.get(nodeId) ?? new Map()];
    for (const byType of nodes) for (const set of byType.values()) count += set.size;
    return count;
  }

  createWatch(request: WatchRequest, respond: (response: WatchResponse) => void): CancelWatch {
    const snapshot = this.#snapshots.get(request.nodeId);
    const response = snapshot && sotwResponse(snapshot, request);
    if (response) {
      respond(response);
      return noop;
    }
    return this.#addWatch(request.nodeId, request.typeUrl, { kind: 'sotw', request, respond });
  }

  createDeltaWatch(
    request: DeltaWatchRequest,
    state: DeltaSubscription,
    respond: (response: DeltaWatchResponse) => void,
  ): CancelWatch {
    const snapshot = this.#snapshots.get(request.nodeId);
    const response = snapshot && deltaResponse(snapshot, request.typeUrl, state);
    if (response) {
      respond(response);
      return noop;
    }
    if (snapshot?.has(request.typeUrl)) this.#onDeltaUpToDate?.(request.nodeId, request.typeUrl, snapshot.version(request.typeUrl));
    return this.#addWatch(request.nodeId, request.typeUrl, { kind: 'delta', request, state, respond });
  }

  #newVersion(): string {
    this.#versionCounter += 1;
    return `${this.#versionPrefix}${this.#versionCounter}`;
  }

  #assignVersions(previous: Snapshot | undefined, next: Snapshot): Map<string, string> {
    const versions = new Map<string, string>();
    for (const typeUrl of next.typeUrls()) {
      const old = previous?.version(typeUrl) ?? '';
      const same = old !== '' && sameResources(previous!.resources(typeUrl), next.resources(typeUrl));
      versions.set(typeUrl, same ? old : this.#newVersion());
    }
    if (
      previous &&
      versions.get(CLUSTER_TYPE_URL) !== previous.version(CLUSTER_TYPE_URL) &&
      versions.get(ENDPOINT_TYPE_URL) === previous.version(ENDPOINT_TYPE_URL)
    ) {
      versions.set(ENDPOINT_TYPE_URL, this.#newVersion());
    }
    return versions;
  }

  #answerWatches(nodeId: string, previous: Snapshot | undefined, snapshot: Snapshot): void {
    const byType = this.#watches.get(nodeId);
    if (!byType) return;
    // snapshot.typeUrls() is in ADS order, so responses due together go out CDS, EDS, LDS, RDS, SDS.
    for (const typeUrl of snapshot.typeUrls()) {
      const watches = byType.get(typeUrl);
      if (!watches) continue;
      // An open watch found nothing to send in the previous snapshot; equal contents still have nothing.
      if (previous?.has(typeUrl) && previous.version(typeUrl) === snapshot.version(typeUrl)) continue;
      for (const watch of [...watches]) {
        if (watch.kind === 'sotw') {
          const response = sotwResponse(snapshot, watch.request);
          if (!response) continue;
          watches.delete(watch);
          watch.respond(response);
        } else {
          const response = deltaResponse(snapshot, typeUrl, watch.state);
          if (!response) {
            this.#onDeltaUpToDate?.(nodeId, typeUrl, snapshot.version(typeUrl));
            continue;
          }
          watches.delete(watch);
          watch.respond(response);
        }
      }
      if (watches.size === 0) byType.delete(typeUrl);
    }
    if (byType.size === 0) this.#watches.delete(nodeId);
  }

  #addWatch(nodeId: string, typeUrl: string, watch: Watch): CancelWatch {
    if (nodeId === '') throw new KumaError('KUMA_INTERNAL', 'cannot watch xDS resources without a node id');
    let byType = this.#watches.get(nodeId);
    if (!byType) this.#watches.set(nodeId, (byType = new Map()));
    let set = byType.get(typeUrl);
    if (!set) byType.set(typeUrl, (set = new Set()));
    set.add(watch);
    return () => {
      const types = this.#watches.get(nodeId);
      const watches = types?.get(typeUrl);
      if (!watches?.delete(watch)) return;
      if (watches.size === 0) types!.delete(typeUrl);
      if (types!.size === 0) this.#watches.delete(nodeId);
    };
  }
}
