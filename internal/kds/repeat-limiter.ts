/**
 * Keeps a retry loop from flooding the log: the first occurrence of an
 * error is loud, repeats are quiet, and a persisting error is loud again
 * once per `everyMs` (with how many repeats were quieted). Keyed, so a
 * server can limit per peer and reason; bounded, so a flood of distinct
 * keys cannot grow it without end.
 */
export type Verdict = { loud: true; quieted: number } | { loud: false };

const MAX_KEYS = 1_000;

export class RepeatLimiter {
  readonly #seen = new Map<string, { loudAt: number; quieted: number }>();

  constructor(readonly everyMs = 5 * 60_000) {}

  check(key: string, now = Date.now()): Verdict {
    const s = this.#seen.get(key);
    if (!s || now - s.loudAt >= this.everyMs) {
      if (!s && this.#seen.size >= MAX_KEYS) this.#seen.delete(this.#seen.keys().next().value!);
      this.#seen.set(key, { loudAt: now, quieted: 0 });
      return { loud: true, quieted: s?.quieted ?? 0 };
    }
    s.quieted++;
    return { loud: false };
  }

  /** The condition is over (e.g. the link connected): the next occurrence is loud again. */
  forget(key?: string): void {
    if (key === undefined) this.#seen.clear();
    else this.#seen.delete(key);
  }
}
