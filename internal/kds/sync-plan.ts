/**
 * The receiving side of KDS as a pure plan: given what is stored (the set this
 * sync manages) and what arrived, the store writes that make them equal.
 * A full state (the first response after a (re)connect) also deletes what is
 * no longer upstream; an incremental one touches only what it names. The
 * status a resource came with (kept only by the global, apply.ts) is its
 * synced-status record, written and deleted in the same transaction.
 */
import { isDeepStrictEqual } from 'node:util';
import { LABEL, type Resource, type Spec } from '../resources/model';
import { hasStatus, syncedStatusKey } from '../meshservice/synced-status';
import type { ResourceDescriptor } from '../resources/registry';
import type { WriteOp } from '../store/resource-store';
import { wireName, type KdsResource } from './wire';

export interface SyncBatch {
  full: boolean;
  resources: KdsResource[];
  /** Wire names (`<name>.<mesh>`) removed upstream (incremental only). */
  removed: string[];
}

export interface SyncPlan {
  ops: WriteOp[];
  /** Problems with single resources: they are skipped and reported in a NACK; the rest applies. */
  rejected: string[];
}

/**
 * @param managed the stored resources of this type this sync owns (e.g. on the global: those of the sending zone)
 * @param lookup  any stored resource by key, to detect collisions with resources this sync does not own
 */
export function planSync(d: ResourceDescriptor, managed: readonly Resource[], batch: SyncBatch, lookup: (k: { type: string; mesh: string; name: string }) => Resource | undefined): SyncPlan {
  const ops: WriteOp[] = [];
  const withStatus = hasStatus(d.name);
  /** Makes the status record of (mesh, name) hold `status` (none: no record). */
  const statusOps = (mesh: string, name: string, labels: Record<string, string>, status: Spec | undefined) => {
    if (!withStatus) return;
    const key = syncedStatusKey({ type: d.name, mesh, name });
    const cur = lookup(key);
    if (!status) {
      if (cur) ops.push({ op: 'delete', key, version: cur.version });
      return;
    }
    if (cur && isDeepStrictEqual(cur.spec.status, status)) return;
    // Labelled with the origin zone, so a Zone delete finds it with the zone's resources.
    const resource = { ...key, labels: { [LABEL.origin]: labels[LABEL.origin] ?? '', [LABEL.zone]: labels[LABEL.zone] ?? '' }, spec: { status } };
    ops.push(cur ? { op: 'update', resource, version: cur.version } : { op: 'create', resource });
  };
  const rejected: string[] = [];
  const owned = new Map(managed.map((r) => [wireName(r), r]));
  const seen = new Set<string>();
  for (const inc of batch.resources) {
    const key = wireName(inc);
    const mesh = d.scope === 'Mesh' ? inc.mesh : '';
    if (d.scope === 'Mesh' && !inc.mesh) {
      rejected.push(`${d.name} ${inc.name}: a mesh-scoped resource needs a mesh`);
      continue;
    }
    const violations = d.validate(inc.spec);
    if (violations.length) {
      rejected.push(`${d.name} ${key}: ${violations.map((v) => `${v.field}: ${v.message}`).join('; ')}`);
      continue;
    }
    seen.add(key);
    const cur = owned.get(key);
    if (!cur) {
      const other = lookup({ type: d.name, mesh, name: inc.name });
      if (other) {
        // A local resource of the same name wins (Kuma: name conflict for unhashed types is NACKed).
        rejected.push(`${d.name} ${key}: conflicts with a local resource of the same name; the local one is kept`);
        continue;
      }
      ops.push({ op: 'create', resource: { type: d.name, mesh, name: inc.name, labels: inc.labels, spec: inc.spec } });
    } else if (!isDeepStrictEqual(cur.spec, inc.spec) || !isDeepStrictEqual(cur.labels, inc.labels)) {
      ops.push({ op: 'update', resource: { type: d.name, mesh, name: inc.name, labels: inc.labels, spec: inc.spec }, version: cur.version });
    }
    statusOps(mesh, inc.name, inc.labels, inc.status);
  }
  const gone = batch.full ? [...owned.keys()].filter((k) => !seen.has(k)) : batch.removed.filter((k) => owned.has(k));
  for (const k of gone) {
    const r = owned.get(k)!;
    ops.push({ op: 'delete', key: { type: r.type, mesh: r.mesh, name: r.name }, version: r.version });
    statusOps(r.mesh, r.name, r.labels, undefined);
  }
  return { ops, rejected };
}
