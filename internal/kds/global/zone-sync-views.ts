/**
 * The global's live global->zone sessions as the propagation view needs
 * them: per connected zone, what its sender sent and how the zone answered,
 * and how a record is named and filtered for that zone. The KDS server
 * attaches a session when a zone connects and detaches it when it goes, so
 * nothing of a zone outlives its stream.
 */
import type { Resource } from '../../resources/model';
import type { ResourceDescriptor } from '../../resources/registry';
import type { Delivery } from '../delivery-ledger';

export interface ZoneSyncView {
  readonly connectedAtMs: number;
  /** Whether the zone subscribed to the type (it subscribes to all it knows once connected). */
  subscribed(type: string): boolean;
  delivery(type: string, wireName: string): Delivery | undefined;
  /** The record as this zone would get it: its wire name and content version, or why it does not cross. */
  encodingFor(d: ResourceDescriptor, r: Resource): { wireName: string; version: string } | { filtered: true } | { unencodable: true };
}

export class ZoneSyncViews {
  readonly #views = new Map<string, ZoneSyncView>();

  /** Returns the detach; a newer session of the zone replaces an older one, whose detach then does nothing. */
  attach(zone: string, view: ZoneSyncView): () => void {
    this.#views.set(zone, view);
    return () => {
      if (this.#views.get(zone) === view) this.#views.delete(zone);
    };
  }

  get(zone: string): ZoneSyncView | undefined {
    return this.#views.get(zone);
  }

  get size(): number {
    return this.#views.size;
  }
}
