#!/usr/bin/env node
// `npm run bench:fleet` (node bench/fleet-full.mjs): the multi-zone fleet benchmark.
// 1 global + 2 zone CPs (dist/kuma, memory stores, separate processes on loopback), N simulated
// data planes per zone (bench/fleet-storm-client.ts: one TLS h2 connection + one ADS stream each,
// CDS -> EDS -> LDS, every response ACKed at once, the arrival of every response recorded) of M
// services. Scenarios, in order: connect; a mesh-wide policy on the global; mTLS enabled on the
// global; one service scaled up by one instance in zone-2; idle; proxies disconnecting and
// reconnecting. Prints one JSON document (per scenario: CP RSS and CPU per CP, delivery = change
// to ACK p50/p99/max, KDS propagation, bytes and pushes received by the proxies, targets met) and
// asserts nothing. mTLS comes before the scale-up because cross-zone endpoints need mTLS.
//
// Zone-2 has a ZoneIngress (registered through its API; no Envoy behind it, the simulated proxies
// send no traffic), so once mTLS is on zone-1 proxies get zone-2's instances as ingress endpoints
// (weight = instance count) and the scale-up is measured where the target asks: zone-1's EDS.
// xds_generation_ms per scenario and zone CP is read from the CP's /metrics (Kuma's xds_generation
// summary): count and mean over the scenario from the _count/_sum deltas, p50/p99 of its
// 10-minute window (so they include earlier scenarios).
//
// Options: --n 1000 (proxies per zone) --services 500 --processes 2 (client processes per zone)
//   --idle-s 60 --bounce 500 --timeout-s 120 --out FILE
// Profiling: KUMA_BIN=<a script exec-ing `node --cpu-prof --cpu-prof-dir=D dist/kuma.cjs "$@"`>
//   FLEET_STOP_SIGNAL=SIGTERM (the CPs then exit cleanly and write their profiles).
// FLEET_PHASES=1 prints one stderr line per scenario start ({phase, at, pids}).
// FLEET_RESULTS_FILE=FILE writes every proxy's connect timeline (connect, TLS, preface, first
//   response, configured or failed and how) and the client processes' stalls over 1 s.
// Wall-clock numbers depend on what else runs on the machine (the clients share it with the CPs).
import { fork, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { freePort } from './foundation.mjs';

const KUMA = process.env.KUMA_BIN ?? join(import.meta.dirname, '..', 'dist', 'kuma');
const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    services: { type: 'string', default: '500' },
    processes: { type: 'string', default: '2' },
    'idle-s': { type: 'string', default: '60' },
    bounce: { type: 'string', default: '500' },
    'timeout-s': { type: 'string', default: '120' },
    out: { type: 'string' },
  },
});
const N = Number(args.n);
const M = Math.min(Number(args.services), N);
const TIMEOUT_MS = Number(args['timeout-s']) * 1000;
const TARGETS = {
  zone_rss_mb_per_proxy: 0.1,
  connect_all_configured_ms: 5000,
  global_policy_acked_ms: 1000,
  new_instance_in_eds_ms: 1000,
  idle_cpu_percent: 1,
  idle_pushes: 0,
  mtls_all_certified_ms: 10000,
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();
const round = (x) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : null);
function percentile(xs, p) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}
const stats = (xs) => ({ n: xs.length, p50: round(percentile(xs, 50)), p99: round(percentile(xs, 99)), max: xs.length ? round(Math.max(...xs)) : null });
const cpuSeconds = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function startCp(name, work, cpArgs, env) {
  const [api, diag, dp, kds] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dir = join(work, name);
  const logFile = join(work, `${name}.log`);
  const fd = openSync(logFile, 'w');
  const proc = spawn(KUMA, ['control-plane', 'run', '--log-level', 'warn', ...cpArgs], {
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      KUMA_GENERAL_WORK_DIR: dir,
      KUMA_STORE_TYPE: 'memory',
      KUMA_API_SERVER_HTTP_PORT: String(api),
      KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
      KUMA_API_SERVER_HTTPS_PORT: String(await freePort()),
      KUMA_API_SERVER_HTTPS_INTERFACE: '127.0.0.1',
      KUMA_DIAGNOSTICS_SERVER_PORT: String(diag),
      KUMA_DP_SERVER_PORT: String(dp),
      KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT: String(kds),
      KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none',
      ...env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`${name} exited (${proc.exitCode}):\n${readFileSync(logFile, 'utf8')}`);
    if (i > 1200) throw new Error(`${name} was not ready in 60 s`);
    try {
      if ((await fetch(`http://127.0.0.1:${diag}/ready`)).status === 200) break;
    } catch {}
    await sleep(50);
  }
  return { name, proc, api: `http://127.0.0.1:${api}`, diag: `http://127.0.0.1:${diag}`, dpPort: dp, kdsPort: kds, logFile };
}

async function rest(cp, method, path, body) {
  const r = await fetch(cp.api + path, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${cp.name} ${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function until(what, fn, timeoutMs = TIMEOUT_MS, everyMs = 50) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return true;
    } catch {}
    if (Date.now() > end) return false;
    await sleep(everyMs);
  }
}

/** The simulated Envoys of one zone, in a few child processes. */
class ZoneClients {
  constructor(zone, clientFile, names, processes) {
    this.zone = zone;
    this.children = Array.from({ length: processes }, () => fork(clientFile, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    this.names = names;
    this.waiters = new Map();
    for (const c of this.children) c.on('message', (m) => this.waiters.get(c)?.(m));
  }
  #ask(c, msg, type) {
    return new Promise((resolve) => {
      const prev = this.waiters.get(c);
      this.waiters.set(c, (m) => {
        if (m.type === type) {
          this.waiters.set(c, prev);
          resolve(m);
        }
      });
      if (msg) c.send(msg);
    });
  }
  async hello() {
    await Promise.all(this.children.map((c) => this.#ask(c, undefined, 'hello')));
  }
  async connect(dpPort, windowMs) {
    const k = this.children.length;
    const startAt = now() + 200;
    const got = await Promise.all(
      this.children.map((c, i) => this.#ask(c, { cmd: 'start', port: dpPort, mesh: 'default', names: this.names.filter((_, j) => j % k === i), startAt, windowMs, offset: i, stride: k, total: this.names.length, protocol: 'delta' }, 'result')),
    );
    this.loopDelayMs = got.map((m) => m.loopDelayMs);
    this.stalls = got.flatMap((m) => m.stalls ?? []);
    return got.flatMap((m) => m.results);
  }
  async mark() {
    await Promise.all(this.children.map((c) => this.#ask(c, { cmd: 'mark' }, 'marked')));
  }
  watch(cluster) {
    for (const c of this.children) c.send({ cmd: 'watch', cluster });
  }
  async collect(cluster) {
    const got = await Promise.all(this.children.map((c) => this.#ask(c, { cmd: 'collect', cluster }, 'collected')));
    return { proxies: got.flatMap((m) => m.proxies), bytes: got.reduce((n, m) => n + m.bytes, 0), responses: got.reduce((n, m) => n + m.responses, 0) };
  }
  async bounce(names) {
    const set = new Set(names);
    const k = this.children.length;
    const got = await Promise.all(this.children.map((c, i) => this.#ask(c, { cmd: 'bounce', names: this.names.filter((n, j) => j % k === i && set.has(n)) }, 'bounced')));
    return got.flatMap((m) => m.results);
  }
  async stop() {
    for (const c of this.children) {
      try {
        c.send({ cmd: 'stop' });
      } catch {}
    }
    await sleep(300);
    for (const c of this.children) c.kill('SIGKILL');
  }
}

const svc = (i) => `svc-${String(i % M).padStart(4, '0')}`;
const dpName = (i) => `${svc(i)}-${Math.floor(i / M)}`;
function dataplane(i, zoneIdx) {
  const s = i % M;
  return {
    type: 'Dataplane',
    mesh: 'default',
    name: dpName(i),
    networking: {
      address: `10.${zoneIdx}.${(i >> 8) & 255}.${i & 255}`,
      inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': svc(s), 'kuma.io/protocol': 'http' } }],
      outbound: [0, 1, 2].map((o) => ({ port: 10001 + o, tags: { 'kuma.io/service': svc(s + 1 + o * 7) } })),
    },
  };
}
async function applyDataplanes(cp, zoneIdx, from, to) {
  let next = from;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < to) {
        const i = next++;
        await rest(cp, 'PUT', `/meshes/default/dataplanes/${dpName(i)}`, dataplane(i, zoneIdx));
      }
    }),
  );
}

function usage(cps, before) {
  const out = {};
  for (const cp of cps) out[cp.name] = { rss_mb: round(rssMb(cp.proc.pid)), cpu_seconds: round(cpuSeconds(cp.proc.pid) - before[cp.name]) };
  return out;
}
/** Failures counted by message, RST_STREAM code and GOAWAY code (as bench/fleet-storm.ts failureKinds). */
function failureKinds(results) {
  const kinds = {};
  for (const r of results) {
    if (!r.error) continue;
    const k = `${r.error}${r.rstCode !== undefined ? ` rst=${r.rstCode}` : ''}${r.goawayCode !== undefined ? ` goaway=${r.goawayCode}` : ''}${r.responses ? ' after responses' : ''}`;
    kinds[k] = (kinds[k] ?? 0) + 1;
  }
  return kinds;
}
/** The CP's longest event-loop stall since the last scrape (prom-client restarts the histogram at each). */
async function loopDelayMaxMs(cp) {
  const m = /^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? (\S+)/m.exec(await (await fetch(`${cp.diag}/metrics`)).text());
  return m ? Math.round(Number(m[1]) * 1000) : null;
}
/** xds_generation (a Summary, milliseconds) of one CP: quantiles of its window and the running count/sum. */
async function xdsGeneration(cp) {
  const text = await (await fetch(`${cp.diag}/metrics`)).text();
  const value = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  return {
    p50: value(/^xds_generation\{[^}]*quantile="0\.5"[^}]*\} (\S+)/m),
    p99: value(/^xds_generation\{[^}]*quantile="0\.99"[^}]*\} (\S+)/m),
    count: value(/^xds_generation_count(?:\{[^}]*\})? (\S+)/m) ?? 0,
    sum: value(/^xds_generation_sum(?:\{[^}]*\})? (\S+)/m) ?? 0,
  };
}
const xdsGenerationNow = async (cps) => Object.fromEntries(await Promise.all(cps.filter((cp) => cp.name !== 'global').map(async (cp) => [cp.name, await xdsGeneration(cp)])));
/** Per zone CP: proxies generated during the scenario, their mean, and the summary's window quantiles. */
async function xdsGenerationSince(cps, before) {
  const out = {};
  for (const [name, g] of Object.entries(await xdsGenerationNow(cps))) {
    const n = g.count - before[name].count;
    out[name] = { generated: n, mean: n > 0 ? round((g.sum - before[name].sum) / n) : null, window_p50: round(g.p50), window_p99: round(g.p99) };
  }
  return out;
}
/** nodejs_heap_size_used_bytes of one CP, in MB. */
async function heapUsedMb(cp) {
  const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)/m.exec(await (await fetch(`${cp.diag}/metrics`)).text());
  return m ? Number(m[1]) / 1024 / 1024 : null;
}
/** With FLEET_PHASES=1, one stderr line per scenario start (epoch ms and the CPs' pids): for profiles and samplers that must know when a scenario ran. */
const phase = (name) => {
  if (process.env.FLEET_PHASES) process.stderr.write(`${JSON.stringify({ phase: name, at: Date.now(), pids: Object.fromEntries(cps.map((cp) => [cp.name, cp.proc.pid])) })}\n`);
};
const cpuNow = (cps) => Object.fromEntries(cps.map((cp) => [cp.name, cpuSeconds(cp.proc.pid)]));

/** Change-to-arrival per proxy of the first `type` response after `t0` (all zones' clients). */
async function delivery(zones, t0, pick) {
  const lat = [];
  let missing = 0;
  let bytes = 0;
  let pushes = 0;
  for (const z of zones) {
    const c = await z.collect();
    bytes += c.bytes;
    pushes += c.responses;
    for (const p of c.proxies) {
      const at = pick(p);
      if (at === undefined) missing++;
      else lat.push(at - t0);
    }
  }
  return { delivery_ms: stats(lat), not_delivered: missing, bytes_received: bytes, pushes };
}

/** Waits until every proxy of `zones` got a response of `type` after the mark (or times out). */
async function awaitAll(zones, pick, timeoutMs = TIMEOUT_MS) {
  return until('delivered', async () => {
    for (const z of zones) if ((await z.collect()).proxies.some((p) => pick(p) === undefined)) return false;
    return true;
  }, timeoutMs, 100);
}

const work = mkdtempSync(join(tmpdir(), 'kuma-bench-fleet-full-'));
const cps = [];
const clients = [];
const result = { config: { proxies_per_zone: N, services: M, client_processes_per_zone: Number(args.processes), xds_generation_ms: 'per scenario, from each zone CP /metrics (xds_generation)' }, targets: TARGETS, scenarios: {} };
try {
  const clientFile = join(work, 'fleet-storm-client.cjs');
  await esbuild.build({ entryPoints: [join(import.meta.dirname, 'fleet-storm-client.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: clientFile, logLevel: 'warning' });
  const global = await startCp('global', work, ['--mode=global', '--kds-auth=none'], {});
  cps.push(global);
  for (const z of ['zone-1', 'zone-2']) {
    cps.push(await startCp(z, work, ['--mode=zone', '--zone', z, '--kds-global-address', `grpcs://127.0.0.1:${global.kdsPort}`], { KUMA_MULTIZONE_ZONE_KDS_TLS_SKIP_VERIFY: 'true' }));
  }
  const [, z1, z2] = cps;
  await until('zones online', async () => (await rest(global, 'GET', '/zones+insights')).items.filter((z) => (z.zoneInsight?.subscriptions ?? []).some((s) => !s.disconnectTime)).length === 2, 60_000, 200);
  await until('mesh synced', async () => !!(await rest(z1, 'GET', '/meshes/default')) && !!(await rest(z2, 'GET', '/meshes/default')), 30_000);
  await applyDataplanes(z1, 1, 0, N);
  await applyDataplanes(z2, 2, 0, N);
  await rest(z2, 'PUT', '/zoneingresses/ingress-2', { type: 'ZoneIngress', name: 'ingress-2', networking: { address: '127.0.0.1', port: 10002, advertisedAddress: '127.0.0.1', advertisedPort: 10002 } });
  await until('zone-2 ingress on zone-1', async () => ((await rest(z1, 'GET', '/zoneingresses')).items.find((zi) => zi.name.includes('ingress-2'))?.availableServices?.length ?? 0) >= M, 60_000, 200);
  await sleep(2000);
  const zones = [new ZoneClients('zone-1', clientFile, Array.from({ length: N }, (_, i) => dpName(i)), Number(args.processes)), new ZoneClients('zone-2', clientFile, Array.from({ length: N }, (_, i) => dpName(i)), Number(args.processes))];
  clients.push(...zones);
  await Promise.all(zones.map((z) => z.hello()));

  // connect
  {
    phase('connect');
    const idleRss = { 'zone-1': rssMb(z1.proc.pid), 'zone-2': rssMb(z2.proc.pid) };
    const idleHeap = { 'zone-1': await heapUsedMb(z1), 'zone-2': await heapUsedMb(z2) };
    const gen0 = await xdsGenerationNow(cps);
    const cpu0 = cpuNow(cps);
    await Promise.all([z1, z2].map(loopDelayMaxMs));
    const [r1, r2] = await Promise.all([zones[0].connect(z1.dpPort, 2000), zones[1].connect(z2.dpPort, 2000)]);
    const all = [...r1, ...r2];
    // Every proxy's timeline, for looking at a run after the fact.
    if (process.env.FLEET_RESULTS_FILE) writeFileSync(process.env.FLEET_RESULTS_FILE, JSON.stringify({ results: all, stalls: zones.flatMap((z) => z.stalls) }));
    const ok = all.filter((r) => r.configuredAt !== undefined);
    const lastConnect = Math.max(...all.map((r) => r.startedAt));
    const allConfiguredMs = ok.length === all.length ? Math.max(...ok.map((r) => r.configuredAt)) - lastConnect : null;
    await sleep(1000);
    const u = usage(cps, cpu0);
    const perProxy = Math.max((u['zone-1'].rss_mb - idleRss['zone-1']) / N, (u['zone-2'].rss_mb - idleRss['zone-2']) / N);
    result.scenarios.connect = {
      cps: u,
      idle_rss_mb: { 'zone-1': round(idleRss['zone-1']), 'zone-2': round(idleRss['zone-2']) },
      // Where the RSS goes: the V8 heap in use (after whatever GC last ran) per proxy; the rest is
      // native (TLS and HTTP/2 sessions, buffers) and heap not yet returned.
      zone_heap_used_mb_per_proxy: Object.fromEntries(await Promise.all([z1, z2].map(async (z) => [z.name, Math.round(((await heapUsedMb(z)) - idleHeap[z.name]) / N * 1000) / 1000]))),
      zone_rss_mb_per_proxy: Math.round(perProxy * 1000) / 1000,
      configured: ok.length,
      failed: all.length - ok.length,
      errors: all.filter((r) => r.error).slice(0, 5).map((r) => `${r.name}: ${r.error}`),
      failure_kinds: failureKinds(all),
      client_loop_delay_ms: Object.fromEntries(zones.map((z) => [z.zone, z.loopDelayMs])),
      cp_loop_delay_max_ms: { 'zone-1': await loopDelayMaxMs(z1), 'zone-2': await loopDelayMaxMs(z2) },
      xds_generation_ms: await xdsGenerationSince(cps, gen0),
      connect_to_config_ms: stats(ok.map((r) => r.configuredAt - r.startedAt)),
      last_connect_to_all_configured_ms: round(allConfiguredMs),
      targets_met: { zone_rss_mb_per_proxy: perProxy <= TARGETS.zone_rss_mb_per_proxy, connect_all_configured_ms: allConfiguredMs !== null && allConfiguredMs <= TARGETS.connect_all_configured_ms },
    };
  }

  // a mesh-wide policy on the global: every proxy of both zones gets new clusters
  {
    phase('global_policy');
    await Promise.all(zones.map((z) => z.mark()));
    const gen0 = await xdsGenerationNow(cps);
    const cpu0 = cpuNow(cps);
    const t0 = now();
    await rest(global, 'PUT', '/meshes/default/meshtimeouts/bench-timeout', { type: 'MeshTimeout', mesh: 'default', name: 'bench-timeout', spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'Mesh' }, default: { connectionTimeout: '3s' } }] } });
    const kds = {};
    await Promise.all([z1, z2].map(async (z) => {
      await until('kds', async () => (await rest(z, 'GET', '/meshes/default/meshtimeouts')).items.length > 0, TIMEOUT_MS, 10);
      kds[z.name] = round(now() - t0);
    }));
    await awaitAll(zones, (p) => p.first.CDS);
    const d = await delivery(zones, t0, (p) => p.first.CDS);
    result.scenarios.global_policy = { cps: usage(cps, cpu0), kds_propagation_ms: kds, xds_generation_ms: await xdsGenerationSince(cps, gen0), ...d, targets_met: { global_policy_acked_ms: d.not_delivered === 0 && d.delivery_ms.max <= TARGETS.global_policy_acked_ms } };
  }

  // mTLS on the global: every proxy gets an identity certificate (its clusters get TLS)
  {
    phase('mtls');
    await Promise.all(zones.map((z) => z.mark()));
    const gen0 = await xdsGenerationNow(cps);
    const cpu0 = cpuNow(cps);
    const t0 = now();
    await rest(global, 'PUT', '/meshes/default', { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } });
    await awaitAll(zones, (p) => p.first.CDS);
    const d = await delivery(zones, t0, (p) => p.first.CDS);
    result.scenarios.mtls = { cps: usage(cps, cpu0), xds_generation_ms: await xdsGenerationSince(cps, gen0), ...d, targets_met: { mtls_all_certified_ms: d.not_delivered === 0 && d.delivery_ms.max <= TARGETS.mtls_all_certified_ms } };
  }

  // one service scaled up by one instance in zone-2: its EDS moves for the proxies reaching it, in
  // zone-2 (a local endpoint more) and in zone-1 (the zone-2 ingress endpoint's weight moves).
  {
    phase('scale_up');
    const target = svc(0);
    const reaching = new Set(Array.from({ length: N }, (_, i) => i).filter((i) => [0, 1, 2].some((o) => (i % M + 1 + o * 7) % M === 0)).map(dpName));
    for (const z of zones) z.watch(target);
    await Promise.all(zones.map((z) => z.mark()));
    const gen0 = await xdsGenerationNow(cps);
    const cpu0 = cpuNow(cps);
    const t0 = now();
    await rest(z2, 'PUT', `/meshes/default/dataplanes/${target}-extra`, { ...dataplane(0, 2), name: `${target}-extra`, networking: { ...dataplane(0, 2).networking, address: '10.99.0.1', outbound: [] } });
    const pick = (p) => (reaching.has(p.name) ? p.cluster : 0);
    await until('eds', async () => {
      for (const z of zones) if (!(await z.collect(target)).proxies.every((p) => pick(p) !== undefined)) return false;
      return true;
    }, 30_000, 50);
    const scenario = { cps: usage(cps, cpu0), xds_generation_ms: await xdsGenerationSince(cps, gen0), service: target, proxies_reaching_per_zone: reaching.size, bytes_received: 0, pushes: 0 };
    const lats = [];
    for (const z of zones) {
      const c = await z.collect(target);
      const lat = c.proxies.filter((p) => reaching.has(p.name) && p.cluster !== undefined).map((p) => p.cluster - t0);
      lats.push(lat);
      const key = z.zone === 'zone-1' ? 'zone1' : 'zone2';
      scenario[`${key}_eds_delivery_ms`] = stats(lat);
      scenario[`${key}_not_reaching_that_got_cds`] = c.proxies.filter((p) => !reaching.has(p.name) && p.first.CDS !== undefined).length;
      scenario.bytes_received += c.bytes;
      scenario.pushes += c.responses;
    }
    const ok = (lat) => lat.length === reaching.size && Math.max(...lat) <= TARGETS.new_instance_in_eds_ms;
    result.scenarios.scale_up = { ...scenario, targets_met: { new_instance_in_eds_ms: ok(lats[0]) && ok(lats[1]) } };
  }

  // idle: nothing changes
  {
    phase('idle');
    await sleep(3000);
    await Promise.all(zones.map((z) => z.mark()));
    const gen0 = await xdsGenerationNow(cps);
    const cpu0 = cpuNow(cps);
    const idleS = Number(args['idle-s']);
    await sleep(idleS * 1000);
    const [a, b] = [await zones[0].collect(), await zones[1].collect()];
    const u = usage(cps, cpu0);
    const cpuPct = Object.fromEntries(Object.entries(u).map(([k, v]) => [k, round((v.cpu_seconds / idleS) * 100)]));
    const pushes = a.responses + b.responses;
    result.scenarios.idle = { seconds: idleS, cps: u, xds_generation_ms: await xdsGenerationSince(cps, gen0), cpu_percent: cpuPct, pushes, bytes_received: a.bytes + b.bytes, targets_met: { idle_cpu_percent: Object.values(cpuPct).every((x) => x <= TARGETS.idle_cpu_percent), idle_pushes: pushes === TARGETS.idle_pushes } };
  }

  // proxies disconnecting and reconnecting (zone-1)
  {
    phase('reconnect');
    const k = Math.min(Number(args.bounce), N);
    const gen0 = await xdsGenerationNow(cps);
    const cpu0 = cpuNow(cps);
    const t0 = now();
    const res = await zones[0].bounce(Array.from({ length: k }, (_, i) => dpName(i)));
    const ok = res.filter((r) => r.configuredAt !== undefined);
    result.scenarios.reconnect = { proxies: k, cps: usage(cps, cpu0), xds_generation_ms: await xdsGenerationSince(cps, gen0), reconfigured: ok.length, failed: res.length - ok.length, reconnect_to_config_ms: stats(ok.map((r) => r.configuredAt - r.startedAt)), all_reconfigured_ms: ok.length ? round(Math.max(...ok.map((r) => r.configuredAt)) - t0) : null };
  }
  result.cp_error_lines = Object.fromEntries(cps.map((cp) => [cp.name, readFileSync(cp.logFile, 'utf8').split('\n').filter((l) => /"level":(5|6)\d/.test(l)).slice(0, 5)]));
} catch (e) {
  result.error = String(e?.stack ?? e);
  process.exitCode = 1;
} finally {
  for (const c of clients) await c.stop();
  // With KUMA_BIN running the CPs under `node --cpu-prof`, a clean exit is what writes the profile.
  const signal = process.env.FLEET_STOP_SIGNAL ?? 'SIGKILL';
  await Promise.all(cps.map((cp) => new Promise((r) => {
    if (cp.proc.exitCode !== null) return r();
    cp.proc.once('exit', r);
    cp.proc.kill(signal);
  })));
  rmSync(work, { recursive: true, force: true });
}
const text = JSON.stringify(result, null, 2);
if (args.out) writeFileSync(args.out, text);
console.log(text);
