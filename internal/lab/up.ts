/**
 * `kuma lab up`: carries out a LabPlan. Starts each wave of processes,
 * waits for each to be ready while printing progress, records every pid in
 * lab.json as soon as it exists, and on any failure (or Ctrl-C) stops what
 * it started and keeps the logs.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { allPorts, planLab, waves, type ComponentPlan, type LabOptions, type LabPlan } from './plan';
import { childEnvironment, descendants, isAlive, selfCommand, spawnDetached, type Spawned } from './spawn';
import { readState, removeState, writeState, type ComponentState, type LabState } from './state';
import { stopLab } from './down';
import { checkTraffic, configureGlobal, CP_TIMEOUT_FLOOR_MS, fetchToken, LabError, waitZonesSynced, type Print } from './setup';
import { probe, seconds, waitReady } from './wait';
import { describeComponent as describe, planText, runsWhereTable } from './progress';

export interface UpOptions extends LabOptions {
  /** How long a control plane, app or proxy may take to be ready. */
  readyTimeoutMs: number;
  /** How long to try the cross-zone request before reporting it as not answering (0: skip). */
  trafficTimeoutMs: number;
  /** Printed hints name --dir when it is not the default. */
  dirHint: string;
}

/** Progress goes to out, the error of a failed `up` and its log tail to err. */
export interface LabIo {
  out: Print;
  err: Print;
}

export async function labUp(o: UpOptions, io: LabIo): Promise<number> {
  const print = io.out;
  mkdirSync(o.dir, { recursive: true });
  const releaseLock = takeLock(o.dir);
  try {
    const existing = readState(o.dir);
    if (existing) {
      const health = await labHealth(existing);
      if (existing.state === 'up' && health.down.length === 0) {
        print(`A lab is already running in ${o.dir} (${health.up.length} processes up, started ${existing.startedAt}).\n`);
        const same = existing.options.zones === o.zones && existing.options.egress === o.egress && existing.options.basePort === o.basePort;
        if (!same) print(`It was started with --zones ${existing.options.zones}${existing.options.egress ? ' --egress' : ''} --base-port ${existing.options.basePort}; run "kuma lab down${o.dirHint}" first to change it.\n`);
        printSummary(existing, o.dirHint, print);
        return 0;
      }
      print(`Cleaning up a stale lab in ${o.dir} (${health.down.length} of ${existing.components.length} processes not up) ... `);
      const t0 = Date.now();
      const left = await stopLab(existing, 5_000);
      if (left.length) throw new LabError(`could not stop processes ${left.join(', ')} of the stale lab`);
      removeState(o.dir);
      print(`done (${seconds(Date.now() - t0)})\n`);
    }
    const plan = planLab(o);
    await checkPortsFree(plan);
    return await start(plan, o, io);
  } finally {
    releaseLock();
  }
}

/** Which components are alive and ready. */
export async function labHealth(s: LabState): Promise<{ up: ComponentState[]; down: ComponentState[] }> {
  const checks = await Promise.all(s.components.map(async (c) => isAlive(c.pid, c.startTime) && (await probe(c.ready, 1500))));
  return { up: s.components.filter((_, i) => checks[i]), down: s.components.filter((_, i) => !checks[i]) };
}

/** One `up` at a time per lab dir: <dir>/lab.lock holds the pid of the `up` at work. */
function takeLock(dir: string): () => void {
  const file = join(dir, 'lab.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (isAlive(holder) && holder !== process.pid) throw new LabError(`another "kuma lab up" (pid ${holder}) is working on ${dir}; wait for it or stop it`);
      rmSync(file, { force: true });
    }
  }
  throw new LabError(`cannot take ${file}`);
}

async function checkPortsFree(plan: LabPlan): Promise<void> {
  const busy: string[] = [];
  await Promise.all(
    allPorts(plan).map(async ({ port, owner }) => {
      if (!(await portFree(port))) busy.push(`${port} (${owner})`);
    }),
  );
  if (busy.length) {
    busy.sort();
    throw new LabError(`ports in use: ${busy.join(', ')}; the lab needs ${plan.ports.first}-${plan.ports.last}: stop what uses them or pick another --base-port`);
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

async function start(plan: LabPlan, o: UpOptions, io: LabIo): Promise<number> {
  // Knows whether a progress line waits for its end ("starting X ... "), so a failure ends it first.
  let lineOpen = false;
  const print: Print = (text) => {
    if (text) lineOpen = !text.endsWith('\n');
    io.out(text);
  };
  for (const d of ['logs', 'tokens', 'proxies']) mkdirSync(join(plan.dir, d), { recursive: true });
  const self = selfCommand();
  const state: LabState = {
    version: 1,
    state: 'starting',
    dir: plan.dir,
    startedAt: new Date().toISOString(),
    binary: self[self.length - 1] === process.execPath ? process.execPath : self.join(' '),
    envoyBinary: o.envoyBinary,
    options: plan.options,
    ports: plan.ports,
    global: { apiUrl: plan.global.apiUrl, kdsAddress: plan.global.kdsAddress, caCert: plan.global.caCert },
    zones: plan.zones.map((z) => ({ name: z.name, apiUrl: z.apiUrl, dpServerUrl: z.dpServerUrl })),
    kumactlConfig: plan.kumactlConfig,
    traffic: { ...plan.traffic, curl: `curl ${plan.traffic.url}` },
    components: [],
  };
  writeState(state);

  const running = new Map<string, Spawned>();
  const spawnedAt = new Map<string, number>();
  let interrupted: NodeJS.Signals | undefined;
  let wake!: (why: string) => void;
  const interrupt = new Promise<string>((r) => (wake = r));
  const onSignal = (s: NodeJS.Signals) => {
    interrupted = s;
    wake(`interrupted by ${s}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const t0 = Date.now();
  let current: ComponentPlan | undefined;
  try {
    print(`kuma lab: ${plan.options.zones} zone${plan.options.zones > 1 ? 's' : ''}${plan.options.egress ? ' with zone egress' : ''} in ${plan.dir}, ports ${plan.ports.first}-${plan.ports.last}, Envoy ${o.envoyBinary}\n`);
    print(planText(plan));
    const ws = waves(plan);
    for (const wave of ws) {
      const w = wave[0]!.wave;
      if (w === 1) await configureGlobal(plan, print);
      if (w === 2) await waitZonesSynced(plan, state, print, o.readyTimeoutMs, () => interrupted);
      // Tokens first (they are quick), then every process of the wave at once, then their readiness in order.
      await Promise.all(wave.flatMap((c) => c.tokens.map((t) => fetchToken(plan, t, c.name))));
      for (const c of wave) {
        for (const f of c.files) writeFileSync(f.path, f.content);
        const sp = spawnDetached([...self, ...c.args], { env: childEnvironment(c.env), cwd: plan.dir, log: c.log });
        running.set(c.name, sp);
        spawnedAt.set(c.name, Date.now());
        state.components.push({ name: c.name, kind: c.kind, zone: c.zone, pid: sp.pid, startTime: sp.startTime, log: c.log, ports: c.ports, ready: c.ready, url: c.url, command: [...self, ...c.args] });
        writeState(state);
      }
      for (const c of wave) {
        current = c;
        print(`starting ${describe(c)} ... `);
        if (interrupted) throw new LabError(`interrupted by ${interrupted}`);
        const timeout = c.kind.endsWith('-cp') ? Math.max(o.readyTimeoutMs, CP_TIMEOUT_FLOOR_MS) : o.readyTimeoutMs;
        const died = running.get(c.name)!.exited.then((how) => `the process ${how}`);
        await waitReady(c.ready, { timeoutMs: timeout, stop: Promise.race([died, interrupt]) });
        if (interrupted) throw new LabError(`interrupted by ${interrupted}`);
        print(`ready (${seconds(Date.now() - spawnedAt.get(c.name)!)})\n`);
        const rec = state.components.find((s) => s.name === c.name)!;
        const kids = descendants(rec.pid);
        if (kids.length) rec.children = kids;
      }
      current = undefined;
      writeState(state);
    }
    state.state = 'up';
    writeState(state);
    // Ctrl-C during the check only ends the check: the lab is up.
    if (o.trafficTimeoutMs > 0) await checkTraffic(plan, print, o.trafficTimeoutMs, () => interrupted);
    print(`\nThe lab is up (${seconds(Date.now() - t0)}).\n`);
    printSummary(state, o.dirHint, print);
    return 0;
  } catch (e) {
    if (lineOpen) print(`failed\n`);
    const msg = (e as Error).message;
    io.err(`Error: ${current ? `${describe(current)}: ` : ''}${msg}\n`);
    if (current && !interrupted) io.err(logTail(current.log));
    print(`Stopping what was started (logs stay in ${join(plan.dir, 'logs')}) ... `);
    const left = await stopLab(state, 5_000);
    if (left.length === 0) removeState(plan.dir);
    print(left.length ? `processes ${left.join(', ')} are still running; run "kuma lab down${o.dirHint}"\n` : 'done\n');
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

function logTail(file: string, lines = 15): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
    return `--- last lines of ${file}\n${text.join('\n')}\n---\n`;
  } catch {
    return '';
  }
}

export function printSummary(s: LabState, dirHint: string, print: Print): void {
  const lines = [
    `  Global API:     ${s.global.apiUrl}/`,
    `  GUI:            ${s.global.apiUrl}/gui`,
    `  kumactl:        kuma get zones --config-file ${s.kumactlConfig}`,
    `                  (or: kuma config control-planes add --name kuma-lab --address ${s.global.apiUrl} --overwrite && kuma get zones)`,
    `  Zones:          ${s.zones.map((z) => `${z.name} ${z.apiUrl}/`).join(', ')}`,
    `  ${s.traffic.crossZone ? 'Cross-zone' : 'Local'} request (${s.traffic.from} in ${s.traffic.fromZone} -> ${s.traffic.service} in ${s.traffic.toZone}):`,
    `                  ${s.traffic.curl}`,
    `  Logs:           ${join(s.dir, 'logs')}/`,
    `  Status, stop:   kuma lab status${dirHint}   kuma lab down${dirHint}`,
  ];
  print(`\nWhat runs where:\n${runsWhereTable(s.components)}\n${lines.join('\n')}\n`);
}
