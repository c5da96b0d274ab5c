/**
 * Applies one received KDS batch to the local store: decode, adapt (pin to
 * the sending zone, or mark as from global), plan against the set this sync
 * owns, write in one transaction. A conflict with a concurrent local writer
 * is retried with fresh state; giving up is fatal (the stream reconnects and
 * resyncs).
 */
import { LABEL, type Resource } from '../resources/model';
import type { Registry } from '../resources/registry';
import type { ResourceStore } from '../store/resource-store';
import type { ReceivedBatch } from './delta-receiver';
import { markFromGlobal, pinToZone } from './mappers';
import { planSync } from './sync-plan';
import { decodeResource, type KdsResource } from './wire';

const CONFLICT_RETRIES = 3;

export interface ApplySide {
  /** Adapts a received resource before it is stored (drops a status the side does not keep). */
  adapt(r: KdsResource): KdsResource;
  /** Whether a stored resource belongs to this sync (a full state may delete it). */
  owns(r: Resource): boolean;
}

/** The global receiving from zone `zone`: it owns exactly that zone's copies, and keeps the status each came with. */
export function fromZoneSide(zone: string): ApplySide {
  return {
    adapt: (r) => pinToZone(r, zone),
    owns: (r) => r.labels[LABEL.zone] === zone && r.labels[LABEL.origin] === 'zone',
  };
}

/**
 * A zone receiving from the global: it owns every global-origin copy, never its local resources.
 * A status (Kuma's global sends a zero one) is dropped: a zone computes its own.
 */
export const fromGlobalSide: ApplySide = {
  adapt: ({ status: _dropped, ...r }) => markFromGlobal(r),
  owns: (r) => r.labels[LABEL.origin] === 'global',
};

export async function applyBatch(store: ResourceStore, registry: Registry, side: ApplySide, type: string, batch: ReceivedBatch): Promise<string[]> {
  const d = registry.byName(type);
  if (!d) return [`unknown resource type ${type}`];
  const rejected: string[] = [];
  const incoming: KdsResource[] = [];
  for (const w of batch.resources) {
    try {
      incoming.push(side.adapt(decodeResource(d, w)));
    } catch (e) {
      rejected.push((e as Error).message);
    }
  }
  for (let attempt = 0; ; attempt++) {
    const managed = store.list(type, { filter: side.owns }).items;
    const plan = planSync(d, managed, { full: batch.full, resources: incoming, removed: batch.removed }, (k) => store.get(k));
    try {
      if (plan.ops.length) await store.transact(plan.ops);
      return [...rejected, ...plan.rejected];
    } catch (e) {
      const code = (e as { code?: string }).code;
      const retriable = code === 'KUMA_CONFLICT' || code === 'KUMA_ALREADY_EXISTS' || code === 'KUMA_NOT_FOUND';
      if (!retriable || attempt >= CONFLICT_RETRIES) throw e;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
    }
  }
}
