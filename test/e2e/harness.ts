/**
 * E2E harness: runs the built binary (dist/kuma) as real processes on
 * loopback ports, in temp folders. Nothing here fakes a part of the product.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { envoyBinary } from '../support/envoy';

export const ROOT = resolve(__dirname, '../..');

/** The binary under test: $KUMA_BIN or dist/kuma (built by `npm test` before the suites run). */
export function kumaBinary(): string {
  const bin = process.env.KUMA_BIN ?? join(ROOT, 'dist/kuma');
  if (!existsSync(bin)) throw new Error(`${bin} does not exist: run "npm run build" first`);
  return bin;
}

/**
 * A free TCP port for a server the test starts later. Ports come from below the
 * kernel's ephemeral range (32768-60999 here): a port listen(0) returned is
 * ephemeral, and the kernel may hand it to an outgoing connection before our
 * server binds it. Each port is handed out once per process and checked free.
 */
const handedOut = new Set<number>();
const PORT_MIN = 20000;
const PORT_MAX = 32000;

function bindable(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port found in [${PORT_MIN}, ${PORT_MAX})`);
}

export function tempDir(prefix = 'kuma-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The environment for child processes: no NODE_OPTIONS (a SEA honours it), a private HOME. */
export function childEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Many kuma dp run at once on one host: each readiness reporter takes a free port, not 9902.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, KUMA_NATIVE_CACHE: join(tmpdir(), 'kuma-native-cache'), KUMA_READINESS_PORT: '0', ...extra };
  return env;
}

export interface ControlPlane {
  apiUrl: string;
  apiPort: number;
  /** The HTTPS API port (same routes; the CP's generated certificate is <workDir>/kuma-cp.crt). */
  apiHttpsPort: number;
  diagPort: number;
  /** The DP server (bootstrap + ADS) port. */
  dpPort: number;
  workDir: string;
  proc: ChildProcess;
  logs: () => string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill9(): Promise<void>;
}

export interface StartOptions {
  workDir?: string;
  apiPort?: number;
  diagPort?: number;
  env?: Record<string, string>;
  args?: string[];
  /** Resolve once /ready answers 200 (default) or fail after this long. */
  readyTimeoutMs?: number;
}

export async function startCp(opts: StartOptions = {}): Promise<ControlPlane> {
  const workDir = opts.workDir ?? tempDir('kuma-cp-');
  mkdirSync(workDir, { recursive: true });
  const apiPort = opts.apiPort ?? (await freePort());
  const diagPort = opts.diagPort ?? (await freePort());
  const dpPort = Number(opts.env?.KUMA_DP_SERVER_PORT ?? (await freePort()));
  const apiHttpsPort = Number(opts.env?.KUMA_API_SERVER_HTTPS_PORT ?? (await freePort()));
  const env = childEnv(workDir, {
    KUMA_GENERAL_WORK_DIR: workDir,
    KUMA_API_SERVER_HTTP_PORT: String(apiPort),
    KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
    KUMA_API_SERVER_HTTPS_INTERFACE: '127.0.0.1',
    KUMA_DIAGNOSTICS_SERVER_PORT: String(diagPort),
    KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT: String(await freePort()),
    ...opts.env,
    KUMA_DP_SERVER_PORT: String(dpPort),
    KUMA_API_SERVER_HTTPS_PORT: String(apiHttpsPort),
  });
  const proc = spawn(kumaBinary(), ['control-plane', 'run', ...(opts.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`control plane exited with ${proc.exitCode}:\n${out}`);
    try {
      const r = await fetch(`http://127.0.0.1:${diagPort}/ready`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`control plane not ready in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    apiPort,
    apiHttpsPort,
    diagPort,
    dpPort,
    workDir,
    proc,
    logs: () => out,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kuma ARGS` with a private HOME (so ~/.kumactl/config is the test's own). */
export function runKuma(args: string[], opts: { home: string; input?: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number }): Promise<RunResult> {
  const p = spawn(kumaBinary(), args, { env: childEnv(opts.home, opts.env), cwd: opts.cwd ?? opts.home, stdio: ['pipe', 'pipe', 'pipe'] });
  return collect(p, opts.input, opts.timeoutMs ?? 30_000);
}

/** Feeds `input` to a piped child and gathers its output and exit code; SIGKILL after timeoutMs. */
export function collect(p: ChildProcess, input: string | undefined, timeoutMs: number): Promise<RunResult> {
  return new Promise((res, rej) => {
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d) => (stdout += d));
    p.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('error', rej);
    p.once('exit', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
    // A child that exits before reading its stdin fails this write with EPIPE; its exit code says what happened.
    p.stdin!.on('error', () => {});
    p.stdin!.end(input ?? '');
  });
}

/** A HOME whose kumactl config points at `cp` (through `kuma config control-planes add`). */
export async function kumactlHome(cp: ControlPlane): Promise<string> {
  const home = tempDir('kuma-home-');
  const r = await runKuma(['config', 'control-planes', 'add', '--name', 'test', '--address', cp.apiUrl], { home });
  if (r.code !== 0) throw new Error(`config control-planes add failed: ${r.stderr}`);
  return home;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Plain HTTP helper against a CP's API. */
export async function api(cp: { apiUrl: string }, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    if (!headers['content-type']) (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const r = await fetch(cp.apiUrl + path, init);
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, json, text };
}

/** Polls `fn` until it returns without throwing (its value) or the time is up (its last error). */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface Multizone {
  global: ControlPlane;
  kdsPort: number;
  zones: Record<string, ControlPlane>;
}

/** A global CP with KDS on a known port (so it can be restarted on it). */
export async function startGlobal(opts: { kdsPort?: number; workDir?: string; apiPort?: number; env?: Record<string, string>; args?: string[] } = {}): Promise<ControlPlane & { kdsPort: number }> {
  const kdsPort = opts.kdsPort ?? (await freePort());
  const cp = await startCp({
    workDir: opts.workDir,
    apiPort: opts.apiPort,
    args: ['--mode=global', ...(opts.args ?? [])],
    env: { KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT: String(kdsPort), ...opts.env },
  });
  return Object.assign(cp, { kdsPort });
}

/** A federated zone CP dialling the global's KDS port over TLS (self-signed, so verification is skipped). */
export async function startZone(zone: string, kdsPort: number, opts: { workDir?: string; apiPort?: number; env?: Record<string, string>; args?: string[] } = {}): Promise<ControlPlane> {
  return startCp({
    workDir: opts.workDir,
    apiPort: opts.apiPort,
    args: ['--mode=zone', '--zone', zone, '--kds-global-address', `grpcs://127.0.0.1:${kdsPort}`, ...(opts.args ?? [])],
    env: { KUMA_MULTIZONE_ZONE_KDS_TLS_SKIP_VERIFY: 'true', ...opts.env },
  });
}

/** The one Envoy of all tests (test/support/envoy.ts); the e2e suites need it. */
export { envoyBinary };

export interface Proc {
  proc: ChildProcess;
  logs: () => string;
  /** SIGTERM (or another signal) and wait for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Spawns `kuma ARGS` in the background with a private HOME. */
export function spawnKuma(args: string[], opts: { home: string; env?: Record<string, string> }): Proc {
  const proc = spawn(kumaBinary(), args, { env: childEnv(opts.home, opts.env), cwd: opts.home, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    logs: () => out,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Waits until an Envoy admin answers /ready with LIVE. */
export async function waitEnvoyReady(adminPort: number, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => {
    const r = await fetch(`http://127.0.0.1:${adminPort}/ready`);
    const text = await r.text();
    if (r.status !== 200 || !text.includes('LIVE')) throw new Error(`Envoy admin :${adminPort} not ready: ${r.status} ${text}`);
  }, timeoutMs, 100);
}

export interface Proxy {
  name: string;
  admin: number;
  dp: Proc;
}

/**
 * Runs `kuma dp run` (or ingress run) for a resource YAML against a zone CP,
 * with Envoy from the project's install, and waits for Envoy to be ready.
 */
export async function startProxy(opts: {
  cp: ControlPlane;
  home: string;
  name: string;
  yaml: string;
  kind?: 'dp' | 'ingress' | 'egress';
  /** `kuma dp run --proxy-type ingress|egress`: the zone proxy through the dp command (kind stays dp). */
  proxyType?: 'ingress' | 'egress';
  tokenFile?: string;
  waitReady?: boolean;
}): Promise<Proxy> {
  const file = join(opts.home, `${opts.name}.yaml`);
  writeFileSync(file, opts.yaml);
  const admin = await freePort();
  const args = [
    opts.kind ?? 'dp', 'run',
    ...(opts.proxyType ? ['--proxy-type', opts.proxyType] : []),
    '--cp-address', `https://127.0.0.1:${opts.cp.dpPort}`,
    '--dataplane-file', file,
    '--ca-cert-file', join(opts.cp.workDir, 'kuma-cp.crt'),
    '--binary-path', envoyBinary(),
    '--admin-port', String(admin),
    '--concurrency', '1',
    '--drain-time', '1s',
    ...(opts.tokenFile ? ['--dataplane-token-file', opts.tokenFile] : []),
  ];
  const dp = spawnKuma(args, { home: opts.home });
  if (opts.waitReady !== false) await waitEnvoyReady(admin);
  return { name: opts.name, admin, dp };
}

/** Every object in a JSON tree, depth first (Envoy config dumps nest clusters and routes deeply). */
export function* jsonObjects(v: unknown): Generator<Record<string, any>> {
  if (Array.isArray(v)) for (const x of v) yield* jsonObjects(x);
  else if (typeof v === 'object' && v !== null) {
    yield v as Record<string, any>;
    for (const x of Object.values(v)) yield* jsonObjects(x);
  }
}
