/**
 * Per-MeshContext memo tables. Resources that are the same for every proxy of the mesh (a
 * service's endpoints, a cluster with identical settings) are built once per MeshContext and shared
 * (docs: DESIGN.md "built and protobuf-encoded once per MeshContext"). A MeshContext is immutable
 * and replaced on every change, so a WeakMap keyed by it never serves stale entries and lets old
 * tables be collected with their context.
 *
 * Memoized messages are shared: nothing downstream may mutate a generated message.
 */
import type { Cluster } from '../../../proto/gen/envoy/config/cluster/v3/cluster';
import type { Listener } from '../../../proto/gen/envoy/config/listener/v3/listener';
import type { ClusterLoadAssignment } from '../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import type { MeshContext } from '../context/types';

export interface MeshMemo {
  /** ClusterLoadAssignment by cluster name + subset key. */
  readonly loadAssignments: Map<string, ClusterLoadAssignment>;
  /**
   * Outbound clusters by cluster name, each with the inputs it was built from: a proxy whose inputs
   * equal one of them (sameValue) shares that cluster. Usually one entry per name.
   */
  readonly clusters: Map<string, { inputs: unknown; cluster: Cluster }[]>;
  /**
   * Outbound listeners by listener name, destination service and client tags, each with the inputs
   * it was built from (including what listener policies contributed for the proxy): a proxy whose
   * inputs equal one of them (sameValue) shares that listener.
   */
  readonly listeners: Map<string, { inputs: unknown; listener: Listener }[]>;
  /** Inbound application clusters (`localhost:<port>`) by name, with their inputs. */
  readonly inboundClusters: Map<string, { inputs: unknown; cluster: Cluster }[]>;
}

export type SidecarMemo = WeakMap<MeshContext, MeshMemo>;

const shared: SidecarMemo = new WeakMap();

/** A fresh memo store (tests, or a reconciler that wants its own lifetime). */
export function createSidecarMemo(): SidecarMemo {
  return new WeakMap();
}

/** The memo tables of a MeshContext in `store` (the process-wide store by default). */
export function meshMemo(ctx: MeshContext, store: SidecarMemo = shared): MeshMemo {
  let m = store.get(ctx);
  if (!m) store.set(ctx, (m = { loadAssignments: new Map(), clusters: new Map(), listeners: new Map(), inboundClusters: new Map() }));
  return m;
}

/**
 * Structural equality of plain data (objects, arrays, primitives), without serializing: the memo
 * compares a proxy's cluster inputs against the few built before, in the hottest loop.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  // Packed typed configs (Any.value) are bytes: compare them as such, not index by index.
  if (a instanceof Uint8Array || b instanceof Uint8Array) return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let n = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    n++;
    if (!sameValue(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) n--;
  return n === 0;
}
