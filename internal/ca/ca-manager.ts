/**
 * Keeps every Mesh whose enabled mTLS backend is builtin supplied with its CA
 * secrets: on start for all meshes, then whenever a Mesh is created or
 * updated or one of its CA secrets is deleted. Each mesh's pair is written
 * in one transaction.
 *
 * Runs where the CA is born: the global CP and non-federated zones. A
 * federated zone receives the CA from the global over KDS, and two CAs for
 * one mesh would break cross-zone mTLS, so there `createCa` is false and the
 * manager does nothing (the wiring decides, as for every component).
 */
import { computeLabels, type LabelContext } from '../core/labels';
import { logger } from '../log/logger';
import type { Resource } from '../resources/model';
import { secret } from '../resources/types/secret';
import type { ResourceStore, StoreEvent } from '../store/resource-store';
import { ensureMeshCa } from './builtin-ca';

export interface CaManagerDeps {
  store: ResourceStore;
  /** For the labels of the CA secrets, as the API would compute them. */
  ctx: LabelContext;
  /** False on a federated zone: the CA comes from the global. */
  createCa: boolean;
  now?: () => Date;
}

const CA_SECRET = /^(.+)\.ca-builtin-(?:cert|key)-.+$/;

/** Starts the manager; the returned function stops it (pending work is dropped). */
export function startCaManager(deps: CaManagerDeps): () => void {
  const log = logger('ca');
  if (!deps.createCa) {
    log.debug('builtin CA creation is off (federated zone: the CA comes from the global)');
    return () => undefined;
  }
  const { store } = deps;
  const dirty = new Set<string>();
  let running = false;
  let stopped = false;

  const ensure = async (mesh: Resource) => {
    const ops = await ensureMeshCa(store, mesh, {
      labels: computeLabels(secret, mesh.name, {}, deps.ctx),
      now: deps.now?.() ?? new Date(),
    });
    // Generating keys yields the event loop: the Mesh may be gone, or another writer (KDS) may have won.
    if (ops.length === 0 || stopped || !store.get({ type: 'Mesh', mesh: '', name: mesh.name })) return;
    await store.transact(ops);
    log.info({ mesh: mesh.name, secrets: ops.map((o) => (o.op === 'delete' ? o.key.name : o.resource.name)) }, 'created the builtin CA of the mesh');
  };

  const drain = async () => {
    if (running) return;
    running = true;
    try {
      while (dirty.size && !stopped) {
        const name = dirty.values().next().value as string;
        dirty.delete(name);
        const mesh = store.get({ type: 'Mesh', mesh: '', name });
        if (!mesh) continue;
        try {
          await ensure(mesh);
        } catch (e) {
          // A conflict means someone else wrote the secrets first; anything else (a bad caCert.expiration) waits for the next Mesh change.
          log.warn({ err: e, mesh: name }, 'could not create the builtin CA of the mesh; will retry on the next change of the mesh');
        }
      }
    } finally {
      running = false;
    }
  };

  const onEvents = (events: StoreEvent[]) => {
    for (const e of events) {
      const r = e.resource;
      if (r.type === 'Mesh' && e.kind !== 'delete') dirty.add(r.name);
      else if (r.type === 'Secret' && e.kind === 'delete' && CA_SECRET.test(r.name)) dirty.add(r.mesh);
    }
    if (dirty.size) void drain();
  };

  const unwatch = store.watch(onEvents);
  for (const m of store.list('Mesh').items) dirty.add(m.name);
  void drain();
  return () => {
    stopped = true;
    unwatch();
  };
}
