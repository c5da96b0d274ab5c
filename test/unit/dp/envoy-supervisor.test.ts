/**
 * The supervisor's state machine against a fake Envoy process (a shell
 * script from fixtures.ts): exact state sequences, restart delays, the drain
 * calls, SIGTERM then SIGKILL. The real Envoy is in envoy-supervisor-envoy.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type EnvoySupervisorOptions, EnvoySupervisor, envoyArgs, restartDelayMs } from '../../../internal/dp/envoy-supervisor';
import { ENVOY_LOG_FORMAT } from '../../../internal/dp/envoy-log';
import { freePort, isAlive, memoryLogger, tempDir, waitFor, writeFakeEnvoy } from './fixtures';

const dir = tempDir();
const fake = writeFakeEnvoy(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runsFile = '';
let seq = 0;
const live: EnvoySupervisor[] = [];
afterEach(async () => {
  await Promise.all(live.splice(0).map((s) => s.stop()));
});

function supervisor(mode: string, opts: Partial<EnvoySupervisorOptions> = {}, env: Record<string, string> = {}) {
  runsFile = join(dir, `runs-${++seq}`);
  const dp = memoryLogger('dp');
  const envoy = memoryLogger('envoy');
  const s = new EnvoySupervisor(
    {
      binaryPath: fake,
      bootstrapPath: join(dir, 'bootstrap.yaml'),
      drainTimeMs: 0,
      restart: { baseMs: 20, maxMs: 50, resetAfterMs: 60_000 },
      killTimeoutMs: 2_000,
      env: { ...process.env, FAKE_ENVOY_MODE: mode, FAKE_ENVOY_RUNS: runsFile, ...env },
      ...opts,
    },
    { log: dp.log, envoyLog: envoy.log },
  );
  live.push(s);
  return { s, dpLog: dp.records, envoyLog: envoy.records };
}

function runs(): { pid: number; args: string }[] {
  try {
    return readFileSync(runsFile, 'utf8')
      .trim()
      .split('\n')
      .filter((l) => l)
      .map((l) => ({ pid: Number(l.slice(0, l.indexOf(' '))), args: l.slice(l.indexOf(' ') + 1) }));
  } catch {
    return [];
  }
}

async function adminDouble(): Promise<{ server: Server; port: number; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    res.end('OK\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port, calls };
}

describe('restartDelayMs', () => {
  it('doubles from the base and stops at the cap (1s, 2s, 4s, ... 30s)', () => {
    const p = { baseMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => restartDelayMs(n, p))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });
});

describe('envoyArgs', () => {
  it("is Kuma's command line plus a base id and an explicit log format", () => {
    expect(envoyArgs({ binaryPath: 'envoy', bootstrapPath: '/w/bootstrap.yaml', drainTimeMs: 30_000, baseId: 7 }, 'linux')).toEqual([
      '--config-path',
      '/w/bootstrap.yaml',
      '--base-id',
      '7',
      '--disable-hot-restart',
      '--drain-time-s',
      '30',
      '--drain-strategy',
      'immediate',
      '--log-level',
      'info',
      '--log-format',
      ENVOY_LOG_FORMAT,
      '--cpuset-threads',
    ]);
  });

  it('takes the concurrency, component levels and pino level names', () => {
    const a = envoyArgs({ binaryPath: 'envoy', bootstrapPath: 'b', drainTimeMs: 1_500, baseId: 1, logLevel: 'warn', componentLogLevel: 'upstream:debug', concurrency: 2 }, 'linux');
    expect(a.slice(a.indexOf('--drain-time-s'), a.indexOf('--drain-time-s') + 2)).toEqual(['--drain-time-s', '2']);
    expect(a.slice(a.indexOf('--log-level'), a.indexOf('--log-level') + 2)).toEqual(['--log-level', 'warning']);
    expect(a.slice(-4)).toEqual(['--component-log-level', 'upstream:debug', '--concurrency', '2']);
  });
});

describe('EnvoySupervisor (fake Envoy process)', () => {
  it('starts, runs and stops: idle -> starting -> running -> stopping -> stopped', async () => {
    const { s, envoyLog } = supervisor('run');
    const seen: string[] = [];
    s.onTransition((from, to) => seen.push(`${from}->${to}`));
    s.start();
    await waitFor('running', () => s.state === 'running');
    await waitFor('the fake to log', () => envoyLog.some((r) => r.msg === 'fake envoy run 1 starting'));
    const pid = s.pid!;
    expect(runs()).toEqual([{ pid, args: s.args.join(' ') }]);
    await s.stop();
    expect(s.history).toEqual(['idle', 'starting', 'running', 'stopping', 'stopped']);
    expect(seen).toEqual(['idle->starting', 'starting->running', 'running->stopping', 'stopping->stopped']);
    expect(isAlive(pid)).toBe(false);
    expect(s.pid).toBeUndefined();
    await waitFor('the SIGTERM log line', () => envoyLog.some((r) => r.msg === 'caught SIGTERM'));
  });

  it('pipes stdout and stderr lines into pino with the Envoy level', async () => {
    const { s, envoyLog } = supervisor('crash');
    s.start();
    await waitFor('the critical line', () => envoyLog.find((r) => r.msg === 'boom'));
    await waitFor('the continuation line', () => envoyLog.find((r) => r.msg === '  continuation of boom'));
    await s.stop();
    const boom = envoyLog.find((r) => r.msg === 'boom')!;
    expect(boom).toMatchObject({ level: 60, component: 'envoy', logger: 'main', source: 'source/server/server.cc:1', stream: 'stderr' });
    // A line that is not in Envoy's format keeps the level of the line before it.
    expect(envoyLog.find((r) => r.msg === '  continuation of boom')).toMatchObject({ level: 60, stream: 'stderr' });
    expect(envoyLog.find((r) => r.msg === 'stdout line of run 1')).toMatchObject({ level: 30, stream: 'stdout' });
    expect(envoyLog.find((r) => r.msg === 'fake envoy run 1 starting')).toMatchObject({ level: 30 });
  });

  it('restarts a crashing Envoy with doubling delays: (crashed -> backoff -> starting)*', async () => {
    const { s, dpLog } = supervisor('crash-twice');
    s.start();
    await waitFor('the third run', () => s.state === 'running' && runs().length === 3);
    expect(s.history).toEqual(['idle', 'starting', 'running', 'crashed', 'backoff', 'starting', 'running', 'crashed', 'backoff', 'starting', 'running']);
    expect(s.restarts).toBe(2);
    const crashes = dpLog.filter((r) => r.level === 50);
    expect(crashes.map((r) => [r.code, r.restartInMs])).toEqual([
      [3, 20],
      [3, 40],
    ]);
    expect(crashes[0]!.msg).toMatch(/^Envoy exited with code 3 after \d+ms; restarting it in 20ms$/);
    // Every state change is logged as "from -> to".
    expect(dpLog.filter((r) => r.msg.startsWith('envoy ') && r.msg.includes(' -> ')).map((r) => r.msg)).toEqual(
      s.history.slice(1).map((to, i) => `envoy ${s.history[i]} -> ${to}`),
    );
    await s.stop();
    expect(s.history.slice(-2)).toEqual(['stopping', 'stopped']);
  });

  it('caps the delay at maxMs', async () => {
    const { s, dpLog } = supervisor('crash');
    s.start();
    await waitFor('five crashes', () => dpLog.filter((r) => r.level === 50).length >= 5);
    await s.stop();
    expect(dpLog.filter((r) => r.level === 50).slice(0, 5).map((r) => r.restartInMs)).toEqual([20, 40, 50, 50, 50]);
  });

  it('resets the delay after a run that lasted resetAfterMs', async () => {
    const { s, dpLog } = supervisor('crash-after', { restart: { baseMs: 20, maxMs: 1_000, resetAfterMs: 150 } }, { FAKE_ENVOY_UPTIME: '0.3' });
    s.start();
    await waitFor('three crashes', () => dpLog.filter((r) => r.level === 50).length >= 3, 15_000);
    await s.stop();
    expect(dpLog.filter((r) => r.level === 50).slice(0, 3).map((r) => r.restartInMs)).toEqual([20, 20, 20]);
  });

  it('stops from backoff without starting Envoy again', async () => {
    const { s } = supervisor('crash', { restart: { baseMs: 10_000, maxMs: 10_000, resetAfterMs: 60_000 } });
    s.start();
    await waitFor('backoff', () => s.state === 'backoff');
    await s.stop();
    expect(s.history).toEqual(['idle', 'starting', 'running', 'crashed', 'backoff', 'stopping', 'stopped']);
    expect(runs()).toHaveLength(1);
  });

  it('drains through the admin API, waits the drain time, then SIGTERMs', async () => {
    const admin = await adminDouble();
    try {
      const { s, envoyLog } = supervisor('run', { admin: { host: '127.0.0.1', port: admin.port }, drainTimeMs: 300 });
      s.start();
      await waitFor('running', () => s.state === 'running' && runs().length === 1);
      const t0 = Date.now();
      await s.stop();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
      expect(admin.calls).toEqual(['POST /healthcheck/fail', 'POST /drain_listeners?graceful']);
      expect(s.history).toEqual(['idle', 'starting', 'running', 'stopping', 'stopped']);
      await waitFor('the SIGTERM log line', () => envoyLog.some((r) => r.msg === 'caught SIGTERM'));
    } finally {
      admin.server.close();
    }
  });

  it('a second stop() cuts the drain wait short', async () => {
    const admin = await adminDouble();
    try {
      const { s } = supervisor('run', { admin: { host: '127.0.0.1', port: admin.port }, drainTimeMs: 30_000 });
      s.start();
      await waitFor('running', () => s.state === 'running' && runs().length === 1);
      const t0 = Date.now();
      const first = s.stop();
      await waitFor('the drain call', () => admin.calls.length === 2);
      const second = s.stop();
      await Promise.all([first, second]);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(s.history).toEqual(['idle', 'starting', 'running', 'stopping', 'stopped']);
    } finally {
      admin.server.close();
    }
  });

  it('stops without a drain when the admin does not answer', async () => {
    const { s, dpLog } = supervisor('run', { admin: { host: '127.0.0.1', port: await freePort() }, drainTimeMs: 30_000 });
    s.start();
    await waitFor('running', () => s.state === 'running' && runs().length === 1);
    const t0 = Date.now();
    await s.stop();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(dpLog.find((r) => r.level === 40)?.msg).toMatch(/^could not ask Envoy to drain through its admin at 127\.0\.0\.1:\d+ .*; stopping it without a drain$/);
  });

  it('SIGKILLs an Envoy that ignores SIGTERM after killTimeoutMs', async () => {
    const { s, dpLog } = supervisor('ignore-term', { killTimeoutMs: 200 });
    s.start();
    await waitFor('running', () => s.state === 'running' && runs().length === 1);
    const pid = s.pid!;
    await s.stop();
    expect(isAlive(pid)).toBe(false);
    expect(dpLog.some((r) => r.msg === 'Envoy did not exit within 200ms of SIGTERM; sending SIGKILL')).toBe(true);
    expect(s.history).toEqual(['idle', 'starting', 'running', 'stopping', 'stopped']);
  });

  it('treats a binary that cannot be spawned as a crash: starting -> crashed -> backoff', async () => {
    const { s, dpLog } = supervisor('run', { binaryPath: join(dir, 'no-such-envoy'), parentDeathSignal: false, restart: { baseMs: 10_000, maxMs: 10_000, resetAfterMs: 1 } });
    s.start();
    await waitFor('backoff', () => s.state === 'backoff');
    expect(s.history).toEqual(['idle', 'starting', 'crashed', 'backoff']);
    expect(dpLog.find((r) => r.level === 50)?.msg).toMatch(/^Envoy could not be started \(spawn .*no-such-envoy ENOENT\) after 0ms; restarting it in 10000ms$/);
    await s.stop();
    expect(s.history.slice(-2)).toEqual(['stopping', 'stopped']);
  });

  it('refuses illegal moves: start twice, start after stop; stop before start goes idle -> stopped', async () => {
    const a = supervisor('run').s;
    expect(() => {
      a.start();
      a.start();
    }).toThrow('cannot start the Envoy supervisor in state starting');
    await a.stop();
    expect(() => a.start()).toThrow('cannot start the Envoy supervisor in state stopped');
    const b = supervisor('run').s;
    await b.stop();
    expect(b.history).toEqual(['idle', 'stopped']);
    expect(runs()).toEqual([]);
    // stop() is idempotent.
    await b.stop();
    expect(b.history).toEqual(['idle', 'stopped']);
  });
});
