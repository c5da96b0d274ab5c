// xDS benchmarks (data plane). Prints numbers, asserts nothing.
//
// - xds_generate_ms_*: in-process generateSidecar of one proxy in a mesh of 1000 services x 2
//   instances (2000 Dataplanes, 5 declared outbounds each, the default Mesh policies), 200
//   different proxies on a fresh MeshContext after a JIT warm-up (bench/xds-generate-entry.ts).
// - xds_push_*: a zone CP (dist/kuma, memory store) holding the same 2000 Dataplanes (REST PUT)
//   and 2000 simulated Envoys (bench/xds-ads-client-entry.ts: 4 processes x 500 Delta ADS streams
//   over TLS, 50 streams per connection, CDS/EDS/LDS/SDS "*", every response ACKed). The default
//   MeshTimeout is PUT with a new outbound connectionTimeout (every proxy's clusters change);
//   push = from the PUT until every client ACKed a response received after it. Median of 3.
// - cp_rss_*: VmRSS of the CP with the 2000 clients connected and configured.
//
// Wall-clock numbers depend on what else runs on the machine; xds_push_cp_cpu_ms does less.
// The TypeScript entries are bundled with esbuild into a temp dir and run with plain node, so the
// bench needs no TypeScript loader.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { Agent, request } from 'undici';
import { freePort, median, round, startCp } from './foundation.mjs';

const SERVICES = 1000;
const INSTANCES = 2;
const OUTBOUNDS = 5;
const CLIENT_PROCESSES = 4;
const STREAMS_PER_CHANNEL = 50;
const PUSH_RUNS = 3;

/** Nearest-rank percentile. */
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
};
const epochNow = () => performance.timeOrigin + performance.now();

async function bundle(entry, outDir) {
  const outfile = join(outDir, entry.replace(/\.ts$/, '.cjs'));
  await esbuild.build({
    entryPoints: [join(import.meta.dirname, entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/** 1. One proxy's generation, in a child node running the bundled generators (no I/O involved). */
async function benchGenerate(tmp) {
  const file = await bundle('xds-generate-entry.ts', tmp);
  const out = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`xds generate bench exited with ${code}`))));
  });
  const total = out.generateMs.map((g, i) => g + out.encodeMs[i]);
  return {
    xds_generate_ms_p99: round(percentile(out.generateMs, 99), 2),
    xds_generate_ms_median: round(median(out.generateMs), 2),
    // generate + protobuf encoding into snapshot resources (what the reconciler does per proxy)
    xds_generate_encode_ms_p99: round(percentile(total, 99), 2),
    xds_mesh_context_2000_dataplanes_ms: round(median(out.meshContextMs), 1),
  };
}

const svc = (i) => `svc-${String(i % SERVICES).padStart(4, '0')}`;

/** The same shape as bench/xds-generate-entry.ts: one HTTP inbound, 5 declared outbounds. */
const dataplane = (s, i) =>
  JSON.stringify({
    type: 'Dataplane',
    mesh: 'default',
    name: `${svc(s)}-${i}`,
    networking: {
      address: `10.${Math.floor(s / 250)}.${s % 250}.${i + 1}`,
      inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': svc(s), 'kuma.io/protocol': 'http', instance: String(i) } }],
      outbound: Array.from({ length: OUTBOUNDS }, (_, o) => ({ port: 10001 + o, tags: { 'kuma.io/service': svc(s + 1 + o * 97) } })),
    },
  });

async function putDataplanes(url) {
  const agent = new Agent({ connections: 32 });
  const jobs = [];
  for (let s = 0; s < SERVICES; s++) for (let i = 0; i < INSTANCES; i++) jobs.push([s, i]);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < jobs.length) {
        const [s, i] = jobs[next++];
        const r = await request(`${url}/meshes/default/dataplanes/${svc(s)}-${i}`, { method: 'PUT', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: dataplane(s, i) });
        await r.body.text();
        if (r.statusCode >= 300) throw new Error(`PUT Dataplane ${svc(s)}-${i}: ${r.statusCode}`);
      }
    }),
  );
  await agent.close();
}

/** The default MeshTimeout with another outbound connect timeout: every proxy's clusters change. */
async function putTimeout(url, connectionTimeout) {
  const body = JSON.stringify({
    type: 'MeshTimeout',
    mesh: 'default',
    name: 'mesh-timeout-all-default',
    spec: {
      targetRef: { kind: 'Mesh', proxyTypes: ['Sidecar'] },
      to: [{ targetRef: { kind: 'Mesh' }, default: { connectionTimeout, idleTimeout: '1h', http: { requestTimeout: '15s', streamIdleTimeout: '30m' } } }],
      from: [{ targetRef: { kind: 'Mesh' }, default: { connectionTimeout: '10s', idleTimeout: '2h', http: { requestTimeout: '0s', streamIdleTimeout: '1h', maxStreamDuration: '0s' } } }],
    },
  });
  const r = await request(`${url}/meshes/default/meshtimeouts/mesh-timeout-all-default`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
  const text = await r.body.text();
  if (r.statusCode >= 300) throw new Error(`PUT MeshTimeout: ${r.statusCode} ${text}`);
}

/** CPU time (user + system) the process used so far, in ms (clock ticks of 10 ms). */
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** Forked client processes; `all(type)` waits for one message of that type from each. */
function clientPool(file, count) {
  const children = Array.from({ length: count }, () => fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const inbox = children.map(() => []);
  const waiters = children.map(() => []);
  let failure;
  children.forEach((c, i) => {
    c.on('message', (m) => {
      if (m.type === 'error') failure ??= new Error(m.message);
      const w = waiters[i].findIndex((x) => x.type === m.type);
      if (w >= 0) waiters[i].splice(w, 1)[0].resolve(m);
      else inbox[i].push(m);
    });
    c.on('exit', (code) => {
      if (code) failure ??= new Error(`ADS client process exited with ${code}`);
    });
  });
  const one = (i, type) => {
    const q = inbox[i].findIndex((m) => m.type === type);
    if (q >= 0) return Promise.resolve(inbox[i].splice(q, 1)[0]);
    return new Promise((resolve) => waiters[i].push({ type, resolve }));
  };
  return {
    children,
    send: (i, m) => children[i].send(m),
    broadcast: (m) => children.forEach((c) => c.send(m)),
    async all(type, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const got = children.map((_, i) => one(i, type));
      let timer;
      const timeout = new Promise((_, reject) => {
        const check = () => {
          if (failure) return reject(failure);
          if (Date.now() > deadline) return reject(new Error(`timed out waiting for "${type}" from the ADS clients`));
          timer = setTimeout(check, 50);
        };
        check();
      });
      try {
        return await Promise.race([Promise.all(got), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    stop() {
      for (const c of children) {
        if (c.exitCode === null && c.connected) c.send({ cmd: 'stop' });
        setTimeout(() => c.exitCode === null && c.kill('SIGKILL'), 2000).unref();
      }
    },
  };
}

/** 2 + 3. A real zone CP with 2000 connected Delta ADS clients. */
async function benchPush(tmp) {
  const file = await bundle('xds-ads-client-entry.ts', tmp);
  const dpPort = await freePort();
  const cp = await startCp([], { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_PORT: String(dpPort) });
  let pool;
  try {
    await putDataplanes(cp.url);
    const names = [];
    for (let s = 0; s < SERVICES; s++) for (let i = 0; i < INSTANCES; i++) names.push(`${svc(s)}-${i}`);
    pool = clientPool(file, CLIENT_PROCESSES);
    const t0 = performance.now();
    const per = Math.ceil(names.length / CLIENT_PROCESSES);
    pool.children.forEach((_, i) => pool.send(i, { cmd: 'start', target: `127.0.0.1:${dpPort}`, names: names.slice(i * per, (i + 1) * per), perChannel: STREAMS_PER_CHANNEL }));
    await pool.all('ready', 120_000);
    const connectAllMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 1000)); // let insight writes and stragglers settle
    const rssConnected = rssMb(cp.proc.pid);

    const pushes = [];
    const lasts = [];
    const cpus = [];
    for (let run = 1; run <= PUSH_RUNS; run++) {
      pool.broadcast({ cmd: 'mark', gen: run });
      await pool.all('marked', 10_000);
      const cpu0 = cpuMs(cp.proc.pid);
      const start = epochNow();
      await putTimeout(cp.url, `${5 + run}s`);
      const pushed = await pool.all('pushed', 60_000);
      pushes.push(Math.max(...pushed.map((m) => m.at)) - start);
      cpus.push(cpuMs(cp.proc.pid) - cpu0);
      await new Promise((r) => setTimeout(r, 1000)); // any later response of this push is in by now
      pool.broadcast({ cmd: 'report' });
      const reports = await pool.all('report', 10_000);
      lasts.push(Math.max(...reports.map((m) => m.lastAt)) - start);
    }
    const rssAfterPush = rssMb(cp.proc.pid);
    return {
      // from starting the clients until each ACKed a first CDS, EDS, LDS and SDS response
      xds_connect_all_ms: Math.round(connectAllMs),
      xds_push_all_ms: Math.round(median(pushes)),
      // until the last response of the change (CDS, EDS, ...) was ACKed, not just the first per proxy
      xds_push_all_last_ack_ms: Math.round(median(lasts)),
      // CPU the CP spent from the PUT until every client ACKed: the push's cost, whatever else runs on the machine
      xds_push_cp_cpu_ms: Math.round(median(cpus)),
      // VmRSS of the whole CP after the pushes / 2. Not a marginal cost: it includes the baseline
      // (runtime, store with 2000 Dataplanes, API server) and garbage of the pushes not yet collected.
      cp_rss_mb_per_1000_proxies: round(rssAfterPush / ((SERVICES * INSTANCES) / 1000)),
      // the whole CP's VmRSS once the 2000 clients got their first config, before any push
      cp_rss_mb_2000_proxies_before_push: round(rssConnected),
    };
  } finally {
    pool?.stop();
    cp.stop();
  }
}

export async function benchXds() {
  const tmp = mkdtempSync(join(tmpdir(), 'kuma-bench-xds-'));
  try {
    return { ...(await benchGenerate(tmp)), ...(await benchPush(tmp)) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// `node bench/xds.mjs` runs this part alone.
if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchXds(), null, 2));
