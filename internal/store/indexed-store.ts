/**
 * The semantics shared by both stores: an in-memory index that serves every
 * read, and a write path that validates transactions against it, hands the
 * committed ops to `persist`, then applies them and notifies listeners.
 *
 * Writes are group-committed: transactions queued while a persist is running
 * go to disk together in the next single batch. Each is still checked on its
 * own against the state that includes the ones before it, so one bad
 * transaction never sinks its neighbours.
 */
import { AlreadyExistsError, ConflictError, NotFoundError } from '../errors';
import { keyString, type Resource, type ResourceInput, type ResourceKey } from '../resources/model';
import type { ListOptions, ListResult, ResourceStore, StoreEvent, StoreListener, WriteOp } from './resource-store';

/** A change to persist: the full new record, or a deletion of a key. */
export type PersistOp = { kind: 'put'; resource: Resource } | { kind: 'del'; key: ResourceKey };

/** A queued transaction of a group commit. */
export interface Pending {
  ops: WriteOp[];
  resolve: (r: Resource[]) => void;
  reject: (e: unknown) => void;
}

/**
 * One type's records: by id for gets, and kept sorted by (mesh, name) for lists. An update
 * replaces the record at its binary-searched position and a create or delete splices one slot,
 * so a write costs O(log N) comparisons, never a scan (insights are rewritten every 500 ms).
 * Records loaded from disk are sorted once, on the first list.
 */
class TypeIndex {
  readonly byId = new Map<string, Resource>();
  readonly #perMesh = new Map<string, number>();
  #sorted: Resource[] | null = null;

  set(r: Resource): void {
    const key = id(r);
    const had = this.byId.has(key);
    this.byId.set(key, r);
    if (!had) this.#perMesh.set(r.mesh, (this.#perMesh.get(r.mesh) ?? 0) + 1);
    if (!this.#sorted) return;
    const at = lowerBound(this.#sorted, r.mesh, r.name);
    if (had) this.#sorted[at] = r;
    else this.#sorted.splice(at, 0, r);
  }

  del(k: ResourceKey): void {
    if (!this.byId.delete(id(k))) return;
    const n = (this.#perMesh.get(k.mesh) ?? 1) - 1;
    if (n > 0) this.#perMesh.set(k.mesh, n);
    else this.#perMesh.delete(k.mesh);
    if (this.#sorted) this.#sorted.splice(lowerBound(this.#sorted, k.mesh, k.name), 1);
  }

  count(mesh?: string): number {
    return mesh === undefined ? this.byId.size : (this.#perMesh.get(mesh) ?? 0);
  }

  sorted(): Resource[] {
    if (!this.#sorted) this.#sorted = [...this.byId.values()].sort((a, b) => compareKey(a, b.mesh, b.name));
    return this.#sorted;
  }

  /** The slice of sorted() holding `mesh`'s records: [from, to). */
  meshRange(mesh: string): [number, number] {
    const all = this.sorted();
    return [lowerBound(all, mesh, ''), lowerBound(all, mesh + '\u0000', '')];
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKey(r: Resource, mesh: string, name: string): number {
  return r.mesh === mesh ? cmp(r.name, name) : cmp(r.mesh, mesh);
}

/** First position whose (mesh, name) is not below the given one. */
function lowerBound(all: Resource[], mesh: string, name: string): number {
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKey(all[mid]!, mesh, name) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function id(k: { mesh: string; name: string }): string {
  return `${k.mesh}\u0000${k.name}`;
}

export abstract class IndexedStore implements ResourceStore {
  abstract readonly kind: 'memory' | 'leveldb' | 'postgres';
  readonly #types = new Map<string, TypeIndex>();
  readonly #listeners = new Set<StoreListener>();
  #queue: Pending[] = [];
  #writing = false;
  protected closed = false;
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /** Durably writes one batch; a rejection fails every transaction in it. */
  protected abstract persist(ops: PersistOp[]): Promise<void>;

  /** Puts a record into the index without persisting it (used when loading from disk). */
  protected load(r: Resource): void {
    this.#index(r.type).set(r);
  }

  /**
   * Hook for stores whose writes are decided outside this process (postgres:
   * another instance, or this one through the database): puts one committed
   * transaction's changes into the index and notifies listeners.
   */
  protected applyCommitted(events: StoreEvent[]): void {
    for (const ev of events) {
      if (ev.kind === 'delete') this.#types.get(ev.resource.type)?.del(ev.resource);
      else this.#index(ev.resource.type).set(ev.resource);
    }
    if (events.length > 0) this.#emit(events);
  }

  /** Hook: every indexed record (a full resync diffs the database against it). */
  protected *indexedResources(): Iterable<Resource> {
    for (const t of this.#types.values()) yield* t.byId.values();
  }

  #index(type: string): TypeIndex {
    let t = this.#types.get(type);
    if (!t) {
      t = new TypeIndex();
      this.#types.set(type, t);
    }
    return t;
  }

  get(key: ResourceKey): Resource | undefined {
    return this.#types.get(key.type)?.byId.get(id(key));
  }

  count(type: string, mesh?: string): number {
    return this.#types.get(type)?.count(mesh) ?? 0;
  }

  list(type: string, opts: ListOptions = {}): ListResult {
    const t = this.#types.get(type);
    const all = t?.sorted() ?? [];
    // Sorted by mesh first: a mesh's records are one contiguous slice.
    const [from, to] = t && opts.mesh !== undefined ? t.meshRange(opts.mesh) : [0, all.length];
    const labelEntries = opts.labels ? Object.entries(opts.labels) : [];
    const matches = (r: Resource) =>
      (opts.mesh === undefined || r.mesh === opts.mesh) &&
      (!opts.nameContains || r.name.includes(opts.nameContains)) &&
      labelEntries.every(([k, v]) => r.labels[k] === v) &&
      (!opts.filter || opts.filter(r));
    const offset = opts.offset ?? 0;
    const size = opts.size ?? Number.POSITIVE_INFINITY;
    const items: Resource[] = [];
    let total = 0;
    for (let i = from; i < to; i++) {
      const r = all[i]!;
      if (!matches(r)) continue;
      if (total >= offset && items.length < size) items.push(r);
      total++;
    }
    const end = offset + items.length;
    return { items, total, nextOffset: end < total ? end : undefined };
  }

  async create(input: ResourceInput): Promise<Resource> {
    return (await this.transact([{ op: 'create', resource: input }]))[0]!;
  }

  async update(input: ResourceInput, version?: number): Promise<Resource> {
    return (await this.transact([{ op: 'update', resource: input, version }]))[0]!;
  }

  async delete(key: ResourceKey, version?: number): Promise<void> {
    await this.transact([{ op: 'delete', key, version }]);
  }

  transact(ops: WriteOp[]): Promise<Resource[]> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ ops, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        await this.commitGroup(batch);
      }
    } finally {
      this.#writing = false;
    }
  }

  /** Commits one group of queued transactions (one at a time; a store that decides writes elsewhere overrides it). */
  protected async commitGroup(group: Pending[]): Promise<void> {
    // Overlay of this group's effects so later transactions see earlier ones.
    const overlay = new Map<string, Resource | null>();
    const lookup = (k: ResourceKey): Resource | undefined => {
      const ok = `${k.type}\u0000${id(k)}`;
      if (overlay.has(ok)) return overlay.get(ok) ?? undefined;
      return this.get(k);
    };
    const accepted: { p: Pending; results: Resource[]; events: StoreEvent[]; persist: PersistOp[] }[] = [];
    const now = this.#now().toISOString();
    for (const p of group) {
      try {
        const local = new Map<string, Resource | null>();
        const localLookup = (k: ResourceKey) => {
          const ok = `${k.type}\u0000${id(k)}`;
          return local.has(ok) ? (local.get(ok) ?? undefined) : lookup(k);
        };
        const results: Resource[] = [];
        const events: StoreEvent[] = [];
        const persist: PersistOp[] = [];
        for (const op of p.ops) {
          if (op.op === 'delete') {
            const cur = localLookup(op.key);
            if (!cur) throw new NotFoundError(`resource not found: ${keyString(op.key)}`);
            if (op.version !== undefined && op.version !== cur.version) throw new ConflictError(`resource conflict: ${keyString(op.key)}`);
            local.set(`${op.key.type}\u0000${id(op.key)}`, null);
            events.push({ kind: 'delete', resource: cur });
            persist.push({ kind: 'del', key: { type: cur.type, mesh: cur.mesh, name: cur.name } });
            continue;
          }
          const inp = op.resource;
          const cur = localLookup(inp);
          let next: Resource;
          if (op.op === 'create') {
            if (cur) throw new AlreadyExistsError(`resource already exists: ${keyString(inp)}`);
            next = { type: inp.type, mesh: inp.mesh, name: inp.name, version: 1, creationTime: now, modificationTime: now, labels: inp.labels ?? {}, spec: inp.spec };
          } else {
            if (!cur) throw new NotFoundError(`resource not found: ${keyString(inp)}`);
            if (op.version !== undefined && op.version !== cur.version) throw new ConflictError(`resource conflict: ${keyString(inp)}`);
            next = { ...cur, version: cur.version + 1, modificationTime: now, labels: inp.labels ?? {}, spec: inp.spec };
          }
          local.set(`${inp.type}\u0000${id(inp)}`, next);
          results.push(next);
          events.push(op.op === 'update' ? { kind: 'update', resource: next, previous: cur! } : { kind: 'create', resource: next });
          persist.push({ kind: 'put', resource: next });
        }
        for (const [k, v] of local) overlay.set(k, v);
        accepted.push({ p, results, events, persist });
      } catch (e) {
        p.reject(e);
      }
    }
    if (accepted.length === 0) return;
    try {
      await this.persist(accepted.flatMap((a) => a.persist));
    } catch (e) {
      for (const a of accepted) a.p.reject(e);
      return;
    }
    for (const a of accepted) {
      for (const ev of a.events) {
        if (ev.kind === 'delete') this.#types.get(ev.resource.type)?.del(ev.resource);
        else this.#index(ev.resource.type).set(ev.resource);
      }
    }
    for (const a of accepted) {
      a.p.resolve(a.results);
      if (a.events.length > 0) this.#emit(a.events);
    }
  }

  #emit(events: StoreEvent[]): void {
    for (const l of this.#listeners) {
      try {
        l(events);
      } catch {
        // A failing listener must not break the writer or the other listeners.
      }
    }
  }

  watch(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.#writing) await new Promise((r) => setTimeout(r, 1));
  }
}
