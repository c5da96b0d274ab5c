/** The memory store: the shared index with nothing behind it (tests, KUMA_STORE_TYPE=memory). */
import { IndexedStore, type PersistOp } from './indexed-store';

export class MemoryStore extends IndexedStore {
  readonly kind = 'memory' as const;

  protected async persist(_ops: PersistOp[]): Promise<void> {
    // Nothing to write: the index is the state.
  }
}
