/**
 * The contract between the xDS cache and the ADS server, as go-control-plane's
 * `ConfigWatcher` (pkg/cache/v3/cache.go): the server asks for a watch, the cache answers it
 * once with a response when there is something to send, and the server cancels watches it no
 * longer needs.
 *
 * The cache owns resources and versions; the server owns streams, nonces and subscriptions. A
 * watch answers exactly one response, so a stream has at most one response per type in flight and
 * opens the next watch only when the client has answered (ACK/NACK). That is the flow control.
 */
import type { SnapshotResource } from './snapshot';

/** Removes a watch; calling it after the watch was answered, or twice, does nothing. */
export type CancelWatch = () => void;

/** What a State-of-the-World stream wants for one type. */
export interface WatchRequest {
  /** Envoy node id (Kuma: `<mesh>.<dataplane name>`). */
  readonly nodeId: string;
  readonly typeUrl: string;
  /**
   * The version the client has. The server passes the `version_info` of an ACK, and the version
   * it sent on a NACK, so a rejected version is not sent again (no NACK loop).
   */
  readonly versionInfo: string;
  /** `resource_names`; empty, or containing "*", means every resource of the type. */
  readonly resourceNames: readonly string[];
  /**
   * Names this stream sent at `versionInfo`, or 'all' after a wildcard response (everything the
   * snapshot held at that version). A requested name outside it that the snapshot has is answered
   * even though the version is unchanged: Envoy received a new listener and now asks for its
   * route. A new stream has sent nothing (empty set), so a client resuming at its version_info
   * gets the names it asks for again, as in go-control-plane; a wildcard request is not resent.
   */
  readonly delivered: ReadonlySet<string> | 'all';
}

export interface WatchResponse {
  readonly typeUrl: string;
  readonly version: string;
  /** The requested resources (every resource of the type for a wildcard request). */
  readonly resources: readonly SnapshotResource[];
}

/** What a Delta stream wants for one type: the subscription and what the client has. */
export interface DeltaSubscription {
  /** Subscribed to every resource of the type ("*", or the legacy empty first subscribe). */
  readonly wildcard: boolean;
  /** Names subscribed explicitly. */
  readonly subscribed: ReadonlySet<string>;
  /** What the client has: name -> version (from initial_resource_versions and what was sent). */
  readonly known: ReadonlyMap<string, { readonly version: string }>;
  /** Nothing was sent for this type on this stream yet. */
  readonly first: boolean;
}

export interface DeltaWatchRequest {
  readonly nodeId: string;
  readonly typeUrl: string;
}

export interface DeltaWatchResponse {
  readonly typeUrl: string;
  /** The type's snapshot version (`system_version_info`, informational in Delta). */
  readonly systemVersion: string;
  /** Added or changed resources. */
  readonly resources: readonly SnapshotResource[];
  /** Names the client has that are gone from the snapshot. */
  readonly removed: readonly string[];
  /** What the client has once it applies this response; the stream keeps it as `known`. */
  readonly nextKnown: ReadonlyMap<string, { readonly version: string }>;
}

export interface ConfigWatcher {
  /**
   * Answers `respond` once, when the snapshot for the node has a version of the type other than
   * `request.versionInfo` (or a requested name not yet delivered). It may answer before
   * returning, in which case the returned cancel does nothing.
   */
  createWatch(request: WatchRequest, respond: (response: WatchResponse) => void): CancelWatch;

  /**
   * Answers `respond` once, when the snapshot has resources the subscription covers that differ
   * from `state.known`, or the client has resources that are gone. A wildcard subscription's first
   * response is sent even when empty (Envoy waits for it to finish initializing). It may answer
   * before returning. The cache reads `state` when it answers, so the stream must not change it
   * while the watch is open (it cancels and re-creates the watch instead).
   */
  createDeltaWatch(
    request: DeltaWatchRequest,
    state: DeltaSubscription,
    respond: (response: DeltaWatchResponse) => void,
  ): CancelWatch;
}
