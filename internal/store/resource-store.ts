/**
 * The ResourceStore contract: the only shared state of the product. Both
 * implementations (memory, leveldb) pass test/unit/store/contract.ts.
 *
 * Guarantees:
 * - `transact` is atomic: every op is checked first; if one fails nothing is
 *   written and the error of the first failing op is thrown.
 * - Versions start at 1 and grow by 1 per update; an update or delete naming
 *   another version than the current one is a ConflictError.
 * - A promise resolved by a write means the write is durable (for leveldb: in
 *   the write-ahead log, so it survives the process being killed).
 * - Listeners see committed changes only, in commit order, after the write
 *   promise resolves.
 * - Lists are sorted by (mesh, name); `offset` is an index into the filtered list.
 */
import type { Resource, ResourceInput, ResourceKey } from '../resources/model';

export type WriteOp =
  | { op: 'create'; resource: ResourceInput }
  /** `version` is the version the writer read; a mismatch is a conflict. Omit to overwrite. */
  | { op: 'update'; resource: ResourceInput; version?: number }
  | { op: 'delete'; key: ResourceKey; version?: number };

export interface ListOptions {
  /** Only this mesh (mesh-scoped types); undefined = every mesh. */
  mesh?: string;
  /** Substring of the name. */
  nameContains?: string;
  /** Every label must be present with exactly this value. */
  labels?: Record<string, string>;
  /** Arbitrary extra predicate, applied after the others. */
  filter?: (r: Resource) => boolean;
  offset?: number;
  /** Page size; undefined = all. */
  size?: number;
}

export interface ListResult {
  items: Resource[];
  /** Count of all items matching the filters, not only this page. */
  total: number;
  /** Offset of the next page, or undefined on the last page. */
  nextOffset?: number;
}

export type StoreEventKind = 'create' | 'update' | 'delete';

export interface StoreEvent {
  kind: StoreEventKind;
  /** The new state; for deletes, the last state before deletion. */
  resource: Resource;
  /** For updates: the state it replaced (KDS uses it to retract a resource whose wire name moved). */
  previous?: Resource;
}

export type StoreListener = (events: StoreEvent[]) => void;

export interface ResourceStore {
  readonly kind: 'memory' | 'leveldb' | 'postgres';
  get(key: ResourceKey): Resource | undefined;
  list(type: string, opts?: ListOptions): ListResult;
  /** Number of resources of a type (optionally in one mesh). */
  count(type: string, mesh?: string): number;
  transact(ops: WriteOp[]): Promise<Resource[]>;
  create(input: ResourceInput): Promise<Resource>;
  update(input: ResourceInput, version?: number): Promise<Resource>;
  delete(key: ResourceKey, version?: number): Promise<void>;
  /** Subscribes to committed changes; each call gets the events of one transaction. Returns the unsubscribe. */
  watch(listener: StoreListener): () => void;
  close(): Promise<void>;
}
