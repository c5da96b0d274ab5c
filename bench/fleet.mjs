#!/usr/bin/env node
// `npm run bench:storm`: fleet benchmarks against real dist/kuma processes on loopback. Prints
// JSON, asserts nothing. Scenario so far:
//
// - connection_storm: one zone CP (LevelDB store, dataplane auth off as
//   KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE=none), N Dataplanes of M services applied through the API,
//   then N simulated Envoys (bench/fleet-storm-client.ts: one TLS h2 connection + one ADS stream
//   each, CDS -> EDS -> LDS, every response ACKed) in a few processes, all connecting within
//   ~2 s. Reports dropped/configured, connect-to-first-config p50/p99/max, the time from the last
//   connect until every proxy was configured, the CP's CPU seconds during the storm and its RSS,
//   how many proxies the CP saw ACK (DataplaneInsight), and the CP's error log lines.
//
// Options: --n 2000 --services 100 --processes 4 --window-ms 2000 --protocol delta|sotw|mixed
//   --store leveldb|memory --cpu-prof DIR
// FLEET_RESULTS_FILE=FILE writes every proxy's timeline and the client processes' stalls over 1 s.
// Wall-clock numbers depend on what else runs on the machine (the clients share it with the CP).
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { freePort } from './foundation.mjs';

const KUMA = process.env.KUMA_BIN ?? join(import.meta.dirname, '..', 'dist', 'kuma');
const TARGETS = { dropped: 0, last_connect_to_all_configured_ms: 5000 };

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    services: { type: 'string', default: '100' },
    processes: { type: 'string', default: '4' },
    'window-ms': { type: 'string', default: '2000' },
    protocol: { type: 'string', default: 'delta' },
    store: { type: 'string', default: 'leveldb' },
    // writes a V8 CPU profile of the CP into this directory: runs dist/kuma.cjs (the bundle inside
    // the executable) with node --cpu-prof, since a single executable refuses it; stopped with SIGINT
    'cpu-prof': { type: 'string' },
  },
});

/** The storm driver and its client are TypeScript (shared with the e2e test): bundled for plain node. */
async function bundle(tmp, entry, format) {
  const outfile = join(tmp, entry.replace(/\.ts$/, format === 'esm' ? '.mjs' : '.cjs'));
  await esbuild.build({ entryPoints: [join(import.meta.dirname, entry)], bundle: true, platform: 'node', target: 'node20', format, outfile, logLevel: 'warning' });
  return outfile;
}

async function startZoneCp(work) {
  const [api, diag, dp] = [await freePort(), await freePort(), await freePort()];
  const logFile = join(work, 'cp.log');
  const fd = openSync(logFile, 'w');
  const [cmd, pre] = args['cpu-prof'] ? [process.execPath, ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`, `${KUMA}.cjs`]] : [KUMA, []];
  const proc = spawn(cmd, [...pre, 'control-plane', 'run', '--log-level', 'info'], {
    env: {
      PATH: process.env.PATH,
      HOME: work,
      KUMA_GENERAL_WORK_DIR: work,
      KUMA_API_SERVER_HTTP_PORT: String(api),
      KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
      KUMA_DIAGNOSTICS_SERVER_PORT: String(diag),
      KUMA_DP_SERVER_PORT: String(dp),
      KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT: String(await freePort()),
      KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none',
      KUMA_STORE_TYPE: args.store,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`the control plane exited (${proc.exitCode}):\n${readFileSync(logFile, 'utf8')}`);
    if (i > 600) throw new Error('the control plane was not ready in 30 s');
    try {
      if ((await fetch(`http://127.0.0.1:${diag}/ready`)).status === 200) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, apiUrl: `http://127.0.0.1:${api}`, diagUrl: `http://127.0.0.1:${diag}`, dpPort: dp, logs: () => readFileSync(logFile, 'utf8') };
}

/** Proxies whose DataplaneInsight shows at least `types` ACKed responses (CDS, EDS, LDS). */
async function ackedByCp(apiUrl, mesh, types = 3) {
  let n = 0;
  for (let offset = 0; ; offset += 1000) {
    const r = await fetch(`${apiUrl}/meshes/${mesh}/dataplane-insights?size=1000&offset=${offset}`);
    const page = await r.json();
    for (const item of page.items ?? []) {
      const subs = item.subscriptions ?? [];
      const acked = Math.max(0, ...subs.map((s) => Number(s.status?.total?.responsesAcknowledged ?? 0)));
      if (acked >= types) n++;
    }
    if (!page.next) return n;
  }
}

/** The CP's error lines (pino: level 50 and above). */
const errorLines = (logs) =>
  logs
    .split('\n')
    .filter((l) => /"level":(5|6)\d/.test(l))
    .slice(0, 10);

async function connectionStorm(driver, tmp) {
  const n = Number(args.n);
  const work = mkdtempSync(join(tmpdir(), 'kuma-bench-fleet-'));
  const cp = await startZoneCp(work);
  let storm;
  try {
    const fleet = await driver.applyFleet(cp.apiUrl, n, Number(args.services));
    const clientFile = await bundle(tmp, 'fleet-storm-client.ts', 'cjs');
    storm = await driver.runStorm({ dpPort: cp.dpPort, cpPid: cp.proc.pid, fleet, clientFile, processes: Number(args.processes), windowMs: Number(args['window-ms']), protocol: args.protocol, timeoutMs: 120_000 });
    // Let the insights flush (every 500 ms), and any late error on either side show.
    await new Promise((r) => setTimeout(r, 2000));
    const acked = await ackedByCp(cp.apiUrl, fleet.mesh);
    // prom-client's lag histogram restarts at every scrape: the first one covers the whole storm.
    const metrics = await (await fetch(`${cp.diagUrl}/metrics`)).text();
    const lagMax = /^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? (\S+)/m.exec(metrics)?.[1];
    const r = storm.report;
    return {
      ...r,
      protocol: args.protocol,
      store: args.store,
      services: Number(args.services),
      client_processes: Number(args.processes),
      cp_acked_proxies: acked,
      cp_loop_delay_max_ms: lagMax === undefined ? null : Math.round(Number(lagMax) * 1000),
      cp_error_lines: errorLines(cp.logs()),
      targets: TARGETS,
      targets_met: { dropped: r.dropped <= TARGETS.dropped, last_connect_to_all_configured_ms: r.last_connect_to_all_configured_ms <= TARGETS.last_connect_to_all_configured_ms },
    };
  } finally {
    await storm?.stop();
    if (args['cpu-prof']) {
      cp.proc.kill('SIGINT');
      await new Promise((r) => cp.proc.once('exit', r));
    } else cp.proc.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'kuma-bench-fleet-build-'));
try {
  const driver = await import(await bundle(tmp, 'fleet-storm.ts', 'esm'));
  console.log(JSON.stringify({ connection_storm: await connectionStorm(driver, tmp) }, null, 2));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
