/** The zone ingress generator: golden output, and real Envoy accepts it. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bootstrap } from '../../../proto/gen/envoy/config/bootstrap/v3/bootstrap';
import { Cluster_DiscoveryType } from '../../../proto/gen/envoy/config/cluster/v3/cluster';
import type { Resource } from '../../../internal/resources/model';
import { buildMeshContext } from '../../../internal/xds/context/mesh-context';
import { generateIngress } from '../../../internal/xds/generators/ingress/ingress-proxy';
import type { TaggedResource } from '../../../internal/xds/generators/types';
import { envoyBinary } from '../../support/envoy';
import { expectGolden, render } from './golden';
import { contextOf, parseResources } from './context-fixture';
import { LOCAL_BACKEND, MMZS, REMOTE_BACKEND, meshWithMode } from './cases/mesh-service-outbounds';
import { backends, docs } from './fixtures';
import { remoteIngress } from './cross-zone-fixtures';

const R = (type: string, name: string, spec: Record<string, unknown>, mesh = 'default'): Resource => ({
  type, mesh, name, version: 1, creationTime: '2026-01-01T00:00:00.000Z', modificationTime: '2026-01-01T00:00:00.000Z', labels: {}, spec,
});
const dp = (name: string, mesh: string, port: number, tags: Record<string, string>) => R('Dataplane', name, { networking: { address: '10.0.0.1', inbound: [{ port, tags: { 'kuma.io/zone': 'zone-1', ...tags } }] } }, mesh);

function contexts(routes: Resource[] = []) {
  const d1 = buildMeshContext({ mesh: R('Mesh', 'default', {}, ''), zone: 'zone-1', resources: new Map([['MeshHTTPRoute', routes], ['Dataplane', [dp('backend-1', 'default', 8080, { 'kuma.io/service': 'backend', version: 'v1' }), dp('backend-2', 'default', 8081, { 'kuma.io/service': 'backend', version: 'v2' }), dp('web-1', 'default', 8082, { 'kuma.io/service': 'web' })]]]) });
  const d2 = buildMeshContext({ mesh: R('Mesh', 'other', {}, ''), zone: 'zone-1', resources: new Map([['Dataplane', [dp('backend-9', 'other', 9090, { 'kuma.io/service': 'backend' })]]]) });
  return new Map([['default', d1], ['other', d2]]);
}

const ingress = (services: unknown[]) => R('ZoneIngress', 'ingress', { zone: 'zone-1', networking: { address: '127.0.0.1', port: 10001, advertisedAddress: '192.0.2.1', advertisedPort: 10001 }, availableServices: services }, '');

const CASES: [string, Resource][] = [
  [
    '01-two-meshes',
    ingress([
      { mesh: 'default', instances: 1, tags: { 'kuma.io/service': 'backend', 'kuma.io/zone': 'zone-1', version: 'v1' } },
      { mesh: 'default', instances: 1, tags: { 'kuma.io/service': 'backend', 'kuma.io/zone': 'zone-1', version: 'v2' } },
      { mesh: 'default', instances: 1, tags: { 'kuma.io/service': 'web', 'kuma.io/zone': 'zone-1' } },
      { mesh: 'other', instances: 1, tags: { 'kuma.io/service': 'backend', 'kuma.io/zone': 'zone-1' } },
    ]),
  ],
  ['02-nothing-to-expose', ingress([])],
];

/** MeshService mode in zone-1: its own `backend`, zone-2's copy, a MeshMultiZoneService over both. */
function meshServiceContexts() {
  const resources = parseResources(docs(meshWithMode('Exclusive'), backends('http'), LOCAL_BACKEND, REMOTE_BACKEND, MMZS, remoteIngress({ name: 'zi-zone-2', zone: 'zone-2', advertisedAddress: '203.0.113.2' })));
  return new Map([['default', contextOf(resources, { meshServices: true })]]);
}

function tagged(res: ReturnType<typeof generateIngress>): TaggedResource[] {
  return [
    ...res.listeners.map((r) => ({ kind: 'listener' as const, name: r.name, origin: 'ingress', resource: r })),
    ...res.clusters.map((r) => ({ kind: 'cluster' as const, name: r.name, origin: 'ingress', resource: r })),
    ...res.endpoints.map((r) => ({ kind: 'endpoints' as const, name: r.clusterName, origin: 'ingress', resource: r })),
  ] as TaggedResource[];
}

/** A MeshHTTPRoute splitting backend by version and mirroring to a subset of web. */
const SUBSET_ROUTE = R('MeshHTTPRoute', 'backend-canary', {
  targetRef: { kind: 'Mesh' },
  to: [
    {
      targetRef: { kind: 'MeshService', name: 'backend' },
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          default: {
            backendRefs: [
              { kind: 'MeshServiceSubset', name: 'backend', tags: { version: 'v1' }, weight: 80 },
              { kind: 'MeshServiceSubset', name: 'backend', tags: { version: 'v2' }, weight: 20 },
              { kind: 'MeshService', name: 'backend', weight: 1 },
            ],
            filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { kind: 'MeshServiceSubset', name: 'web', tags: { 'kuma.io/zone': 'zone-1' } } } }],
          },
        },
      ],
    },
  ],
});

describe('zone ingress generator', () => {
  it('matches golden 03-route-subsets: a chain per routed subset selecting endpoints by envoy.lb metadata', () => {
    const res = generateIngress({ ingress: CASES[0]![1], meshes: contexts([SUBSET_ROUTE]) });
    expect(res.listeners[0]!.filterChains.map((c) => c.filterChainMatch!.serverNames[0])).toEqual([
      'backend{mesh=default}',
      'backend{mesh=default,version=v1}',
      'backend{mesh=default,version=v2}',
      'web{mesh=default}',
      'web{kuma.io/zone=zone-1,mesh=default}',
      'backend{mesh=other}',
    ]);
    expect(res.clusters.find((c) => c.name === 'other:backend')!.lbSubsetConfig).toBeUndefined();
    expectGolden(render(tagged(res)), 'ingress/03-route-subsets.golden.yaml');
  });

  for (const [name, zi] of CASES) {
    it(`matches golden ${name}`, () => {
      expectGolden(render(tagged(generateIngress({ ingress: zi, meshes: contexts() }))), `ingress/${name}.golden.yaml`);
    });
  }

  it('routes each SNI to its mesh and service, local endpoints only', () => {
    const res = generateIngress({ ingress: CASES[0]![1], meshes: contexts() });
    const chains = res.listeners[0]!.filterChains.map((c) => c.filterChainMatch!.serverNames[0]);
    expect(chains).toEqual(['backend{mesh=default}', 'web{mesh=default}', 'backend{mesh=other}']);
    expect(res.clusters.map((c) => c.name)).toEqual(['default:backend', 'default:web', 'other:backend']);
    expect(res.endpoints[0]!.endpoints[0]!.lbEndpoints).toHaveLength(2);
    expect(generateIngress({ ingress: CASES[1]![1], meshes: contexts() }).listeners).toEqual([]);
  });

  it('matches golden 03-mesh-services', () => {
    expectGolden(render(tagged(generateIngress({ ingress: ingress([]), meshes: meshServiceContexts() }))), 'ingress/03-mesh-services.golden.yaml');
  });

  it('MeshService mode: routes the hashed SNI of each local MeshService and of the MeshMultiZoneService gathering it to this zone\'s instances only', () => {
    const res = generateIngress({ ingress: ingress([]), meshes: meshServiceContexts() });
    const chains = res.listeners[0]!.filterChains.map((c) => c.filterChainMatch!.serverNames[0]);
    expect(chains).toEqual(['a601e0c00295a9fbe.backend.9090.default.mzms', 'a601e0c00295a9fbe.backend.9090.default.ms']);
    expect(res.clusters.map((c) => c.name)).toEqual(['default_backend___mzsvc_9090', 'default_backend__zone-1_msvc_9090']);
    for (const cla of res.endpoints) {
      // Never zone-2's ingress (203.0.113.2): an ingress forwards to its own zone only.
      expect(JSON.stringify(cla)).not.toContain('203.0.113.2');
      expect(cla.endpoints[0]!.lbEndpoints).toHaveLength(2);
    }
  });

  it.each([
    ['01-two-meshes', () => generateIngress({ ingress: CASES[0]![1], meshes: contexts() })],
    ['03-mesh-services', () => generateIngress({ ingress: ingress([]), meshes: meshServiceContexts() })],
    ['01-two-meshes with route subsets', () => generateIngress({ ingress: CASES[0]![1], meshes: contexts([SUBSET_ROUTE]) })],
  ])('%s is accepted by Envoy', (_, gen) => {
    const envoy = envoyBinary();
    const res = gen();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-ingress-')), 'bootstrap.pb');
    const claClusters = res.endpoints.map((cla) => ({ name: `cla:${cla.clusterName}`, clusterDiscoveryType: { $case: 'type' as const, value: Cluster_DiscoveryType.STATIC }, connectTimeout: { seconds: '1', nanos: 0 }, loadAssignment: { ...cla, clusterName: `cla:${cla.clusterName}` } }));
    const bootstrap = Bootstrap.fromPartial({
      node: { id: '.ingress', cluster: 'ingress' },
      // EDS clusters need an ADS source; validate them as STATIC clusters with the same settings.
      staticResources: { listeners: res.listeners, clusters: [...res.clusters.map((c) => ({ ...c, clusterDiscoveryType: { $case: 'type' as const, value: Cluster_DiscoveryType.STATIC }, edsClusterConfig: undefined })), ...claClusters] },
    });
    fs.writeFileSync(file, Bootstrap.encode(bootstrap).finish());
    const r = spawnSync(envoy, ['--mode', 'validate', '-c', file, '--log-level', 'warning', '--base-id', String(Math.floor(Math.random() * 1e6))], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
