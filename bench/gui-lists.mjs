// `npm run bench:gui`: the web UI's list requests with 10,000 Dataplanes in a
// standalone CP's store (one page of 50, as the UI asks): median and p95
// latency per filter, and the UI's gzipped initial bytes. Prints JSON.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { median, round, startCp } from './foundation.mjs';

const N = 10_000;
const RUNS = 30;

async function putAll(url) {
  const agent = new Agent({ connections: 16 });
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < N; i = next++) {
      const name = `dp-${String(i).padStart(5, '0')}`;
      const body = JSON.stringify({ type: 'Dataplane', mesh: 'default', name, networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': `svc-${i % 100}` } }] } });
      const r = await request(`${url}/meshes/default/dataplanes/${name}`, { method: 'PUT', dispatcher: agent, headers: { 'content-type': 'application/json' }, body });
      await r.body.text();
      if (r.statusCode !== 201) throw new Error(`PUT ${name}: ${r.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await agent.close();
}

async function latency(url, query) {
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await request(`${url}/meshes/default/dataplanes/_overview?size=50&${query}`);
    await r.body.text();
    if (r.statusCode !== 200) throw new Error(`${query}: ${r.statusCode}`);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { medianMs: round(median(ms), 2), p95Ms: round(ms[Math.floor(ms.length * 0.95)], 2) };
}

export async function benchGuiLists() {
  const cp = await startCp([], { KUMA_STORE_TYPE: 'memory' });
  try {
    await putAll(cp.url);
    const queries = { firstPage: 'offset=0', lastPage: `offset=${N - 50}`, name: 'name=dp-0999', tag: 'tag=kuma.io/service:svc-42', statusOffline: 'status=offline', statusOnline: 'status=online', zone: 'zone=zone-1' };
    const lists = {};
    for (const [k, q] of Object.entries(queries)) lists[k] = await latency(cp.url, q);
    const dir = join(import.meta.dirname, '..', 'gui', 'dist');
    const files = ['index.html', ...readdirSync(join(dir, 'assets')).map((f) => `assets/${f}`)];
    const gzBytes = files.reduce((n, f) => n + gzipSync(readFileSync(join(dir, f)), { level: 9 }).length, 0);
    return { guiLists: { dataplanes: N, pageSize: 50, ...lists }, guiBundleGzipBytes: gzBytes };
  } finally {
    cp.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchGuiLists(), null, 2));
