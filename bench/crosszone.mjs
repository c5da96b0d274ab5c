// Cross-zone benchmarks on real Envoy: how fast a new instance in zone-2
// becomes an endpoint in a zone-1 sidecar, and how fast a policy applied on
// the global reaches every sidecar of both zones.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort, median, round, startCp } from './foundation.mjs';

const ROOT = join(import.meta.dirname, '..');
const KUMA = process.env.KUMA_BIN ?? join(ROOT, 'dist', 'kuma');
const ENVOY = process.env.KUMA_DATAPLANE_RUNTIME_BINARY_PATH ?? join(ROOT, '.venv', 'bin', 'envoy');

const json = async (url) => (await request(url)).body.json();
const text = async (url) => (await request(url)).body.text();
async function put(url, body) {
  const r = await request(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await r.body.text();
  if (r.statusCode >= 300) throw new Error(`PUT ${url}: ${r.statusCode}`);
}
async function waitFor(pred, timeoutMs = 30_000, stepMs = 2) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await pred()) return;
    } catch {}
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

const procs = [];
async function sidecar(zone, dpPort, workDir, name, service, outbounds) {
  const dir = mkdtempSync(join(tmpdir(), 'kuma-bench-dp-'));
  const admin = await freePort();
  const inPort = await freePort();
  const file = join(dir, 'dp.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      type: 'Dataplane',
      mesh: 'default',
      name,
      networking: { address: '127.0.0.1', inbound: [{ port: inPort, servicePort: await freePort(), tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }], outbound: await Promise.all(outbounds.map(async (s) => ({ port: await freePort(), tags: { 'kuma.io/service': s } }))) },
    }),
  );
  const p = spawn(KUMA, ['dp', 'run', '--cp-address', `https://127.0.0.1:${dpPort}`, '--dataplane-file', file, '--ca-cert-file', join(workDir, 'kuma-cp.crt'), '--binary-path', ENVOY, '--admin-port', String(admin), '--concurrency', '1', '--log-level', 'off'], { stdio: 'ignore', env: { PATH: process.env.PATH, HOME: dir } });
  procs.push(p);
  await waitFor(async () => (await text(`http://127.0.0.1:${admin}/ready`)).includes('LIVE'), 30_000, 50);
  return { admin, zone };
}

export async function benchCrossZone() {
  const kdsPort = await freePort();
  const zoneEnv = (dp) => ({ KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none', KUMA_MULTIZONE_ZONE_KDS_TLS_SKIP_VERIFY: 'true', KUMA_DP_SERVER_PORT: String(dp) });
  const global = await startCp(['--mode=global', '--kds-auth=none'], { KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT: String(kdsPort), KUMA_STORE_TYPE: 'memory' });
  const dp1 = await freePort();
  const dp2 = await freePort();
  const z1 = await startCp(['--mode=zone', '--zone', 'zone-1', '--kds-global-address', `grpcs://127.0.0.1:${kdsPort}`], zoneEnv(dp1));
  const z2 = await startCp(['--mode=zone', '--zone', 'zone-2', '--kds-global-address', `grpcs://127.0.0.1:${kdsPort}`], zoneEnv(dp2));
  try {
    await put(`${global.url}/meshes/default`, { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } });
    await waitFor(async () => (await json(`${z1.url}/meshes/default/secrets`)).items.some((s) => s.name === 'default.ca-builtin-cert-ca-1') && (await json(`${z2.url}/meshes/default/secrets`)).items.some((s) => s.name === 'default.ca-builtin-cert-ca-1'));
    // zone-2's ingress resource (no Envoy needed to advertise): other zones dial its advertised address.
    const ingressPort = await freePort();
    await put(`${z2.url}/zoneingresses/zi-2`, { type: 'ZoneIngress', name: 'zi-2', networking: { address: '127.0.0.1', port: ingressPort, advertisedAddress: '127.0.0.1', advertisedPort: ingressPort } });
    const services = Array.from({ length: 10 }, (_, i) => `svc-${i}`);
    const client = await sidecar('zone-1', dp1, z1.work, 'client', 'client', services);
    const others = [client, await sidecar('zone-1', dp1, z1.work, 'web-1b', 'web', []), await sidecar('zone-2', dp2, z2.work, 'web-2a', 'web', []), await sidecar('zone-2', dp2, z2.work, 'web-2b', 'web', [])];

    const props = [];
    for (const svc of services) {
      const t0 = performance.now();
      await put(`${z2.url}/meshes/default/dataplanes/${svc}`, { type: 'Dataplane', mesh: 'default', name: svc, networking: { address: '127.0.0.1', inbound: [{ port: await freePort(), tags: { 'kuma.io/service': svc } }] } });
      await waitFor(async () => (await text(`http://127.0.0.1:${client.admin}/clusters`)).includes(`${svc}::127.0.0.1:${ingressPort}::`));
      props.push(performance.now() - t0);
    }

    const policy = [];
    for (let i = 0; i < 5; i++) {
      const ms = 3001 + i; // never a whole second, so Envoy prints it as "3.00Ns"
      const t0 = performance.now();
      await put(`${global.url}/meshes/default/meshtimeouts/bench-timeout`, { type: 'MeshTimeout', mesh: 'default', name: 'bench-timeout', spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { connectionTimeout: `${ms}ms` } }] } }); // inbound: every sidecar has one
      const want = `"connect_timeout": "${(ms / 1000).toFixed(3)}s"`;
      await waitFor(async () => (await Promise.all(others.map(async (s) => (await text(`http://127.0.0.1:${s.admin}/config_dump`)).includes(want)))).every(Boolean));
      policy.push(performance.now() - t0);
    }
    return { crosszone_endpoint_propagation_ms: round(median(props)), policy_to_all_proxies_ms: round(median(policy)) };
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    global.stop();
    z1.stop();
    z2.stop();
  }
}
