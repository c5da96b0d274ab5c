/**
 * MeshPassthrough on real Envoy with real iptables: the application's outbound TCP is redirected
 * to the sidecar's `outbound:passthrough:ipv4` (redirectPortOutbound 15001), whose ORIGINAL_DST
 * cluster connects to the address the application dialled, or whose blackhole closes it, as the
 * passthroughMode (All / Matched / None) says.
 *
 * Everything runs inside a network namespace this suite creates (`kuma-pt-<pid>`; loopback up,
 * 198.18.0.10 and 198.18.0.11 on it, one HTTP server each) and deletes afterwards; the host's
 * routes and tables are never touched. Only the client's traffic is intercepted: the iptables rule
 * matches the uid `nobody`, and the client is curl run as nobody (Envoy, the CP and the servers run
 * as root, so their own connections pass untouched). Needs root, `ip netns` and iptables (make deps
 * installs it): without them the suite fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, envoyBinary, eventually, kumaBinary, removeDir, tempDir } from './harness';

const NS = `kuma-pt-${process.pid}`;
const A = '198.18.0.10';
const B = '198.18.0.11';
const UPSTREAM_PORT = 8080;
const CP = { api: 15681, diag: 15680, dp: 15678 };
const ADMIN = 19901;
const API = `http://127.0.0.1:${CP.api}`;

function nsRun(cmd: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', NS, ...cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
    p.once('error', reject);
    p.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
    p.stdin.end(opts.input ?? '');
  });
}

function must(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
}

interface NsProc {
  name: string;
  proc: ChildProcess;
  logs: () => string;
  exited: Promise<number | null>;
}
const procs: NsProc[] = [];

function nsSpawn(name: string, cmd: string[], home: string, env: Record<string, string> = {}): NsProc {
  const proc = spawn('ip', ['netns', 'exec', NS, ...cmd], { env: childEnv(home, env), cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const p = { name, proc, logs: () => out, exited: new Promise<number | null>((r) => proc.once('exit', (code) => r(code))) };
  procs.push(p);
  return p;
}

async function curl(method: string, url: string, body?: unknown): Promise<{ status: number; text: string; json: any }> {
  const args = ['curl', '-s', '-m', '5', '-X', method, '-w', '\n%{http_code}', url];
  if (body !== undefined) args.push('-H', 'content-type: application/json', '--data-binary', '@-');
  const r = await nsRun(args, { input: body === undefined ? '' : JSON.stringify(body) });
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

/** The application's request: curl as `nobody`, so iptables sends it to the sidecar. */
async function appGet(ip: string): Promise<{ ok: boolean; body: string; exit: number | null }> {
  const r = await nsRun(['runuser', '-u', 'nobody', '--', 'curl', '-s', '-m', '3', `http://${ip}:${UPSTREAM_PORT}/`]);
  return { ok: r.code === 0 && r.stdout.startsWith('upstream '), body: r.stdout, exit: r.code };
}

/** A counter of the passthrough listener's chains: proof a request went through Envoy, not around it. */
async function statSum(prefix: string): Promise<number> {
  const r = await curl('GET', `http://127.0.0.1:${ADMIN}/stats?filter=${encodeURIComponent(prefix)}`);
  return r.text.split('\n').reduce((n, l) => n + (l.includes('downstream_cx_total') ? Number(l.split(':')[1]) || 0 : 0), 0);
}

describe('MeshPassthrough: the transparent-proxy passthrough on real Envoy and iptables', () => {
  const home = tempDir('kuma-pt-home-');

  const putPolicy = async (spec: unknown) => {
    const r = await curl('PUT', `${API}/meshes/default/meshpassthroughs/pt`, { type: 'MeshPassthrough', mesh: 'default', name: 'pt', spec });
    expect([200, 201], r.text).toContain(r.status);
  };

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('mesh-passthrough.test.ts needs root (ip netns, iptables)');
    must('ip', ['netns', 'add', NS]);
    must('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']);
    for (const ip of [A, B]) must('ip', ['netns', 'exec', NS, 'ip', 'addr', 'add', `${ip}/32`, 'dev', 'lo']);
    must('ip', ['netns', 'exec', NS, 'iptables', '-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-m', 'owner', '--uid-owner', 'nobody', '-j', 'REDIRECT', '--to-ports', '15001']);
    for (const [ip, tag] of [[A, 'A'], [B, 'B']]) {
      nsSpawn(`upstream-${tag}`, [process.execPath, '-e', `require('node:http').createServer((q, s) => s.end('upstream ${tag}')).listen(${UPSTREAM_PORT}, '${ip}')`], home);
    }
    const cp = nsSpawn('cp', [kumaBinary(), 'control-plane', 'run', '--mode=zone'], home, {
      KUMA_GENERAL_WORK_DIR: join(home, 'cp'),
      KUMA_STORE_TYPE: 'memory',
      KUMA_API_SERVER_HTTP_PORT: String(CP.api),
      KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
      KUMA_API_SERVER_HTTPS_PORT: String(CP.api + 1),
      KUMA_DIAGNOSTICS_SERVER_PORT: String(CP.diag),
      KUMA_DP_SERVER_PORT: String(CP.dp),
      KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none',
    });
    await eventually(async () => {
      if (cp.proc.exitCode !== null) throw new Error(`cp exited:\n${cp.logs()}`);
      expect((await curl('GET', `http://127.0.0.1:${CP.diag}/ready`)).status).toBe(200);
    }, 30_000, 200);
    await eventually(async () => expect((await curl('GET', `${API}/meshes/default`)).status).toBe(200), 10_000, 200);
    const file = join(home, 'web.yaml');
    writeFileSync(file, `type: Dataplane
mesh: default
name: web-1
networking:
  address: 127.0.0.1
  inbound:
  - port: 20080
    servicePort: 20081
    tags: { kuma.io/service: web, kuma.io/protocol: tcp }
  transparentProxying:
    redirectPortInbound: 15006
    redirectPortOutbound: 15001
`);
    nsSpawn('web-1', [kumaBinary(), 'dp', 'run', '--cp-address', `https://127.0.0.1:${CP.dp}`, '--dataplane-file', file,
      '--ca-cert-file', join(home, 'cp', 'kuma-cp.crt'), '--binary-path', envoyBinary(), '--admin-port', String(ADMIN),
      '--concurrency', '1', '--drain-time', '1s'], home);
    await eventually(async () => expect((await curl('GET', `http://127.0.0.1:${ADMIN}/ready`)).text).toContain('LIVE'), 40_000, 250);
  }, 120_000);

  afterAll(async () => {
    for (const p of [...procs].reverse()) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGTERM');
    await Promise.race([Promise.all(procs.map((p) => p.exited)), new Promise((r) => setTimeout(r, 8_000))]);
    for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    spawnSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
    removeDir(home);
  });

  it('without a policy (Mesh passthrough on by default) every destination is reached through the original-dst cluster', async () => {
    const dump = await curl('GET', `http://127.0.0.1:${ADMIN}/config_dump?resource=dynamic_listeners`);
    expect(dump.text).toContain('outbound:passthrough:ipv4');
    expect(dump.text).toContain('"use_original_dst": true');
    const before = await statSum('outbound_passthrough');
    await eventually(async () => {
      expect((await appGet(A)).body).toBe('upstream A');
      expect((await appGet(B)).body).toBe('upstream B');
    }, 20_000, 300);
    expect(await statSum('outbound_passthrough')).toBeGreaterThan(before);
  }, 60_000);

  it('Matched lets only the listed IP:port out; the rest is closed', async () => {
    await putPolicy({ targetRef: { kind: 'Mesh' }, default: { passthroughMode: 'Matched', appendMatch: [{ type: 'IP', value: A, port: UPSTREAM_PORT, protocol: 'tcp' }] } });
    await eventually(async () => {
      expect((await appGet(B)).ok).toBe(false);
      expect((await appGet(A)).body).toBe('upstream A');
    }, 20_000, 300);
  }, 60_000);

  it('None closes every destination', async () => {
    await putPolicy({ targetRef: { kind: 'Mesh' }, default: { passthroughMode: 'None' } });
    await eventually(async () => {
      expect((await appGet(A)).ok).toBe(false);
      expect((await appGet(B)).ok).toBe(false);
    }, 20_000, 300);
  }, 60_000);

  it('a Matched entry with a field Kuma rejects is a 400 naming the field, and changes nothing', async () => {
    const r = await curl('PUT', `${API}/meshes/default/meshpassthroughs/pt`, { type: 'MeshPassthrough', mesh: 'default', name: 'pt', spec: { targetRef: { kind: 'Mesh' }, default: { passthroughMode: 'Matched', appendMatch: [{ type: 'IP', value: '300.1.1.1', protocol: 'tcp' }] } } });
    expect(r.status).toBe(400);
    expect(r.text).toContain('appendMatch[0].value');
    expect((await appGet(A)).ok).toBe(false);
  }, 30_000);

  it('deleting the policy brings the Mesh default (All) back', async () => {
    expect((await curl('DELETE', `${API}/meshes/default/meshpassthroughs/pt`)).status).toBe(200);
    await eventually(async () => {
      expect((await appGet(A)).body).toBe('upstream A');
      expect((await appGet(B)).body).toBe('upstream B');
    }, 20_000, 300);
  }, 60_000);
});
