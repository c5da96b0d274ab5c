#!/usr/bin/env node
// `npm run bench:startup`: control plane start (spawn of dist/kuma) to /ready 200 on the
// diagnostics port, LevelDB store, median of several runs. Scenarios: an empty store (a new work
// dir each run: defaults, signing keys and the CP certificate are created), a restart of that
// store, and a restart of a store holding 10,000 Dataplanes (100 services). Prints JSON.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { freePort, median, round, startCp as startOnPorts } from './foundation.mjs';

/** CPU seconds (user + system, all threads) the process used so far: on a busy machine, steadier than wall time. */
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
};

// Every port free-picked (the HTTPS API too: other CPs may hold the default 5682).
const startCp = async (args = [], env = {}, work) => {
  const cp = await startOnPorts(args, { KUMA_API_SERVER_HTTPS_PORT: String(await freePort()), ...env }, work);
  cp.cpuMs = cpuMs(cp.proc.pid);
  return cp;
};

const RUNS = Number(process.env.STARTUP_RUNS ?? 7);
const RESOURCES = Number(process.env.STARTUP_RESOURCES ?? 10_000);

const dataplane = (i) => JSON.stringify({
  type: 'Dataplane', mesh: 'default', name: `dp-${i}`,
  networking: { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, inbound: [{ port: 8080, tags: { 'kuma.io/service': `svc-${i % 100}`, 'kuma.io/protocol': 'http' } }] },
});

async function putDataplanes(url, n, concurrency = 32) {
  const agent = new Agent({ connections: concurrency, pipelining: 1 });
  let i = 0;
  const worker = async () => {
    while (i < n) {
      const k = i++;
      const r = await request(`${url}/meshes/default/dataplanes/dp-${k}`, { method: 'PUT', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: dataplane(k) });
      await r.body.text();
      if (r.statusCode >= 300) throw new Error(`PUT dp-${k}: ${r.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await agent.close();
}

/** SIGTERM (LevelDB closes cleanly) and wait for the exit. */
const stop = (cp) => new Promise((resolve) => {
  if (cp.proc.exitCode !== null || cp.proc.signalCode !== null) return resolve();
  cp.proc.once('exit', resolve);
  cp.proc.kill('SIGTERM');
});

const summary = (runs) => {
  const xs = runs.map((r) => r.readyMs);
  return { median_ms: round(median(xs)), min_ms: round(Math.min(...xs)), max_ms: round(Math.max(...xs)), cpu_median_ms: round(median(runs.map((r) => r.cpuMs))), runs: xs.length };
};

async function restarts(work, runs) {
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const cp = await startCp([], {}, work);
    xs.push({ readyMs: cp.readyMs, cpuMs: cp.cpuMs });
    await stop(cp);
  }
  return xs;
}

// One start first, so the native addon is extracted to its cache and the page cache is warm.
const warm = await startCp();
await stop(warm);
rmSync(warm.work, { recursive: true, force: true });

const empty = [];
for (let i = 0; i < RUNS; i++) {
  const cp = await startCp();
  empty.push({ readyMs: cp.readyMs, cpuMs: cp.cpuMs });
  await stop(cp);
  rmSync(cp.work, { recursive: true, force: true });
}

const emptyWork = mkdtempSync(join(tmpdir(), 'kuma-bench-startup-'));
await stop(await startCp([], {}, emptyWork));
const emptyRestart = await restarts(emptyWork, RUNS);
rmSync(emptyWork, { recursive: true, force: true });

const fullWork = mkdtempSync(join(tmpdir(), 'kuma-bench-startup-'));
const filler = await startCp([], {}, fullWork);
const t = performance.now();
await putDataplanes(filler.url, RESOURCES);
const fillS = (performance.now() - t) / 1000;
await new Promise((r) => setTimeout(r, 1500)); // insights settle, so restarts read a steady store
await stop(filler);
const full = await restarts(fullWork, Math.max(3, Math.ceil(RUNS / 2)));
rmSync(fullWork, { recursive: true, force: true });

console.log(JSON.stringify({
  store: 'leveldb',
  // Wall time is spawn to /ready; cpu is what the CP process used until then (every thread).
  load_average_1m: round((await import('node:os')).loadavg()[0], 2),
  empty_store: summary(empty),
  empty_store_restart: summary(emptyRestart),
  [`restart_with_${RESOURCES}_dataplanes`]: { ...summary(full), fill_dataplanes_per_s: Math.round(RESOURCES / fillS) },
  targets_ms: { empty_store: 400, [`restart_with_${RESOURCES}_dataplanes`]: 1000 },
}, null, 2));
