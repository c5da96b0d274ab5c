// Foundation benchmarks: the binary's cold start, CP readiness, API write
// throughput, list latency and memory with 5000 Dataplanes. Prints JSON.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';

const KUMA = process.env.KUMA_BIN ?? join(import.meta.dirname, '..', 'dist', 'kuma');

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });

const env = (extra) => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...extra });

export async function startCp(args = [], extraEnv = {}, workDir) {
  const work = workDir ?? mkdtempSync(join(tmpdir(), 'kuma-bench-'));
  const api = await freePort();
  const diag = await freePort();
  const t0 = performance.now();
  const proc = spawn(KUMA, ['control-plane', 'run', '--log-level', 'off', ...args], {
    env: env({ KUMA_GENERAL_WORK_DIR: work, KUMA_API_SERVER_HTTP_PORT: String(api), KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1', KUMA_DIAGNOSTICS_SERVER_PORT: String(diag), KUMA_DP_SERVER_PORT: String(await freePort()), ...extraEnv }),
    stdio: 'ignore',
  });
  for (;;) {
    // A CP that dies on start (e.g. a port taken meanwhile) must fail the bench, not hang it.
    if (proc.exitCode !== null || proc.signalCode !== null) {
      if (!workDir) rmSync(work, { recursive: true, force: true });
      throw new Error(`the control plane exited (${proc.exitCode ?? proc.signalCode}) before it was ready`);
    }
    try {
      const r = await request(`http://127.0.0.1:${diag}/ready`);
      await r.body.text();
      if (r.statusCode === 200) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 2));
  }
  const readyMs = performance.now() - t0;
  return {
    url: `http://127.0.0.1:${api}`,
    readyMs,
    proc,
    work,
    kill: () => proc.kill('SIGKILL'),
    stop: () => {
      proc.kill('SIGKILL');
      rmSync(work, { recursive: true, force: true });
    },
  };
}

const dataplane = (name) => JSON.stringify({
  type: 'Dataplane', mesh: 'default', name,
  networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': `svc-${name}`, 'kuma.io/protocol': 'http' } }] },
});

async function putMany(url, names, concurrency = 32) {
  const agent = new Agent({ connections: concurrency, pipelining: 1 });
  let i = 0;
  const worker = async () => {
    while (i < names.length) {
      const name = names[i++];
      const r = await request(`${url}/meshes/default/dataplanes/${name}`, { method: 'PUT', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: dataplane(name) });
      await r.body.text();
      if (r.statusCode !== 201 && r.statusCode !== 200) throw new Error(`PUT ${name}: ${r.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await agent.close();
}

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

export async function benchFoundation() {
  const versionRuns = [];
  execFileSync(KUMA, ['version'], { env: env({}) });
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    execFileSync(KUMA, ['version'], { env: env({}) });
    versionRuns.push(performance.now() - t);
  }
  const readies = [];
  for (let i = 0; i < 5; i++) {
    const cp = await startCp();
    readies.push(cp.readyMs);
    cp.stop();
  }

  const cp = await startCp();
  try {
    const first = Array.from({ length: 1000 }, (_, i) => `dp-${String(i).padStart(5, '0')}`);
    const t = performance.now();
    await putMany(cp.url, first);
    const putPerS = 1000 / ((performance.now() - t) / 1000);
    await putMany(cp.url, Array.from({ length: 4000 }, (_, i) => `dp-${String(i + 1000).padStart(5, '0')}`));
    const pages = [];
    for (let i = 0; i < 21; i++) {
      const t1 = performance.now();
      const r = await request(`${cp.url}/meshes/default/dataplanes?size=100&offset=${(i * 100) % 5000}`);
      const body = await r.body.json();
      if (body.total !== 5000 || body.items.length !== 100) throw new Error(`unexpected page: total ${body.total}`);
      if (i > 0) pages.push(performance.now() - t1);
    }
    await new Promise((r) => setTimeout(r, 2500)); // let the insight resyncer settle
    return {
      version_cold_ms: round(median(versionRuns)),
      cp_ready_ms: round(median(readies)),
      put_dataplanes_per_s: Math.round(putPerS),
      list_page_ms: round(median(pages), 2),
      cp_rss_mb_5000_dataplanes: round(rssMb(cp.proc.pid)),
    };
  } finally {
    cp.stop();
  }
}
