#!/usr/bin/env node
/**
 * Checks every install golden file against a real kube-apiserver: starts
 * Debian's etcd and a kube-apiserver (scripts/build-kube-apiserver.sh) on
 * free loopback ports in a temp dir, creates the namespaces the manifests
 * name, then POSTs each object with ?dryRun=All&fieldValidation=Strict (so
 * an unknown field is an error too). Prints JSON counts; exits 1 on any refusal.
 * Not part of make test (it needs the ~20 min kube-apiserver build).
 *
 *   node scripts/kube-dry-run.mjs [KUBE_APISERVER] [GOLDEN_DIR]
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const apiserver = resolve(process.argv[2] ?? join(root, '.kube/kube-apiserver'));
const goldenDir = resolve(process.argv[3] ?? join(root, 'test/unit/install/golden'));
const PLURAL = { Namespace: 'namespaces', ServiceAccount: 'serviceaccounts', Secret: 'secrets', ConfigMap: 'configmaps', Service: 'services', Deployment: 'deployments', StatefulSet: 'statefulsets', Role: 'roles', RoleBinding: 'rolebindings', ClusterRole: 'clusterroles', ClusterRoleBinding: 'clusterrolebindings' };
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

const freePort = () => new Promise((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tmp = mkdtempSync(join(tmpdir(), 'kuma-kube-dry-run-'));
const children = [];
const cleanup = () => { for (const c of children) c.kill('SIGKILL'); rmSync(tmp, { recursive: true, force: true }); };
process.on('exit', cleanup);

const token = randomBytes(16).toString('hex');
function call(port, method, path, body) {
  return new Promise((res, rej) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port, method, path, rejectUnauthorized: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(data ? { 'content-length': Buffer.byteLength(data) } : {}) } }, (r) => {
      let text = '';
      r.on('data', (d) => (text += d));
      r.on('end', () => res({ status: r.statusCode, text }));
    });
    req.on('error', rej);
    req.end(data);
  });
}

const t0 = Date.now();
const [etcdClient, etcdPeer, securePort] = await Promise.all([freePort(), freePort(), freePort()]);
const etcd = spawn('etcd', ['--data-dir', join(tmp, 'etcd'), '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`, '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-cluster', `default=http://127.0.0.1:${etcdPeer}`], { stdio: ['ignore', 'ignore', 'pipe'] });
children.push(etcd);
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
writeFileSync(join(tmp, 'sa.pub'), publicKey);
writeFileSync(join(tmp, 'sa.key'), privateKey);
writeFileSync(join(tmp, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`);
let apiLog = '';
const api = spawn(apiserver, [
  `--etcd-servers=http://127.0.0.1:${etcdClient}`, `--secure-port=${securePort}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
  `--cert-dir=${join(tmp, 'certs')}`, `--token-auth-file=${join(tmp, 'tokens.csv')}`, '--authorization-mode=AlwaysAllow',
  '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${join(tmp, 'sa.pub')}`, `--service-account-signing-key-file=${join(tmp, 'sa.key')}`,
  '--service-cluster-ip-range=10.96.0.0/16',
], { stdio: ['ignore', 'ignore', 'pipe'] });
children.push(api);
api.stderr.on('data', (d) => (apiLog = (apiLog + d).slice(-4000)));
for (let i = 0; ; i++) {
  const r = await call(securePort, 'GET', '/readyz').catch(() => ({ status: 0 }));
  if (r.status === 200) break;
  if (i > 240 || api.exitCode !== null) { console.error(`kube-apiserver did not get ready:\n${apiLog}`); process.exit(1); }
  await sleep(500);
}
const readyMs = Date.now() - t0;

const files = [];
const walk = (d) => { for (const e of readdirSync(d)) { const p = join(d, e); if (statSync(p).isDirectory()) walk(p); else if (p.endsWith('.yaml')) files.push(p); } };
walk(goldenDir);
const refused = [];
let accepted = 0;
const created = new Set();
for (const f of files.sort()) {
  const objs = parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS()).filter(Boolean);
  for (const o of objs) if (o.kind === 'Namespace' && !created.has(o.metadata.name)) {
    const r = await call(securePort, 'POST', '/api/v1/namespaces', o);
    if (r.status !== 201 && r.status !== 409) refused.push({ file: f, object: `Namespace/${o.metadata.name}`, status: r.status, message: JSON.parse(r.text).message });
    created.add(o.metadata.name);
  }
  for (const o of objs) {
    const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const path = CLUSTER_SCOPED.has(o.kind) ? `${base}/${PLURAL[o.kind]}` : `${base}/namespaces/${o.metadata.namespace}/${PLURAL[o.kind]}`;
    const r = await call(securePort, 'POST', `${path}?dryRun=All&fieldValidation=Strict`, o);
    // A Namespace created above answers 409 to its dry run; that is the object being valid.
    if (r.status === 201 || (o.kind === 'Namespace' && r.status === 409)) accepted++;
    else refused.push({ file: f.slice(goldenDir.length + 1), object: `${o.kind}/${o.metadata.name}`, status: r.status, message: JSON.parse(r.text).message });
  }
}
console.log(JSON.stringify({ apiserver, files: files.length, accepted, refused: refused.length, apiserverReadyMs: readyMs, totalMs: Date.now() - t0, refusals: refused }, null, 2));
process.exit(refused.length ? 1 : 0);
