/**
 * Runs one Envoy process and keeps it running (spec kuma-api-cli.md §4.6).
 *
 * States and the only legal moves:
 *
 *   idle -> starting -> running -> crashed -> backoff -> starting -> ...   (restart loop)
 *   starting -> crashed                  (spawn failed, or exited before it was seen running)
 *   starting | running | crashed | backoff -> stopping -> stopped            (stop())
 *   idle -> stopped                      (stop() before start())
 *
 * Unlike Kuma's kuma-dp (which exits when Envoy exits and leaves restarting
 * to systemd or Kubernetes), an Envoy that exits on its own is restarted
 * after an exponential backoff: RESTART base 1s, doubling, capped at 30s, and
 * back to 1s once a run lasted 60s.
 *
 * stop() drains like kuma-dp: POST admin /healthcheck/fail (readiness turns
 * 503) and /drain_listeners?graceful (listeners drain with Envoy's
 * --drain-time-s and --drain-strategy immediate), wait the drain time (a
 * second stop() cuts it short), SIGTERM, then SIGKILL if Envoy is still there
 * after killTimeoutMs. Envoy 1.40 does not exit by itself after a graceful
 * drain, so the SIGTERM always follows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import type { Logger } from 'pino';
import { type AdminAddress, formatAdminAddress, postAdmin } from './envoy-admin';
import { ENVOY_LOG_FORMAT, EnvoyLogSink, envoyLogLevel } from './envoy-log';

export type EnvoyState = 'idle' | 'starting' | 'running' | 'crashed' | 'backoff' | 'stopping' | 'stopped';

export interface RestartPolicy {
  /** Delay before the first restart. */
  baseMs: number;
  /** Cap of the doubling delay. */
  maxMs: number;
  /** A run at least this long resets the delay to baseMs. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { baseMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };
/** How long Envoy gets between SIGTERM and SIGKILL (Kuma waits 5s too). */
export const DEFAULT_KILL_TIMEOUT_MS = 5_000;
const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];

/** Delay before restart number `attempt` (0 for the first one): baseMs * 2^attempt, capped at maxMs. */
export function restartDelayMs(attempt: number, p: RestartPolicy): number {
  return Math.min(p.maxMs, p.baseMs * 2 ** Math.min(attempt, 30));
}

export interface EnvoySupervisorOptions {
  binaryPath: string;
  bootstrapPath: string;
  /** Envoy's --drain-time-s (rounded up to seconds) and how long stop() waits for the drain. */
  drainTimeMs: number;
  /** Envoy --log-level; pino names (warn, fatal, silent) are translated. Default info. */
  logLevel?: string;
  /** Envoy --component-log-level, e.g. "upstream:debug,connection:trace". */
  componentLogLevel?: string;
  /** Envoy --concurrency; 0 or absent = --cpuset-threads on Linux (Kuma's default), Envoy's default elsewhere. */
  concurrency?: number;
  /** Where Envoy's admin listens, for the drain calls; without it stop() goes straight to SIGTERM. */
  admin?: AdminAddress;
  restart?: Partial<RestartPolicy>;
  killTimeoutMs?: number;
  /** Envoy --base-id; default unique per process and supervisor. */
  baseId?: number;
  /** Appended to Envoy's arguments. */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Run Envoy through `setpriv --pdeathsig KILL` when setpriv exists (Linux),
   * so Envoy dies with us even on SIGKILL, as Kuma's Pdeathsig does. Default true.
   */
  parentDeathSignal?: boolean;
}

export interface EnvoySupervisorDeps {
  /** Supervisor's own log (component dp). */
  log: Logger;
  /** Envoy's output (component envoy). */
  envoyLog: Logger;
}

export type TransitionListener = (from: EnvoyState, to: EnvoyState) => void;

let instances = 0;

/** Unique among live processes (pid) and among the supervisors of this process (counter). */
function defaultBaseId(): number {
  return (process.pid % 1_000_000) * 100 + (instances++ % 100);
}

/** Envoy's command line (without the binary). */
export function envoyArgs(o: EnvoySupervisorOptions & { baseId: number }, platform: NodeJS.Platform = process.platform): string[] {
  const args = [
    '--config-path',
    o.bootstrapPath,
    // Hot restart is off (Kuma does the same): no shared memory or domain socket to collide on.
    // The base id is still unique so that re-enabling it through extraArgs cannot collide either.
    '--base-id',
    String(o.baseId),
    '--disable-hot-restart',
    '--drain-time-s',
    String(Math.ceil(o.drainTimeMs / 1000)),
    '--drain-strategy',
    'immediate',
    '--log-level',
    envoyLogLevel(o.logLevel ?? 'info'),
    '--log-format',
    ENVOY_LOG_FORMAT,
  ];
  if (o.componentLogLevel) args.push('--component-log-level', o.componentLogLevel);
  if (o.concurrency && o.concurrency > 0) args.push('--concurrency', String(o.concurrency));
  else if (platform === 'linux') args.push('--cpuset-threads');
  args.push(...(o.extraArgs ?? []));
  return args;
}

function findSetpriv(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const p of SETPRIV_PATHS) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** One spawned Envoy. `exited` resolves once, whether it exited or never spawned. */
interface Child {
  proc: ChildProcess;
  exited: Promise<void>;
  gone: boolean;
}

export class EnvoySupervisor {
  readonly #o: EnvoySupervisorOptions & { baseId: number };
  readonly #policy: RestartPolicy;
  readonly #d: EnvoySupervisorDeps;
  /** Only #transition writes it. */
  #state: EnvoyState = 'idle';
  /** Every state entered, in order, starting with idle. */
  readonly #history: EnvoyState[] = ['idle'];
  readonly #listeners: TransitionListener[] = [];
  /** The live Envoy; set in starting, cleared when it exits. Never set in backoff or stopped. */
  #child: Child | undefined;
  /** Restarts so far in the current streak; the next delay is restartDelayMs(#attempt). */
  #attempt = 0;
  #restarts = 0;
  #runningSince = 0;
  /** Set by crash handling, used by the backoff entry action. */
  #nextDelayMs = 0;
  #backoffTimer: NodeJS.Timeout | undefined;
  /** Resolved by a second stop() to cut the drain wait short. */
  #hurry: () => void = () => {};
  readonly #hurried: Promise<void>;
  #resolveStopped!: () => void;
  readonly #stopped: Promise<void>;
  readonly #killOnExit = () => this.#child?.proc.kill('SIGKILL');

  constructor(opts: EnvoySupervisorOptions, deps: EnvoySupervisorDeps) {
    this.#o = { ...opts, baseId: opts.baseId ?? defaultBaseId() };
    this.#policy = { ...DEFAULT_RESTART_POLICY, ...opts.restart };
    this.#d = deps;
    this.#stopped = new Promise((r) => (this.#resolveStopped = r));
    this.#hurried = new Promise((r) => (this.#hurry = r));
  }

  get state(): EnvoyState {
    return this.#state;
  }

  /** Every state entered so far, starting with idle (tests assert on it). */
  get history(): readonly EnvoyState[] {
    return this.#history;
  }

  /** Pid of the running Envoy, if any. */
  get pid(): number | undefined {
    return this.#child && !this.#child.gone ? this.#child.proc.pid : undefined;
  }

  /** How many times Envoy was restarted after exiting on its own. */
  get restarts(): number {
    return this.#restarts;
  }

  get args(): string[] {
    return envoyArgs(this.#o);
  }

  /** Called after every transition, after its entry action ran. */
  onTransition(l: TransitionListener): void {
    this.#listeners.push(l);
  }

  /** Resolves when the supervisor reached `stopped`. */
  done(): Promise<void> {
    return this.#stopped;
  }

  start(): void {
    if (!this.#transition(['idle'], 'starting')) throw new Error(`cannot start the Envoy supervisor in state ${this.#state}`);
  }

  /**
   * Drains and stops Envoy; resolves when it is gone. Idempotent. A second
   * call while the drain wait is running cuts the wait short (a second Ctrl-C).
   */
  stop(): Promise<void> {
    if (this.#state === 'stopping') this.#hurry();
    else if (this.#state === 'idle') this.#transition(['idle'], 'stopped');
    else this.#transition(['starting', 'running', 'crashed', 'backoff'], 'stopping');
    return this.#stopped;
  }

  /** The one door: refuses a move from a state not in `from`, logs `from -> to`, runs the entry action, notifies. */
  #transition(from: EnvoyState[], to: EnvoyState): boolean {
    const prev = this.#state;
    if (!from.includes(prev)) {
      this.#d.log.debug({ from: prev, to }, `envoy supervisor: refused ${prev} -> ${to}`);
      return false;
    }
    this.#state = to;
    this.#history.push(to);
    this.#d.log.info({ from: prev, to, pid: this.pid }, `envoy ${prev} -> ${to}`);
    switch (to) {
      case 'starting':
        this.#spawn();
        break;
      case 'running':
        this.#runningSince = Date.now();
        break;
      case 'crashed':
        // Logged with the exit status by #onExit, which moves on to backoff.
        break;
      case 'backoff':
        this.#backoffTimer = setTimeout(() => {
          this.#backoffTimer = undefined;
          this.#restarts++;
          this.#transition(['backoff'], 'starting');
        }, this.#nextDelayMs);
        break;
      case 'stopping':
        if (this.#backoffTimer) clearTimeout(this.#backoffTimer);
        this.#backoffTimer = undefined;
        void this.#shutdown(prev === 'running');
        break;
      case 'stopped':
        this.#resolveStopped();
        break;
      case 'idle':
        break;
    }
    for (const l of this.#listeners) l(prev, to);
    return true;
  }

  #spawn(): void {
    const args = envoyArgs(this.#o);
    const setpriv = this.#o.parentDeathSignal === false ? undefined : findSetpriv();
    const [cmd, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', this.#o.binaryPath, ...args]] : [this.#o.binaryPath, args];
    this.#d.log.debug({ cmd, args: argv }, 'spawning envoy');
    // Own process group (detached): a terminal's Ctrl-C reaches kuma only, which then drains Envoy.
    const proc = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: this.#o.env ?? process.env, cwd: this.#o.cwd });
    let markGone!: () => void;
    const child: Child = { proc, gone: false, exited: new Promise((r) => (markGone = r)) };
    this.#child = child;
    process.on('exit', this.#killOnExit);
    const out = new EnvoyLogSink(this.#d.envoyLog, 'stdout');
    const err = new EnvoyLogSink(this.#d.envoyLog, 'stderr');
    proc.stdout!.on('data', (c: Buffer) => out.write(c));
    proc.stderr!.on('data', (c: Buffer) => err.write(c));
    proc.stdout!.on('end', () => out.end());
    proc.stderr!.on('end', () => err.end());
    const gone = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (child.gone) return;
      child.gone = true;
      if (this.#child === child) this.#child = undefined;
      process.removeListener('exit', this.#killOnExit);
      markGone();
      this.#onExit(code, signal, error);
    };
    proc.once('spawn', () => {
      if (this.#child === child) this.#transition(['starting'], 'running');
    });
    // 'error' without 'exit' is how a failed spawn (ENOENT, EACCES) shows.
    proc.once('error', (e) => gone(null, null, e));
    proc.once('exit', (code, signal) => gone(code, signal));
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    if (this.#state === 'stopping') return; // expected; #shutdown is waiting for it
    const uptimeMs = this.#state === 'running' ? Date.now() - this.#runningSince : 0;
    if (uptimeMs >= this.#policy.resetAfterMs) this.#attempt = 0;
    this.#nextDelayMs = restartDelayMs(this.#attempt++, this.#policy);
    const how = error ? `could not be started (${error.message})` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    this.#d.log.error(
      { code, signal, uptimeMs, err: error, restartInMs: this.#nextDelayMs },
      `Envoy ${how} after ${uptimeMs}ms; restarting it in ${this.#nextDelayMs}ms`,
    );
    this.#transition(['starting', 'running'], 'crashed');
    this.#transition(['crashed'], 'backoff');
  }

  async #shutdown(wasRunning: boolean): Promise<void> {
    const child = this.#child;
    if (child && wasRunning && this.#o.admin) {
      const where = formatAdminAddress(this.#o.admin);
      try {
        await postAdmin(this.#o.admin, '/healthcheck/fail');
        await postAdmin(this.#o.admin, '/drain_listeners?graceful');
        this.#d.log.info({ drainTimeMs: this.#o.drainTimeMs }, `draining Envoy (admin ${where}) for ${this.#o.drainTimeMs}ms, then stopping it`);
        await Promise.race([child.exited, sleep(this.#o.drainTimeMs), this.#hurried]);
      } catch (e) {
        this.#d.log.warn({ err: e }, `could not ask Envoy to drain through its admin at ${where} (${(e as Error).message}); stopping it without a drain`);
      }
    }
    if (child && !child.gone) {
      child.proc.kill('SIGTERM');
      const killTimeoutMs = this.#o.killTimeoutMs ?? DEFAULT_KILL_TIMEOUT_MS;
      const timedOut = await Promise.race([child.exited.then(() => false), sleep(killTimeoutMs).then(() => true)]);
      if (timedOut && !child.gone) {
        this.#d.log.warn({ pid: child.proc.pid }, `Envoy did not exit within ${killTimeoutMs}ms of SIGTERM; sending SIGKILL`);
        child.proc.kill('SIGKILL');
        await child.exited;
      }
    }
    this.#transition(['stopping'], 'stopped');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
