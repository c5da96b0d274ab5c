/**
 * Which connected proxies depend on which services: the reconciler records, per proxy it
 * generates, the kuma.io/services its outbounds reach, so a change to one service's endpoints
 * regenerates the proxies that reach it and nobody else. Everything else a proxy depends on is
 * either its own (Dataplane, identity) or the mesh's base hash, whose change concerns every proxy
 * of the mesh (MeshContext.baseHash).
 */
import { createHash } from 'node:crypto';
import type { MeshContext } from '../context/types';

export class ProxyInputIndex<P> {
  /** mesh -> service -> proxies reaching it. */
  readonly #byService = new Map<string, Map<string, Set<P>>>();
  /** proxy -> (mesh, services) as last recorded. */
  readonly #reached = new Map<P, { mesh: string; services: readonly string[] }>();

  /** Records what `proxy` reaches now (replacing what it reached before). */
  set(proxy: P, mesh: string, services: readonly string[]): void {
    this.remove(proxy);
    let bySvc = this.#byService.get(mesh);
    if (!bySvc) this.#byService.set(mesh, (bySvc = new Map()));
    for (const s of services) {
      let set = bySvc.get(s);
      if (!set) bySvc.set(s, (set = new Set()));
      set.add(proxy);
    }
    this.#reached.set(proxy, { mesh, services });
  }

  remove(proxy: P): void {
    const prev = this.#reached.get(proxy);
    if (!prev) return;
    this.#reached.delete(proxy);
    const bySvc = this.#byService.get(prev.mesh);
    if (!bySvc) return;
    for (const s of prev.services) {
      const set = bySvc.get(s);
      set?.delete(proxy);
      if (set?.size === 0) bySvc.delete(s);
    }
    if (bySvc.size === 0) this.#byService.delete(prev.mesh);
  }

  /** Proxies of `mesh` that reach any of `services`. */
  reaching(mesh: string, services: Iterable<string>, into: Set<P> = new Set()): Set<P> {
    const bySvc = this.#byService.get(mesh);
    if (!bySvc) return into;
    for (const s of services) for (const p of bySvc.get(s) ?? []) into.add(p);
    return into;
  }

  /** Proxies recorded (leak tests). */
  get size(): number {
    return this.#reached.size;
  }
}

/** Services whose hash differs between two MeshContexts (added and removed ones included). */
export function changedServices(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [s, h] of after) if (before.get(s) !== h) out.push(s);
  for (const s of before.keys()) if (!after.has(s)) out.push(s);
  return out;
}

/**
 * The hash of one sidecar's inputs: the mesh base, its own Dataplane (digest), identity serial,
 * ports, and the hash of every service it reaches. Equal hashes mean equal config.
 */
export function proxyInputHash(ctx: MeshContext, parts: { dataplaneDigest: string; serial: string; adminPort: number; dnsPort: number; services: readonly string[] }): string {
  const h = createHash('sha256').update(`${ctx.baseHash}\n${parts.dataplaneDigest}\n${parts.serial}\n${parts.adminPort}\n${parts.dnsPort}`);
  for (const s of parts.services) h.update(`\n${s}=${ctx.serviceHashes.get(s) ?? '-'}`);
  return h.digest('hex');
}
