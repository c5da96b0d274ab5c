#!/usr/bin/env node
// Two binaries' control plane start to /ready, alternating A, B, A, B... so both see the same
// machine (on a shared machine, runs minutes apart are not comparable). LevelDB store: a new one
// per run, or a copy of --seed DIR (a work dir: `store/` and the CP certificate) per run.
// Prints JSON: wall and CPU (user + system of the CP process until /ready) medians per binary.
//   node bench/startup-paired.mjs --a OLD/kuma --b dist/kuma [--runs 9] [--seed WORKDIR]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, median, round } from './foundation.mjs';

const { values: args } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string', default: join(import.meta.dirname, '..', 'dist', 'kuma') }, runs: { type: 'string', default: '9' }, seed: { type: 'string' } } });
if (!args.a) throw new Error('--a <binary> is required');

const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
};

async function startOnce(bin) {
  const work = mkdtempSync(join(tmpdir(), 'kuma-bench-paired-'));
  try {
    if (args.seed) execFileSync('cp', ['-a', `${args.seed}/.`, work]);
    const diag = await freePort();
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, KUMA_GENERAL_WORK_DIR: work, KUMA_API_SERVER_HTTP_PORT: String(await freePort()), KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1', KUMA_API_SERVER_HTTPS_PORT: String(await freePort()), KUMA_DIAGNOSTICS_SERVER_PORT: String(diag), KUMA_DP_SERVER_PORT: String(await freePort()) };
    const t0 = performance.now();
    const proc = spawn(bin, ['control-plane', 'run', '--log-level', 'off'], { env, stdio: 'ignore' });
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${bin} exited before it was ready`);
      try {
        const r = await fetch(`http://127.0.0.1:${diag}/ready`);
        await r.text();
        if (r.status === 200) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 2));
    }
    const run = { wallMs: performance.now() - t0, cpuMs: cpuMs(proc.pid) };
    await new Promise((r) => {
      proc.once('exit', r);
      proc.kill('SIGTERM');
    });
    return run;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// A free port can be taken by someone else before the CP binds it: try again.
async function start(bin) {
  for (let i = 0; ; i++) {
    try {
      return await startOnce(bin);
    } catch (e) {
      if (i >= 2) throw e;
    }
  }
}

await start(args.a); // warm: page cache, native addon extracted
await start(args.b);
const runs = { a: [], b: [] };
for (let i = 0; i < Number(args.runs); i++) {
  runs.a.push(await start(args.a));
  runs.b.push(await start(args.b));
}
const summary = (xs, bin) => ({ bin, wall_median_ms: round(median(xs.map((x) => x.wallMs))), cpu_median_ms: round(median(xs.map((x) => x.cpuMs))), walls_ms: xs.map((x) => Math.round(x.wallMs)) });
console.log(JSON.stringify({ load_average_1m: round(loadavg()[0], 2), seed: args.seed ?? 'new empty store', a: summary(runs.a, args.a), b: summary(runs.b, args.b) }, null, 2));
