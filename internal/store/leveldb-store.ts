/**
 * The LevelDB store, the default on Universal. The whole state is loaded into
 * the shared index at open (reads never touch disk); every committed group of
 * transactions is one atomic LevelDB batch, so a crash leaves either all of
 * a transaction or none of it.
 *
 * Key layout: `r/<type>\0<mesh>\0<name>` -> JSON of the Resource.
 */
import { mkdirSync } from 'node:fs';
import { Level } from 'level';
import type { Resource, ResourceKey } from '../resources/model';
import { IndexedStore, type PersistOp } from './indexed-store';

const PREFIX = 'r/';

function dbKey(k: ResourceKey): string {
  return `${PREFIX}${k.type}\u0000${k.mesh}\u0000${k.name}`;
}

export class LevelDbStore extends IndexedStore {
  readonly kind = 'leveldb' as const;
  readonly path: string;
  #db: Level<string, string>;

  private constructor(path: string, db: Level<string, string>, now?: () => Date) {
    super(now);
    this.path = path;
    this.#db = db;
  }

  /** Opens (creating if needed) the database at `path` and loads it. */
  static async open(path: string, now?: () => Date): Promise<LevelDbStore> {
    mkdirSync(path, { recursive: true });
    const db = new Level<string, string>(path, { valueEncoding: 'utf8', keyEncoding: 'utf8' });
    try {
      await db.open();
    } catch (e) {
      const cause = (e as { cause?: Error }).cause?.message ?? (e as Error).message;
      if (/lock/i.test(cause)) {
        throw new Error(`the LevelDB store at ${path} is in use by another process (${cause}); stop it or set KUMA_STORE_LEVELDB_PATH to another folder`);
      }
      throw new Error(`cannot open the LevelDB store at ${path}: ${cause}`);
    }
    const store = new LevelDbStore(path, db, now);
    for await (const [, value] of db.iterator({ gte: PREFIX, lt: `${PREFIX}\uffff` })) {
      store.load(JSON.parse(value) as Resource);
    }
    return store;
  }

  protected async persist(ops: PersistOp[]): Promise<void> {
    await this.#db.batch(
      ops.map((o) =>
        o.kind === 'put'
          ? { type: 'put' as const, key: dbKey(o.resource), value: JSON.stringify(o.resource) }
          : { type: 'del' as const, key: dbKey(o.key) },
      ),
    );
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#db.close();
  }
}
