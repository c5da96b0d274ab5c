/**
 * Kuma's MeteredStore: the `store` histogram (seconds, by operation and
 * resource_type) and `store_conflicts` around a ResourceStore. Writes and
 * lists are timed; `get` is an in-memory map lookup called in the hottest
 * loops, so timing it would cost more than it does and it is not metered.
 */
import { ConflictError } from '../errors';
import type { Resource, ResourceInput, ResourceKey } from '../resources/model';
import type { ListOptions, ListResult, ResourceStore, StoreListener, WriteOp } from '../store/resource-store';
import type { CpMetrics } from './cp-metrics';

type Operation = 'create' | 'update' | 'delete' | 'list';

interface Observer {
  observe(v: number): void;
}

export class MeteredStore implements ResourceStore {
  readonly #inner: ResourceStore;
  readonly #m: CpMetrics;
  /** operation -> resource_type -> bound histogram child. */
  readonly #children = new Map<Operation, Map<string, Observer>>();

  constructor(inner: ResourceStore, metrics: CpMetrics) {
    this.#inner = inner;
    this.#m = metrics;
  }

  get kind(): ResourceStore['kind'] {
    return this.#inner.kind;
  }

  /** The wrapped store (for code that needs its concrete type). */
  get inner(): ResourceStore {
    return this.#inner;
  }

  get(key: ResourceKey): Resource | undefined {
    return this.#inner.get(key);
  }

  list(type: string, opts?: ListOptions): ListResult {
    const t0 = performance.now();
    const out = this.#inner.list(type, opts);
    this.#observe('list', type, t0);
    return out;
  }

  count(type: string, mesh?: string): number {
    return this.#inner.count(type, mesh);
  }

  async transact(ops: WriteOp[]): Promise<Resource[]> {
    const t0 = performance.now();
    try {
      return await this.#inner.transact(ops);
    } catch (e) {
      this.#conflict(e, ops.length === 1 ? typeOf(ops[0]!) : undefined);
      throw e;
    } finally {
      for (const op of ops) this.#observe(op.op, typeOf(op), t0);
    }
  }

  create(input: ResourceInput): Promise<Resource> {
    return this.#timed('create', input.type, () => this.#inner.create(input));
  }

  update(input: ResourceInput, version?: number): Promise<Resource> {
    return this.#timed('update', input.type, () => this.#inner.update(input, version));
  }

  delete(key: ResourceKey, version?: number): Promise<void> {
    return this.#timed('delete', key.type, () => this.#inner.delete(key, version));
  }

  watch(listener: StoreListener): () => void {
    return this.#inner.watch(listener);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async #timed<T>(op: Operation, type: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } catch (e) {
      this.#conflict(e, type);
      throw e;
    } finally {
      this.#observe(op, type, t0);
    }
  }

  #conflict(e: unknown, type: string | undefined): void {
    if (e instanceof ConflictError && type) this.#m.storeConflicts.labels(type).inc();
  }

  #observe(op: Operation, type: string, t0: number): void {
    let byType = this.#children.get(op);
    if (!byType) this.#children.set(op, (byType = new Map()));
    let child = byType.get(type);
    if (!child) byType.set(type, (child = this.#m.store.labels(op, type)));
    child.observe((performance.now() - t0) / 1000);
  }
}

function typeOf(op: WriteOp): string {
  return op.op === 'delete' ? op.key.type : op.resource.type;
}
