/**
 * Pure response computations of the snapshot cache: what a SotW or Delta watch is answered with
 * for a given snapshot, or undefined when there is nothing to send yet.
 */
import type { DeltaSubscription, DeltaWatchResponse, WatchRequest, WatchResponse } from './cache';
import { CLUSTER_TYPE_URL, LISTENER_TYPE_URL, WILDCARD } from './resource-types';
import type { Snapshot, SnapshotResource } from './snapshot';

/**
 * Whether a request's names ask for every resource of the type: "*" for any type, or no names at
 * all for LDS and CDS (the legacy wildcard). For the other types no names means no resources:
 * that is how Envoy unsubscribes from its last EDS/RDS/SDS name.
 * https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#how-the-client-specifies-what-resources-to-return
 */
export function isWildcardRequest(typeUrl: string, names: readonly string[]): boolean {
  return names.includes(WILDCARD) || (names.length === 0 && LEGACY_WILDCARD_TYPES.has(typeUrl));
}

const LEGACY_WILDCARD_TYPES: ReadonlySet<string> = new Set([LISTENER_TYPE_URL, CLUSTER_TYPE_URL]);

/** As go-control-plane's `respond` + `createResponse` (pkg/cache/v3/simple.go). */
export function sotwResponse(snapshot: Snapshot, request: WatchRequest): WatchResponse | undefined {
  const { typeUrl } = request;
  if (!snapshot.has(typeUrl)) return undefined;
  const version = snapshot.version(typeUrl);
  const all = snapshot.resources(typeUrl);
  const wildcard = isWildcardRequest(typeUrl, request.resourceNames);
  // Subscribed to nothing (Envoy dropped its last EDS/RDS/SDS name): there is nothing to send.
  if (!wildcard && request.resourceNames.length === 0) return undefined;
  if (version === request.versionInfo) {
    const delivered = request.delivered;
    if (wildcard || delivered === 'all') return undefined;
    if (!request.resourceNames.some((name) => all.has(name) && !delivered.has(name))) return undefined;
  }
  let resources: SnapshotResource[];
  if (wildcard) {
    resources = [...all.values()];
  } else {
    resources = [];
    for (const name of new Set(request.resourceNames)) {
      const r = all.get(name);
      if (r) resources.push(r);
    }
  }
  return { typeUrl, version, resources };
}

/** As go-control-plane's `createDeltaResponse` (pkg/cache/v3/delta.go), plus the send rule. */
export function deltaResponse(snapshot: Snapshot, typeUrl: string, state: DeltaSubscription): DeltaWatchResponse | undefined {
  if (!snapshot.has(typeUrl)) return undefined;
  const all = snapshot.resources(typeUrl);
  const changed: SnapshotResource[] = [];
  const removed: string[] = [];
  let nextKnown: ReadonlyMap<string, { readonly version: string }>;
  if (state.wildcard) {
    for (const r of all.values()) {
      if (state.known.get(r.name)?.version !== r.version) changed.push(r);
    }
    for (const name of state.known.keys()) {
      if (!all.has(name)) removed.push(name);
    }
    // The client ends up with exactly the snapshot's resources: share the snapshot's map instead of
    // copying it, which keeps the per-stream state of wildcard subscriptions at one pointer.
    nextKnown = all;
  } else {
    const next = new Map<string, SnapshotResource>();
    for (const name of state.subscribed) {
      const r = all.get(name);
      if (r) {
        next.set(name, r);
        if (state.known.get(name)?.version !== r.version) changed.push(r);
      } else if (state.known.has(name)) {
        removed.push(name);
      }
    }
    nextKnown = next;
  }
  // Envoy finishes initializing a wildcard type only after a first response, even an empty one.
  if (changed.length === 0 && removed.length === 0 && !(state.wildcard && state.first)) return undefined;
  return { typeUrl, systemVersion: snapshot.version(typeUrl), resources: changed, removed, nextKnown };
}
