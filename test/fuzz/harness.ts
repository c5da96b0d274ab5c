/**
 * Shared machinery of the fuzz targets: the budget (runs, seed), one counter
 * per target, a bounded case runner, crash detection and the store dump the
 * "rejected input changes nothing" property compares.
 *
 * Cases are drawn with fc.sample from a fixed seed and all run (no stop at the
 * first failure) so a target reports how many cases failed and of which kind.
 */
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { registry } from '../../internal/resources/types/index';
import type { ResourceStore } from '../../internal/store/resource-store';

/** CI runs a small count; `npm run fuzz` (scripts/fuzz.mjs) sets FUZZ_RUNS=10000. */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
export const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
/** Every case must finish within this; a longer one is a hang and a failure. */
export const CASE_TIMEOUT_MS = 5_000;

/** A vitest timeout for a target of `runs` cases that each take about `msPerCase`. */
export function targetTimeout(msPerCase: number, runs = RUNS): number {
  return 60_000 + runs * msPerCase;
}

export type Outcome = 'accepted' | 'rejected4xx' | 'streamError';

export interface TargetStats {
  target: string;
  runs: number;
  accepted: number;
  rejected4xx: number;
  streamErrors: number;
  failures: number;
}

export class Target {
  readonly stats: TargetStats;
  /** First failures per case kind, for the assertion message. */
  readonly failed = new Map<string, string[]>();

  constructor(name: string) {
    this.stats = { target: name, runs: 0, accepted: 0, rejected4xx: 0, streamErrors: 0, failures: 0 };
  }

  count(o: Outcome): void {
    if (o === 'accepted') this.stats.accepted++;
    else if (o === 'rejected4xx') this.stats.rejected4xx++;
    else this.stats.streamErrors++;
  }

  fail(kind: string, input: unknown, why: string): void {
    this.stats.failures++;
    const list = this.failed.get(kind) ?? [];
    if (list.length < 3) list.push(`${why}\n    input: ${short(input)}`);
    this.failed.set(kind, list);
  }

  /** Runs every case of `arb` (fixed seed), each bounded by CASE_TIMEOUT_MS. */
  async run<T extends { kind: string }>(arb: fc.Arbitrary<T>, body: (c: T) => Promise<void>, runs = RUNS): Promise<void> {
    const cases = fc.sample(arb, { seed: SEED, numRuns: runs });
    for (const c of cases) {
      this.stats.runs++;
      const crashes = crashesSoFar.length;
      try {
        await withTimeout(body(c), CASE_TIMEOUT_MS, `case did not finish within ${CASE_TIMEOUT_MS} ms (hang)`);
      } catch (e) {
        this.fail(c.kind, c, (e as Error).message);
        continue;
      }
      if (crashesSoFar.length > crashes) this.fail(c.kind, c, `the control plane threw: ${crashesSoFar.slice(crashes).join('; ')}`);
    }
  }

  /** Writes the stats for scripts/fuzz.mjs and returns the failure report ('' when none). */
  finish(): string {
    if (process.env.FUZZ_STATS_FILE) appendFileSync(process.env.FUZZ_STATS_FILE, `${JSON.stringify(this.stats)}\n`);
    if (this.stats.failures === 0) return '';
    const lines = [`${this.stats.failures} of ${this.stats.runs} cases of ${this.stats.target} failed (seed ${SEED}):`];
    for (const [kind, list] of this.failed) lines.push(`- ${kind}:`, ...list.map((l) => `  ${l}`));
    return lines.join('\n');
  }
}

function short(v: unknown): string {
  const s = JSON.stringify(v, (_k, x) => (typeof x === 'string' && x.length > 200 ? `${x.slice(0, 200)}...(${x.length} chars)` : x instanceof Uint8Array ? `<${x.length} bytes>` : x));
  return s.length > 600 ? `${s.slice(0, 600)}...` : s;
}

export async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Errors nobody caught while the CP ran in this process: a crash of a real CP. */
const crashesSoFar: string[] = [];
process.on('uncaughtException', (e) => crashesSoFar.push(`uncaught ${e.message}`));
process.on('unhandledRejection', (e) => crashesSoFar.push(`unhandled rejection ${(e as Error)?.message ?? String(e)}`));

/**
 * What a whole CP computes by itself (insights about connections and traffic, the VIPs of the
 * mesh's services): left out of the dumps of the targets that run a whole CP, where these are
 * written on their own schedule. The API targets run no such writer and dump everything.
 */
export const DERIVED_TYPES: ReadonlySet<string> = new Set([...registry.all().filter((d) => d.name.endsWith('Insight')).map((d) => d.name), 'VipAllocation']);
/** Types outside the registry that a CP stores. */
const INTERNAL_TYPES = ['Config', 'VipAllocation'];

export type Dump = Map<string, string>;

/** Every stored resource, key -> its content and version. */
export function dumpStore(store: ResourceStore, skip: ReadonlySet<string> = new Set()): Dump {
  const dump: Dump = new Map();
  for (const type of [...registry.all().map((d) => d.name), ...INTERNAL_TYPES]) {
    if (skip.has(type)) continue;
    for (const r of store.list(type).items) dump.set(`${r.type}/${r.mesh}/${r.name}`, JSON.stringify({ v: r.version, labels: r.labels, spec: r.spec }));
  }
  return dump;
}

/** Keys that differ between two dumps ("type/mesh/name"). */
export function changedKeys(before: Dump, after: Dump): string[] {
  const out: string[] = [];
  for (const [k, v] of before) if (after.get(k) !== v) out.push(k);
  for (const k of after.keys()) if (!before.has(k)) out.push(k);
  return out;
}

export function expectUnchanged(before: Dump, after: Dump, what: string): void {
  const changed = changedKeys(before, after);
  if (changed.length) throw new Error(`${what} changed the store: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ` and ${changed.length - 5} more` : ''}`);
}
