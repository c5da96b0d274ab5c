// Bundled by bench/xds.mjs (esbuild) and run in a child node: times the in-process xDS
// generation of one sidecar in a mesh of 1000 services x 2 instances (2000 Dataplanes, each
// declaring 5 outbounds), with the default Mesh policies. Prints one JSON object of raw samples.
import { defaultMeshPolicies } from '../internal/core/mesh-defaults';
import { type Resource, ZERO_TIME } from '../internal/resources/model';
import { snapshotFromResources } from '../internal/xds/cache/snapshot-resources';
import { buildMeshContext } from '../internal/xds/context/mesh-context';
import type { MeshContext } from '../internal/xds/context/types';
import { generateSidecar } from '../internal/xds/generators/sidecar/profile';

const SERVICES = 1000;
const INSTANCES = 2;
const OUTBOUNDS = 5;
const WARMUP = 100;
const SAMPLES = Number(process.env.XDS_GENERATE_SAMPLES ?? 200);

const svc = (i: number) => `svc-${String(i % SERVICES).padStart(4, '0')}`;

function resource(type: string, name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): Resource {
  return { type, mesh: 'default', name, labels, spec, version: 1, creationTime: ZERO_TIME, modificationTime: ZERO_TIME };
}

/** The same Dataplane shape bench/xds.mjs PUTs into the real CP. */
function dataplaneSpec(s: number, i: number): Record<string, unknown> {
  return {
    networking: {
      address: `10.${Math.floor(s / 250)}.${s % 250}.${i + 1}`,
      inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': svc(s), 'kuma.io/protocol': 'http', instance: String(i) } }],
      outbound: Array.from({ length: OUTBOUNDS }, (_, o) => ({ port: 10001 + o, tags: { 'kuma.io/service': svc(s + 1 + o * 97) } })),
    },
  };
}

const dataplanes: Resource[] = [];
for (let s = 0; s < SERVICES; s++) {
  for (let i = 0; i < INSTANCES; i++) dataplanes.push(resource('Dataplane', `${svc(s)}-${i}`, dataplaneSpec(s, i), { 'kuma.io/mesh': 'default' }));
}
const byType = new Map<string, Resource[]>([['Dataplane', dataplanes]]);
for (const p of defaultMeshPolicies('default', {})) {
  const list = byType.get(p.type) ?? [];
  list.push(resource(p.type, p.name, p.spec, p.labels));
  byType.set(p.type, list);
}
const mesh: Resource = { type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {}, version: 1, creationTime: ZERO_TIME, modificationTime: ZERO_TIME };
const build = (): MeshContext => buildMeshContext({ mesh, resources: byType, zone: 'zone-1' });
const proxyOf = (dp: Resource) => ({ dataplane: dp, adminPort: 9901 });

// Warm the JIT on a throwaway MeshContext (the CP is a long-lived process), then measure on a fresh
// one: its per-MeshContext memo is empty, as right after the change that triggers a push.
const warm = build();
for (let k = 0; k < WARMUP; k++) snapshotFromResources(generateSidecar(proxyOf(dataplanes[(k * 20) % dataplanes.length]!), warm));

const meshContextMs: number[] = [];
let ctx = warm;
for (let k = 0; k < 5; k++) {
  const t = performance.now();
  ctx = build();
  meshContextMs.push(performance.now() - t);
}

// Proxies spread over the mesh (odd indices; the warm-up used even ones).
const generateMs: number[] = [];
const encodeMs: number[] = [];
for (let k = 0; k < SAMPLES; k++) {
  const dp = dataplanes[(k * 10 + 1) % dataplanes.length]!;
  const t0 = performance.now();
  const res = generateSidecar(proxyOf(dp), ctx);
  const t1 = performance.now();
  snapshotFromResources(res);
  const t2 = performance.now();
  generateMs.push(t1 - t0);
  encodeMs.push(t2 - t1);
}

process.stdout.write(JSON.stringify({ generateMs, encodeMs, meshContextMs }));
