/**
 * A network namespace an e2e suite creates for itself, so tests can add local routes, addresses and
 * iptables rules without touching the host's. Inside it the host's 127.0.0.1 is not reachable: every
 * process and every check (curl for the APIs) runs in it through `ip netns exec`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, collect, envoyBinary, eventually, kumaBinary, type RunResult } from './harness';

/** The ports of the zone CP `startZoneCp` runs: each namespace has its own loopback, so fixed ones do not clash. */
export const NS_CP = { api: 15681, diag: 15680, dp: 15678 } as const;

export interface NsProc {
  name: string;
  proc: ChildProcess;
  logs: () => string;
  exited: Promise<number | null>;
}

export class NetNs {
  private readonly procs: NsProc[] = [];
  private created = false;

  constructor(readonly name: string) {}

  /** Creates the namespace with its loopback up; throws (the suite fails) when `ip netns` cannot. */
  create(): void {
    must('ip', ['netns', 'add', this.name]);
    this.created = true;
    this.exec(['ip', 'link', 'set', 'lo', 'up']);
  }

  /** Runs a command inside the namespace synchronously; throws with its stderr when it fails. */
  exec(cmd: string[]): void {
    must('ip', ['netns', 'exec', this.name, ...cmd]);
  }

  /** Runs a command inside the namespace and waits for it (killed after timeoutMs). */
  run(cmd: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    const p = spawn('ip', ['netns', 'exec', this.name, ...cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
    return collect(p, opts.input, opts.timeoutMs ?? 15_000);
  }

  /** Starts a long-running process inside the namespace (ip netns exec execs it: the pid is its own); destroy() stops it. */
  spawn(name: string, cmd: string[], home: string, env: Record<string, string> = {}): NsProc {
    const proc = spawn('ip', ['netns', 'exec', this.name, ...cmd], { env: childEnv(home, env), cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    const p = { name, proc, logs: () => out, exited: new Promise<number | null>((r) => proc.once('exit', (code) => r(code))) };
    this.procs.push(p);
    return p;
  }

  /**
   * A zone CP inside the namespace (memory store, work dir `<home>/cp`, dataplane authn off) on
   * NS_CP's ports; resolves once it serves the default Mesh, throws with its output if it exits.
   */
  async startZoneCp(home: string): Promise<NsProc> {
    const cp = this.spawn('cp', [kumaBinary(), 'control-plane', 'run', '--mode=zone'], home, {
      KUMA_GENERAL_WORK_DIR: join(home, 'cp'),
      KUMA_STORE_TYPE: 'memory',
      KUMA_API_SERVER_HTTP_PORT: String(NS_CP.api),
      KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
      KUMA_API_SERVER_HTTPS_PORT: String(NS_CP.api + 1),
      KUMA_DIAGNOSTICS_SERVER_PORT: String(NS_CP.diag),
      KUMA_DP_SERVER_PORT: String(NS_CP.dp),
      KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none',
    });
    const status = async (url: string) => {
      if (cp.proc.exitCode !== null) throw new Error(`cp exited:\n${cp.logs()}`);
      const r = await this.curl('GET', url);
      if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
    };
    await eventually(() => status(`http://127.0.0.1:${NS_CP.diag}/ready`), 30_000, 200);
    await eventually(() => status(`http://127.0.0.1:${NS_CP.api}/meshes/default`), 10_000, 200);
    return cp;
  }

  /** `kuma dp run` inside the namespace for a Dataplane YAML, against startZoneCp's CP (not waited for). */
  startDataplane(home: string, name: string, yaml: string, adminPort: number, extraArgs: string[] = []): NsProc {
    const file = join(home, `${name}.yaml`);
    writeFileSync(file, yaml);
    return this.spawn(name, [kumaBinary(), 'dp', 'run', '--cp-address', `https://127.0.0.1:${NS_CP.dp}`, '--dataplane-file', file,
      '--ca-cert-file', join(home, 'cp', 'kuma-cp.crt'), '--binary-path', envoyBinary(), '--admin-port', String(adminPort),
      '--concurrency', '1', '--drain-time', '1s', ...extraArgs], home);
  }

  /** curl inside the namespace: the status and body (and the body as JSON when it is). */
  async curl(method: string, url: string, body?: unknown): Promise<{ status: number; text: string; json: any }> {
    const args = ['curl', '-s', '-m', '5', '-X', method, '-w', '\n%{http_code}', url];
    if (body !== undefined) args.push('-H', 'content-type: application/json', '--data-binary', '@-');
    const r = await this.run(args, { input: body === undefined ? '' : JSON.stringify(body) });
    const i = r.stdout.lastIndexOf('\n');
    const text = r.stdout.slice(0, i);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: Number(r.stdout.slice(i + 1)) || 0, text, json };
  }

  /**
   * An HTTP GET of http://<host>:<port>/ from inside the namespace, resolving the host with
   * kuma-dp's resolver (node's c-ares Resolver pointed at 127.0.0.1:<dnsPort>), as an application
   * would; the status, body and the address the request went to.
   */
  async httpViaDns(dnsPort: number, host: string, port = 80): Promise<{ status: number; body: string; ip: string }> {
    const script = `
const dns = require('node:dns');
const http = require('node:http');
const r = new dns.Resolver({ timeout: 2000, tries: 1 });
r.setServers(['127.0.0.1:' + process.argv[2]]);
const lookup = (h, o, cb) => r.resolve4(h, (err, a) => {
  if (err) return cb(err);
  if (o && o.all) return cb(null, [{ address: a[0], family: 4 }]);
  cb(null, a[0], 4);
});
const req = http.get({ host: process.argv[1], port: Number(process.argv[3]), path: '/', lookup, timeout: 5000, agent: false }, (res) => {
  const ip = res.socket ? res.socket.remoteAddress : '';
  let b = '';
  res.on('data', (d) => (b += d));
  res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, body: b, ip })));
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (e) => { console.log(JSON.stringify({ status: 0, body: String(e.message), ip: '' })); });`;
    const r = await this.run([process.execPath, '-e', script, host, String(dnsPort), String(port)]);
    const last = r.stdout.trim().split('\n').pop();
    return last ? JSON.parse(last) : { status: 0, body: `no output (exit ${r.code}): ${r.stderr.trim()}`, ip: '' };
  }

  /** Stops the processes, last started first (SIGTERM, then SIGKILL after 8 s), and deletes the namespace. */
  async destroy(): Promise<void> {
    const alive = (p: NsProc) => p.proc.exitCode === null && p.proc.signalCode === null;
    for (const p of [...this.procs].reverse()) if (alive(p)) p.proc.kill('SIGTERM');
    await Promise.race([Promise.all(this.procs.map((p) => p.exited)), new Promise((r) => setTimeout(r, 8_000))]);
    for (const p of this.procs) if (alive(p)) p.proc.kill('SIGKILL');
    await Promise.all(this.procs.map((p) => p.exited));
    if (this.created) spawnSync('ip', ['netns', 'del', this.name], { stdio: 'ignore' });
  }
}

function must(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
}
