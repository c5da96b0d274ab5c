#!/usr/bin/env node
/**
 * `npm run fuzz [-- RUNS]`: the fuzz suite of test/fuzz with RUNS cases per
 * target (default 10000; CI runs the same files with the small default of
 * test/fuzz/harness.ts), then one JSON line per target:
 * {target, runs, accepted, rejected4xx, streamErrors, failures}.
 * FUZZ_SEED changes the fixed seed. Exit code: vitest's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = process.argv[2] ?? process.env.FUZZ_RUNS ?? '10000';
if (!/^\d+$/.test(runs)) {
  console.error(`usage: npm run fuzz [-- RUNS]; RUNS must be a number, got "${runs}"`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'kuma-fuzz-'));
const statsFile = join(dir, 'stats.jsonl');
const started = Date.now();
const r = spawnSync('npx', ['vitest', 'run', 'test/fuzz'], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, FUZZ_RUNS: runs, FUZZ_STATS_FILE: statsFile } });
let lines = [];
try {
  lines = readFileSync(statsFile, 'utf8').trim().split('\n').filter(Boolean);
} catch {
  // No target finished: vitest's output above says why.
}
const stats = lines.map((l) => JSON.parse(l)).sort((a, b) => a.target.localeCompare(b.target));
console.log(`fuzz: ${runs} cases per target, seed ${process.env.FUZZ_SEED ?? 'fixed'}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`[\n${stats.map((s) => `  ${JSON.stringify(s)}`).join(',\n')}\n]`);
rmSync(dir, { recursive: true, force: true });
process.exit(r.status ?? 1);
