// The connection storm against a running zone CP: N simulated Envoys (bench/fleet-storm-client.ts,
// one TLS h2 connection and one ADS stream each) in a few child processes, all connecting within
// a window of about 2 s. Used by `npm run bench:storm` (bench/fleet.mjs, 2000 proxies) and by
// test/e2e/dp-connection-storm.test.ts (a smaller count). Measures, asserts nothing.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ProxyResult } from './fleet-storm-client';

export interface Fleet {
  mesh: string;
  names: string[];
}

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}

const svc = (i: number, services: number) => `svc-${String(i % services).padStart(4, '0')}`;

/**
 * Applies the fleet's Dataplanes through the REST API: proxy i serves service i % services and
 * declares `outbounds` outbounds to other services, so every proxy gets EDS clusters.
 */
export async function applyFleet(apiUrl: string, n: number, services: number, outbounds = 3, mesh = 'default'): Promise<Fleet> {
  const names = Array.from({ length: n }, (_, i) => `${svc(i, services)}-${Math.floor(i / services)}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) {
        const i = next++;
        const s = i % services;
        const body = {
          type: 'Dataplane',
          mesh,
          name: names[i],
          networking: {
            address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
            inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': svc(s, services), 'kuma.io/protocol': 'http' } }],
            outbound: Array.from({ length: outbounds }, (_, o) => ({ port: 10001 + o, tags: { 'kuma.io/service': svc(s + 1 + o * 7, services) } })),
          },
        };
        const r = await fetch(`${apiUrl}/meshes/${mesh}/dataplanes/${names[i]}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const text = await r.text();
        if (r.status >= 300) throw new Error(`PUT Dataplane ${names[i]}: ${r.status} ${text}`);
      }
    }),
  );
  return { mesh, names };
}

/** CPU seconds (user + system) of a process so far (clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
export const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

export interface StormOptions {
  dpPort: number;
  cpPid: number;
  fleet: Fleet;
  clientFile: string;
  /** Client processes; each opens its share of the connections. */
  processes?: number;
  /** Every connection is started within this window after the start. */
  windowMs?: number;
  protocol?: 'delta' | 'sotw' | 'mixed';
  /** Give up on proxies not configured this long after the start. */
  timeoutMs?: number;
}

export interface StormReport {
  connections: number;
  /** Connections that failed or were not configured in time. */
  dropped: number;
  configured: number;
  /** Connections that saw the server's HTTP/2 SETTINGS. */
  prefaces: number;
  /** Errors after a proxy was configured (stream or connection lost). */
  late_errors: number;
  /** The first few failures, verbatim. */
  errors: string[];
  /** Every failure, counted by its message and how the server ended it (RST_STREAM / GOAWAY code). */
  failure_kinds: Record<string, number>;
  /** When the failures happened, from each proxy's connect. */
  connect_to_failure_ms: { p50: number; p99: number; max: number };
  acks: number;
  connect_window_ms: number;
  connect_to_first_config_ms: { p50: number; p99: number; max: number };
  connect_to_tls_ms: { p50: number; p99: number; max: number };
  last_connect_to_all_configured_ms: number;
  cp_cpu_seconds: number;
  cp_rss_mb: number;
  /** CPU the simulated Envoys used (they share the machine with the CP). */
  clients_cpu_seconds: number;
  /** The longest event-loop stall of each client process (it then answers nothing, not even PINGs). */
  clients_loop_delay_max_ms: number[];
}

/** Failures counted by message, RST_STREAM code and GOAWAY code: what tells a server's refusal from a torn connection. */
export function failureKinds(results: ProxyResult[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const r of results) {
    if (!r.error) continue;
    const k = `${r.error}${r.rstCode !== undefined ? ` rst=${r.rstCode}` : ''}${r.goawayCode !== undefined ? ` goaway=${r.goawayCode}` : ''}${r.responses ? ' after responses' : ''}`;
    kinds[k] = (kinds[k] ?? 0) + 1;
  }
  return kinds;
}

/** Forks the clients, runs the storm, and resolves with the report; the clients stay connected until `stop()`. */
export async function runStorm(o: StormOptions): Promise<{ report: StormReport; stop(): Promise<void> }> {
  const processes = o.processes ?? 4;
  const windowMs = o.windowMs ?? 2000;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const children: ChildProcess[] = [];
  const results: ProxyResult[] = [];
  const late: string[] = [];
  let failure: Error | undefined;
  let clientCpu = 0;
  const loopDelays: number[] = [];
  const stalls: [number, number][] = [];
  const resultsIn: Promise<void>[] = [];
  const hellos: Promise<void>[] = [];
  for (let k = 0; k < processes; k++) {
    const c = fork(o.clientFile, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(c);
    hellos.push(new Promise((resolve) => c.once('message', () => resolve())));
    resultsIn.push(
      new Promise((resolve) =>
        c.on('message', (m: { type: string; results?: ProxyResult[]; cpuSeconds?: number; loopDelayMs?: { max: number }; stalls?: [number, number][]; name?: string; message?: string }) => {
          if (m.type === 'result') {
            results.push(...m.results!);
            clientCpu += m.cpuSeconds ?? 0;
            if (m.loopDelayMs) loopDelays.push(m.loopDelayMs.max);
            if (m.stalls) stalls.push(...m.stalls);
            resolve();
          } else if (m.type === 'late') late.push(`${m.name}: ${m.message}`);
        }),
      ),
    );
    c.on('exit', (code) => {
      if (code) failure ??= new Error(`storm client process exited with ${code}`);
    });
  }
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || !c.connected) return resolve();
            const kill = setTimeout(() => c.kill('SIGKILL'), 3000);
            c.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            c.send({ cmd: 'stop' });
          }),
      ),
    );
  };
  try {
    await Promise.all(hellos);
    const cpu0 = cpuSeconds(o.cpPid);
    const startAt = performance.timeOrigin + performance.now() + 200;
    children.forEach((c, k) => {
      const names = o.fleet.names.filter((_, i) => i % processes === k);
      c.send({ cmd: 'start', port: o.dpPort, mesh: o.fleet.mesh, names, startAt, windowMs, offset: k, stride: processes, total: o.fleet.names.length, protocol: o.protocol ?? 'delta' });
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      const check = () => (failure || Date.now() > startAt + timeoutMs ? resolve('timeout') : (timer = setTimeout(check, 100)));
      check();
    });
    const outcome = await Promise.race([Promise.all(resultsIn), timedOut]);
    clearTimeout(timer);
    // Every proxy's timeline, for looking at a run after the fact.
    if (process.env.FLEET_RESULTS_FILE) writeFileSync(process.env.FLEET_RESULTS_FILE, JSON.stringify({ results, stalls }));
    if (failure) throw failure;
    const cpu = cpuSeconds(o.cpPid) - cpu0;
    const rss = rssMb(o.cpPid);
    // Proxies of a process that did not report in time count as dropped.
    const reported = new Set(results.map((r) => r.name));
    const missing = o.fleet.names.filter((n) => !reported.has(n));
    const ok = results.filter((r) => r.configuredAt !== undefined);
    const toConfig = ok.map((r) => r.configuredAt! - r.startedAt);
    const toTls = results.filter((r) => r.secureAt !== undefined).map((r) => r.secureAt! - r.startedAt);
    const round = (x: number) => Math.round(x * 10) / 10;
    const stats = (xs: number[]) => ({ p50: round(percentile(xs, 50)), p99: round(percentile(xs, 99)), max: round(Math.max(...xs)) });
    const started = results.map((r) => r.startedAt);
    const errors = results.filter((r) => r.error).map((r) => `${r.name} (${r.protocol}): ${r.error}`);
    if (outcome === 'timeout') errors.push(`${missing.length} proxies not reported within ${timeoutMs} ms`);
    const report: StormReport = {
      connections: o.fleet.names.length,
      dropped: o.fleet.names.length - ok.length,
      configured: ok.length,
      prefaces: results.filter((r) => r.prefaceAt !== undefined).length,
      late_errors: late.length,
      errors: [...errors, ...late].slice(0, 10),
      failure_kinds: failureKinds(results),
      connect_to_failure_ms: stats(results.filter((r) => r.failedAt !== undefined).map((r) => r.failedAt! - r.startedAt)),
      acks: results.reduce((n, r) => n + r.acks, 0),
      connect_window_ms: round(Math.max(...started) - Math.min(...started)),
      connect_to_first_config_ms: stats(toConfig),
      connect_to_tls_ms: stats(toTls),
      last_connect_to_all_configured_ms: ok.length ? round(Math.max(...ok.map((r) => r.configuredAt!)) - Math.max(...started)) : NaN,
      cp_cpu_seconds: round(cpu),
      cp_rss_mb: round(rss),
      clients_cpu_seconds: round(clientCpu),
      clients_loop_delay_max_ms: loopDelays,
    };
    return { report, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
