/**
 * `kuma lab up|status|down` end to end: a global, two zones, zone ingresses
 * and demo services on real Envoy, all started by the binary itself in the
 * background, then stopped without leaving a process behind.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envoyBinary, eventually, removeDir, runKuma, tempDir, type RunResult } from './harness';

interface LabJson {
  state: string;
  global: { apiUrl: string };
  zones: { name: string; apiUrl: string }[];
  traffic: { url: string; curl: string; toZone: string };
  components: { name: string; kind: string; zone?: string; pid: number; children?: { pid: number }[]; ports: Record<string, number>; log: string }[];
}

/** Alive and not a zombie (Linux /proc). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

/** Pids of live processes working in `dir` (every lab process does) or whose command line or environment mentions it. */
function processesMentioning(dir: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    const read = (f: string) => {
      try {
        return f === 'cwd' ? readlinkSync(`/proc/${e}/cwd`) : readFileSync(`/proc/${e}/${f}`, 'utf8');
      } catch {
        return '';
      }
    };
    if ((read('cwd') === dir || read('cmdline').includes(dir) || read('environ').includes(dir)) && alive(Number(e))) out.push(Number(e));
  }
  return out;
}

const portFree = (port: number) =>
  new Promise<boolean>((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });

/** A base whose 60 ports are free, above the usual ephemeral range (32768-60999) so no client socket takes one meanwhile. */
async function labBasePort(): Promise<number> {
  const candidates = Array.from({ length: 70 }, (_, i) => 61000 + i * 60).sort(() => Math.random() - 0.5);
  for (const base of candidates) {
    const free = await Promise.all(Array.from({ length: 60 }, (_, i) => portFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free block of 60 ports above 61000');
}

describe('kuma lab', () => {
  const dir = join(tempDir('kuma-lab-'), 'lab');
  const home = tempDir('kuma-lab-home-');
  const env = { KUMA_DATAPLANE_RUNTIME_BINARY_PATH: envoyBinary() };
  const kuma = (args: string[], timeoutMs = 80_000): Promise<RunResult> => runKuma(args, { home, env, timeoutMs });
  const readLab = (): LabJson => JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8'));
  let base: number;
  let up: RunResult;
  let lab: LabJson;

  beforeAll(async () => {
    base = await labBasePort();
    up = await kuma(['lab', 'up', '--zones', '2', '--dir', dir, '--base-port', String(base)]);
    if (up.code !== 0) throw new Error(`kuma lab up failed (${up.code}):\n${up.stdout}\n${up.stderr}`);
    lab = readLab();
  }, 90_000);

  afterAll(async () => {
    try {
      if (existsSync(join(dir, 'lab.json'))) await kuma(['lab', 'down', '--dir', dir, '--timeout', '2s']);
    } finally {
      // Whatever happened above, no process of this lab outlives the suite.
      for (const pid of processesMentioning(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      removeDir(join(dir, '..'));
      removeDir(home);
    }
  });

  it('up prints each step with its time, the global API URL, the kumactl hint and a request to try', () => {
    expect(up.stdout).toMatch(/^starting global CP \.\.\. ready \(\d+\.\d s\)$/m);
    for (const z of ['zone-1', 'zone-2']) {
      expect(up.stdout).toMatch(new RegExp(`^starting zone CP ${z} \\.\\.\\. ready \\(\\d+\\.\\d s\\)$`, 'm'));
      expect(up.stdout).toMatch(new RegExp(`^starting zone ingress ingress-${z} \\.\\.\\. ready`, 'm'));
      expect(up.stdout).toMatch(new RegExp(`^waiting for ${z} to sync with the global \\.\\.\\. synced`, 'm'));
    }
    for (const s of ['web-zone-1', 'web-zone-2', 'backend-zone-2']) expect(up.stdout).toMatch(new RegExp(`^starting sidecar ${s} \\.\\.\\. ready`, 'm'));
    expect(up.stdout).toContain(`Global API:     http://127.0.0.1:${base}/`);
    expect(up.stdout).toContain(`GUI:            http://127.0.0.1:${base}/gui`);
    expect(up.stdout).not.toMatch(/served here too/);
    // The plan comes before the first process starts; the table of what runs where after the last is ready.
    expect(up.stdout.indexOf('Starting 11 processes in 4 steps')).toBeGreaterThan(-1);
    expect(up.stdout.indexOf('Starting 11 processes in 4 steps')).toBeLessThan(up.stdout.indexOf('starting global CP'));
    expect(up.stdout).toMatch(/^  2\. zone CPs zone-1, zone-2$/m);
    expect(up.stdout).toMatch(/^What runs where:\nNAME +KIND +ZONE +PID +PORTS +URL$/m);
    expect(up.stdout).toMatch(new RegExp(`^global +global-cp +- +\\d+ +api=${base} .* http://127\\.0\\.0\\.1:${base}/$`, 'm'));
    expect(up.stdout).toContain(`kuma get zones --config-file ${join(dir, 'kumactl-config.yaml')}`);
    expect(up.stdout).toContain(`curl http://127.0.0.1:${base + 30}/`);
    expect(lab.state).toBe('up');
    expect(lab.traffic.curl).toBe(`curl http://127.0.0.1:${base + 30}/`);
    expect(lab.components.map((c) => c.name).sort()).toEqual(
      ['global', 'zone-1', 'zone-2', 'ingress-zone-1', 'ingress-zone-2', 'web-zone-1-app', 'web-zone-1', 'web-zone-2-app', 'web-zone-2', 'backend-zone-2-app', 'backend-zone-2'].sort(),
    );
    for (const c of lab.components) expect(alive(c.pid), c.name).toBe(true);
    for (const c of lab.components) expect(existsSync(c.log), c.log).toBe(true);
  });

  it('status lists every component up and exits 0', async () => {
    const r = await kuma(['lab', 'status', '--dir', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^NAME +KIND +ZONE +PID +STATUS +PORTS$/m);
    expect(r.stdout).toMatch(new RegExp(`^global +global-cp +- +\\d+ +up +api=${base} diagnostics=${base + 1} dpServer=${base + 2} kds=${base + 3} apiHttps=${base + 19}$`, 'm'));
    expect(r.stdout).toMatch(/^ingress-zone-2 +zone-ingress +zone-2 +\d+ +up +/m);
    expect(r.stdout).toMatch(/^backend-zone-2 +sidecar +zone-2 +\d+ +up +/m);
    expect(r.stdout).toContain('11 of 11 up');
  });

  it('the global knows both zones (through the kumactl config the lab wrote)', async () => {
    const r = await kuma(['get', 'zones', '--config-file', join(dir, 'kumactl-config.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^zone-1 /m);
    expect(r.stdout).toMatch(/^zone-2 /m);
  });

  it('web reaches backend over mTLS inside the last zone', async () => {
    const web2 = lab.components.find((c) => c.name === 'web-zone-2')!;
    const body = await eventually(async () => {
      const r = await fetch(`http://127.0.0.1:${web2.ports.outbound}/local`);
      expect(r.status).toBe(200);
      return (await r.json()) as { service: string; zone: string; instance: string; headers: Record<string, string> };
    }, 15_000);
    expect(body).toMatchObject({ service: 'backend', instance: 'backend-zone-2', zone: 'zone-2' });
    expect(body.headers['x-forwarded-client-cert']).toContain('URI=spiffe://default/web');
  });

  it('the printed curl crosses zones: web in zone-1 reaches backend in zone-2 through the zone-2 ingress', async () => {
    const web1 = lab.components.find((c) => c.name === 'web-zone-1')!;
    const ingress2 = lab.components.find((c) => c.name === 'ingress-zone-2')!;
    // zone-1 gives web's sidecar the zone-2 ingress as the endpoint of backend.
    await eventually(async () => {
      const clusters = await (await fetch(`http://127.0.0.1:${web1.ports.admin}/clusters`)).text();
      expect(clusters).toMatch(new RegExp(`^backend::127\\.0\\.0\\.1:${ingress2.ports.ingress}::`, 'm'));
    }, 10_000);
    const body = await eventually(async () => {
      const r = await fetch(lab.traffic.url);
      expect(r.status).toBe(200);
      return (await r.json()) as { service: string; zone: string; headers: Record<string, string> };
    }, 15_000);
    expect(body).toMatchObject({ service: 'backend', zone: 'zone-2' });
    expect(body.headers['x-forwarded-client-cert']).toContain('URI=spiffe://default/web');
    expect(up.stdout).toMatch(/^checking web-zone-1 -> backend \(zone-2, across zones\) at http:\/\/127\.0\.0\.1:\d+\/ \.\.\. 200 from backend-zone-2 in zone-2 \(\d+\.\d s\)$/m);
  });

  it('up on the running lab says so and exits 0', async () => {
    const r = await kuma(['lab', 'up', '--zones', '2', '--dir', dir, '--base-port', String(base)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^A lab is already running in .* \(11 processes up/);
    expect(readLab().components.map((c) => c.pid)).toEqual(lab.components.map((c) => c.pid));
  });

  it('a dead process makes status exit 1; up then cleans the stale lab up and starts it again', async () => {
    const app = lab.components.find((c) => c.name === 'web-zone-1-app')!;
    process.kill(app.pid, 'SIGKILL');
    await eventually(() => expect(alive(app.pid)).toBe(false));
    const st = await kuma(['lab', 'status', '--dir', dir]);
    expect(st.code).toBe(1);
    expect(st.stdout).toMatch(/^web-zone-1-app +demo-app +zone-1 +\d+ +down /m);
    const again = await kuma(['lab', 'up', '--zones', '2', '--dir', dir, '--base-port', String(base), '--traffic-timeout', '0']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Cleaning up a stale lab in .* \(1 of 11 processes not up\) \.\.\. done/);
    for (const c of lab.components) expect(alive(c.pid), `${c.name} of the stale lab`).toBe(false);
    lab = readLab();
    expect((await kuma(['lab', 'status', '--dir', dir])).code).toBe(0);
  }, 40_000);

  it('down stops every process of the lab, keeps the logs, and a second down is a no-op', async () => {
    const pids = lab.components.flatMap((c) => [c.pid, ...(c.children ?? []).map((k) => k.pid)]);
    expect(pids.length).toBeGreaterThan(lab.components.length); // the Envoys under the proxies
    const r = await kuma(['lab', 'down', '--dir', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Stopping \d+ processes of the lab in .* \.\.\. done/);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(processesMentioning(dir)).toEqual([]);
    expect(existsSync(join(dir, 'lab.json'))).toBe(false);
    expect(readdirSync(join(dir, 'logs'))).toContain('global.log');
    const again = await kuma(['lab', 'down', '--dir', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^No lab running in /);
    expect((await kuma(['lab', 'status', '--dir', dir])).code).toBe(1);
  });
});
