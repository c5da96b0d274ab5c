/** The zone egress generator: golden output, routing facts, and real Envoy accepts it. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Bootstrap } from '../../../proto/gen/envoy/config/bootstrap/v3/bootstrap';
import { Cluster_DiscoveryType } from '../../../proto/gen/envoy/config/cluster/v3/cluster';
import { ApiConfigSource_ApiType, ApiVersion } from '../../../proto/gen/envoy/config/core/v3/config_source';
import { DownstreamTlsContext } from '../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/tls';
import type { MeshContext } from '../../../internal/xds/context/types';
import { type EgressIdentity, generateEgress } from '../../../internal/xds/generators/egress/egress-proxy';
import type { TaggedResource } from '../../../internal/xds/generators/types';
import { envoyBinary } from '../../support/envoy';
import { remoteIngress } from './cross-zone-fixtures';
import { EXTERNAL_SERVICES, LOCAL_EGRESS, MESH_MTLS_ZONE_EGRESS } from './egress-fixtures';
import { FAKE_CA_PEM, FAKE_IDENTITY, contextOf, expectGolden, parseResources, render } from './golden';

const MTP_ALLOW_WEB = `
type: MeshTrafficPermission
mesh: default
name: web-to-httpbin
spec:
  targetRef:
    kind: MeshService
    name: httpbin
  from:
  - targetRef:
      kind: MeshService
      name: web
    default:
      action: Allow
`;

/** zone-2: backend (1) in default and other; zone-3: backend (2, v2) and web in default; zone-4: no public address. */
const INGRESSES = [
  remoteIngress({ name: 'zi-zone-2', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 1 }, { mesh: 'other', instances: 1 }] }),
  remoteIngress({ name: 'zi-zone-3', zone: 'zone-3', advertisedAddress: '203.0.113.3', services: [{ instances: 2, tags: { version: 'v2' } }, { service: 'web', instances: 1 }] }),
  remoteIngress({ name: 'zi-zone-4', zone: 'zone-4', services: [{ instances: 5 }] }),
].join('\n---\n');

const MESH_OTHER_NO_EGRESS = `
type: Mesh
name: other
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
`;

function meshes(caPem = FAKE_CA_PEM, externals = EXTERNAL_SERVICES): Map<string, MeshContext> {
  const ingresses = parseResources(INGRESSES);
  const egress = parseResources(LOCAL_EGRESS);
  const ctx = (yaml: string) => contextOf([...parseResources(yaml), ...ingresses, ...egress], { caCertsPem: caPem });
  return new Map([
    ['default', ctx([MESH_MTLS_ZONE_EGRESS, externals, MTP_ALLOW_WEB].join('\n---\n'))],
    ['other', ctx(MESH_OTHER_NO_EGRESS)],
  ]);
}

const egress = parseResources(LOCAL_EGRESS)[0]!;
const identities = (id: EgressIdentity = FAKE_IDENTITY) => new Map([['default', id]]);

function tagged(res: ReturnType<typeof generateEgress>): TaggedResource[] {
  return [
    ...res.listeners.map((r) => ({ kind: 'listener' as const, name: r.name, origin: 'egress', resource: r })),
    ...res.clusters.map((r) => ({ kind: 'cluster' as const, name: r.name, origin: 'egress', resource: r })),
    ...res.endpoints.map((r) => ({ kind: 'endpoints' as const, name: r.clusterName, origin: 'egress', resource: r })),
    ...res.secrets.map((r) => ({ kind: 'secret' as const, name: r.name, origin: 'egress', resource: r })),
  ] as TaggedResource[];
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-egress-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('zone egress generator', () => {
  it('matches golden 01-remote-and-external', () => {
    expectGolden(render(tagged(generateEgress({ egress, meshes: meshes(), identities: identities() }))), 'egress/01-remote-and-external.golden.yaml');
  });

  it('matches golden 02-no-identity-yet (pass-through only)', () => {
    expectGolden(render(tagged(generateEgress({ egress, meshes: meshes() }))), 'egress/02-no-identity-yet.golden.yaml');
  });

  it('routes remote services by SNI to the remote ingresses and external services to their hosts', () => {
    const res = generateEgress({ egress, meshes: meshes(), identities: identities() });
    expect(res.listeners.map((l) => l.name)).toEqual(['inbound:10.1.0.9:10002']);
    const chains = res.listeners[0]!.filterChains;
    // Only the mesh with routing.zoneEgress; zone-2-db belongs to zone-2's egress; zone-4 has no public address.
    expect(chains.map((c) => c.filterChainMatch!.serverNames[0])).toEqual(['backend{mesh=default}', 'web{mesh=default}', 'httpbin{mesh=default}', 'tcp-echo{mesh=default}']);
    expect(res.clusters.map((c) => c.name)).toEqual(['default:backend', 'default:web', 'default:httpbin', 'default:tcp-echo']);
    // Pass-through: no TLS on the chain; endpoints = remote ingresses weighted by instances.
    expect(chains[0]!.transportSocket).toBeUndefined();
    const backend = res.endpoints.find((e) => e.clusterName === 'default:backend')!;
    expect(backend.endpoints.map((l) => [l.locality?.zone, l.lbEndpoints.map((e) => e.loadBalancingWeight)])).toEqual([['zone-2', [1]], ['zone-3', [2]]]);
    // External: mTLS terminated with the egress identity of the mesh, RBAC, then tcp_proxy.
    const ext = chains[2]!;
    expect(ext.filters.map((f) => f.name)).toEqual(['envoy.filters.network.rbac', 'envoy.filters.network.tcp_proxy']);
    const tls = DownstreamTlsContext.decode(ext.transportSocket!.configType!.value!.value);
    expect(tls.requireClientCertificate).toBe(true);
    expect(tls.commonTlsContext!.tlsCertificateSdsSecretConfigs[0]!.name).toBe('identity_cert:secret:default');
    expect(res.clusters.find((c) => c.name === 'default:httpbin')!.clusterDiscoveryType).toEqual({ $case: 'type', value: Cluster_DiscoveryType.STRICT_DNS });
    expect(res.secrets.map((s) => s.name)).toEqual(['identity_cert:secret:default', 'mesh_ca:secret:default']);
  });

  it('has no listener when no mesh routes through zone egress', () => {
    const only = new Map([['other', meshes().get('other')!]]);
    const res = generateEgress({ egress, meshes: only, identities: identities() });
    expect(res).toEqual({ listeners: [], clusters: [], endpoints: [], routes: [], secrets: [] });
  });

  it('is accepted by Envoy', () => {
    const envoy = envoyBinary();
    const key = path.join(tmp, 'key.pem');
    const cert = path.join(tmp, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=zone-egress', '-addext', 'subjectAltName=URI:spiffe://default/zone-egress'], { stdio: 'ignore' });
    const pki = { certPem: fs.readFileSync(cert, 'utf8'), keyPem: fs.readFileSync(key, 'utf8') };
    const res = generateEgress({ egress, meshes: meshes(pki.certPem), identities: identities(pki) });
    const file = path.join(tmp, 'bootstrap.pb');
    const claClusters = res.endpoints.map((cla) => ({ name: `cla:${cla.clusterName}`, clusterDiscoveryType: { $case: 'type' as const, value: Cluster_DiscoveryType.STATIC }, connectTimeout: { seconds: '1', nanos: 0 }, loadAssignment: { ...cla, clusterName: `cla:${cla.clusterName}` } }));
    const bootstrap = Bootstrap.fromPartial({
      node: { id: '.egress', cluster: 'egress' },
      // SDS over an ADS cluster that is never dialled.
      dynamicResources: {
        adsConfig: { apiType: ApiConfigSource_ApiType.GRPC, transportApiVersion: ApiVersion.V3, grpcServices: [{ targetSpecifier: { $case: 'envoyGrpc', value: { clusterName: 'ads_cluster' } } }] },
      },
      // EDS clusters need an ADS source; validate them as STATIC clusters with the same settings.
      staticResources: {
        listeners: res.listeners,
        clusters: [
          ...res.clusters.map((c) => (c.clusterDiscoveryType?.value === Cluster_DiscoveryType.EDS ? { ...c, clusterDiscoveryType: { $case: 'type' as const, value: Cluster_DiscoveryType.STATIC }, edsClusterConfig: undefined } : c)),
          ...claClusters,
          {
            name: 'ads_cluster',
            clusterDiscoveryType: { $case: 'type' as const, value: Cluster_DiscoveryType.STATIC },
            connectTimeout: { seconds: '1', nanos: 0 },
            loadAssignment: { clusterName: 'ads_cluster', endpoints: [{ lbEndpoints: [{ hostIdentifier: { $case: 'endpoint' as const, value: { address: { address: { $case: 'socketAddress' as const, value: { address: '127.0.0.1', portSpecifier: { $case: 'portValue' as const, value: 5678 } } } } } } }] }] },
          },
        ],
        secrets: res.secrets,
      },
    });
    fs.writeFileSync(file, Bootstrap.encode(bootstrap).finish());
    const r = spawnSync(envoy, ['--mode', 'validate', '-c', file, '--log-level', 'warning', '--base-id', String(Math.floor(Math.random() * 1e6))], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
