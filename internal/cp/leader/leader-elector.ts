/**
 * Who runs the singleton work of a CP cluster. LevelDB and memory stores have
 * one instance by construction (AlwaysLeader); PostgreSQL instances elect one
 * with an advisory lock (pg-leader-elector.ts).
 */
export interface LeaderElector {
  isLeader(): boolean;
  /** Called on every change of leadership of this instance; returns the unsubscribe. */
  onChange(fn: (leader: boolean) => void): () => void;
  /** Starts electing; resolves after the first attempt (leader or not). */
  start(): Promise<void>;
  /** Gives leadership up (releasing it for the others) and stops. */
  stop(): Promise<void>;
}

export class AlwaysLeader implements LeaderElector {
  #leader = false;
  readonly #fns = new Set<(leader: boolean) => void>();

  isLeader(): boolean {
    return this.#leader;
  }

  onChange(fn: (leader: boolean) => void): () => void {
    this.#fns.add(fn);
    return () => this.#fns.delete(fn);
  }

  async start(): Promise<void> {
    this.#leader = true;
    for (const fn of this.#fns) fn(true);
  }

  async stop(): Promise<void> {
    if (!this.#leader) return;
    this.#leader = false;
    for (const fn of this.#fns) fn(false);
  }
}
