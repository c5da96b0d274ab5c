// Bundled and run by bench/identity-cert.mjs: issues identity certificates in a loop, one at a time
// (as the reconciler does per proxy), and prints CPU and wall ms per certificate as JSON.
import { createBuiltinCa } from '../internal/ca/builtin-ca';
import { issueIdentityCert } from '../internal/ca/identity-cert';

const N = Number(process.env.CERTS ?? 500);
const WARMUP = 50;

async function run(rsaBits?: number) {
  const now = new Date();
  const ca = await createBuiltinCa('default', { validityMs: 365 * 24 * 3600_000, ...(rsaBits ? { rsaBits } : {}) }, now);
  const issue = (i: number) =>
    issueIdentityCert({ caCertPem: ca.certPem, caKeyPem: ca.keyPem, mesh: 'default', services: [`svc-${i % 500}`], tags: { 'kuma.io/service': [`svc-${i % 500}`], 'kuma.io/zone': ['zone-1'] }, validityMs: 24 * 3600_000, now });
  for (let i = 0; i < WARMUP; i++) await issue(i);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await issue(i);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { certs: N, cpu_ms_per_cert: Math.round(((cpu.user + cpu.system) / 1000 / N) * 1000) / 1000, wall_ms_per_cert: Math.round((wall / N) * 1000) / 1000 };
}

const ec = await run();
const rsa = await run(2048);
const heapMb = Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10;
process.stdout.write(JSON.stringify({ ecdsa_ca: ec, rsa2048_ca: rsa, heap_used_mb: heapMb }) + '\n');
