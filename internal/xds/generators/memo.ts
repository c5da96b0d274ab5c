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
import type { ClusterLoadAssignment } from '../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import type { MeshContext } from '../context/types';

export interface MeshMemo {
  /** ClusterLoadAssignment by cluster name + subset key. */
  readonly loadAssignments: Map<string, ClusterLoadAssignment>;
  /** Outbound clusters by a key of every input that shapes them. */
  readonly clusters: Map<string, Cluster>;
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
  if (!m) store.set(ctx, (m = { loadAssignments: new Map(), clusters: new Map() }));
  return m;
}
