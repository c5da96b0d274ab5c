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
import { HttpConnectionManager, HttpConnectionManager_CodecType } from '../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import { HttpProtocolOptions } from '../../../proto/gen/envoy/extensions/upstreams/http/v3/http_protocol_options';
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

/** HTTP-family ExternalServices and every policy the egress applies to their chains. */
const HTTP_EXTERNALS = [
  EXTERNAL_SERVICES,
  `
type: ExternalService
mesh: default
name: h2-api
tags:
  kuma.io/service: h2-api
  kuma.io/protocol: http2
networking:
  address: 192.0.2.20:8443
`,
  `
type: ExternalService
mesh: default
name: grpc-api
tags:
  kuma.io/service: grpc-api
  kuma.io/protocol: grpc
networking:
  address: grpc.example.com:443
`,
  `
type: FaultInjection
mesh: default
name: httpbin-delay
sources:
- match:
    kuma.io/service: web
    version: v1.2
destinations:
- match:
    kuma.io/service: httpbin
conf:
  delay:
    percentage: 12.5
    value: 2s
  responseBandwidth:
    percentage: 100
    limit: 50kbps
`,
  `
type: RateLimit
mesh: default
name: httpbin-web-budget
sources:
- match:
    kuma.io/service: web
- match:
    kuma.io/service: admin
destinations:
- match:
    kuma.io/service: '*'
conf:
  http:
    requests: 5
    interval: 10s
    onRateLimit:
      status: 423
      headers:
      - key: x-limited
        value: 'yes'
        append: true
`,
  `
type: MeshFaultInjection
mesh: default
name: httpbin-abort
spec:
  targetRef:
    kind: MeshService
    name: httpbin
  from:
  - targetRef:
      kind: MeshService
      name: web
    default:
      http:
      - abort:
          httpStatus: 418
          percentage: 50
`,
  `
type: MeshFaultInjection
mesh: default
name: everything-delayed
spec:
  targetRef:
    kind: Mesh
  from:
  - targetRef:
      kind: Mesh
    default:
      http:
      - delay:
          value: 1s
          percentage: 10
`,
  `
type: MeshRateLimit
mesh: default
name: httpbin-budget
spec:
  targetRef:
    kind: MeshService
    name: httpbin
  from:
  - targetRef:
      kind: Mesh
    default:
      local:
        http:
          requestRate:
            num: 3
            interval: 1s
          onRateLimit:
            status: 429
`,
  `
type: MeshAccessLog
mesh: default
name: egress-log
spec:
  targetRef:
    kind: MeshSubset
    tags:
      kuma.io/protocol: http2
  from:
  - targetRef:
      kind: Mesh
    default:
      backends:
      - type: File
        file:
          path: /tmp/egress-access.log
      - type: Tcp
        tcp:
          address: 127.0.0.1:5000
`,
].join('\n---\n');

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
    // External: mTLS terminated with the egress identity of the mesh, RBAC, then tcp_proxy (tcp) or an HCM (http).
    const ext = chains[2]!;
    expect(ext.filters.map((f) => f.name)).toEqual(['envoy.filters.network.rbac', 'envoy.filters.network.http_connection_manager']);
    expect(chains[3]!.filters.map((f) => f.name)).toEqual(['envoy.filters.network.rbac', 'envoy.filters.network.tcp_proxy']);
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

  it('matches golden 07-external-service-http-policies', () => {
    expectGolden(render(tagged(generateEgress({ egress, meshes: meshes(FAKE_CA_PEM, HTTP_EXTERNALS), identities: identities() }))), 'egress/07-external-service-http-policies.golden.yaml');
  });

  it('serves HTTP-family ExternalServices with an HTTP connection manager and the egress from policies', () => {
    const res = generateEgress({ egress, meshes: meshes(FAKE_CA_PEM, HTTP_EXTERNALS), identities: identities() });
    const chain = (service: string) => res.listeners[0]!.filterChains.find((c) => c.name === `${service}_default`)!;
    const hcm = (service: string) => {
      const config = chain(service).filters[1]!.configType;
      if (config?.$case !== 'typedConfig') throw new Error(`${service}: the chain's second filter has no typed config`);
      return HttpConnectionManager.decode(config.value.value);
    };
    expect(chain('tcp-echo').filters.map((f) => f.name)).toEqual(['envoy.filters.network.rbac', 'envoy.filters.network.tcp_proxy']);
    for (const s of ['httpbin', 'h2-api', 'grpc-api']) expect(chain(s).filters.map((f) => f.name)).toEqual(['envoy.filters.network.rbac', 'envoy.filters.network.http_connection_manager']);
    expect([hcm('httpbin').codecType, hcm('h2-api').codecType, hcm('grpc-api').codecType]).toEqual([HttpConnectionManager_CodecType.HTTP1, HttpConnectionManager_CodecType.HTTP2, HttpConnectionManager_CodecType.HTTP2]);
    // Upstream protocol by kuma.io/protocol: HTTP/1.1 for http, HTTP/2 for http2 and grpc; none for tcp.
    const upstream = (name: string) => {
      const opts = res.clusters.find((c) => c.name === name)!.typedExtensionProtocolOptions['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
      return opts ? HttpProtocolOptions.decode(opts.value).upstreamProtocolOptions?.$case === 'explicitHttpConfig' && (HttpProtocolOptions.decode(opts.value).upstreamProtocolOptions!.value as { protocolConfig?: { $case: string } }).protocolConfig?.$case : undefined;
    };
    expect(['default:httpbin', 'default:h2-api', 'default:grpc-api', 'default:tcp-echo'].map(upstream)).toEqual(['httpProtocolOptions', 'http2ProtocolOptions', 'http2ProtocolOptions', undefined]);
    // httpbin: legacy fault, legacy rate limit, MeshFaultInjection (web's abort, then everyone's delay), MeshRateLimit, router.
    expect(hcm('httpbin').httpFilters.map((f) => f.name)).toEqual([
      'envoy.filters.http.fault', 'envoy.filters.http.local_ratelimit', 'envoy.filters.http.fault', 'envoy.filters.http.fault', 'envoy.filters.http.local_ratelimit', 'envoy.filters.http.router',
    ]);
    const rs = hcm('httpbin').routeSpecifier;
    const vhost = (rs?.$case === 'routeConfig' ? rs.value : undefined)!.virtualHosts[0]!;
    // The legacy RateLimit's route (its sources on x-kuma-tags, its bucket) comes before the catch-all.
    expect(vhost.routes.map((r) => [r.match!.headers.length, Object.keys(r.typedPerFilterConfig)])).toEqual([[1, ['envoy.filters.http.local_ratelimit']], [0, []]]);
    expect(vhost.routes.every((r) => r.action?.$case === 'route' && r.action.value.clusterSpecifier?.$case === 'cluster' && r.action.value.clusterSpecifier.value === 'default:httpbin')).toBe(true);
    // grpc: Kuma's egress MeshFaultInjection covers http and http2 only; the mesh-wide delay stays off it.
    expect(hcm('grpc-api').httpFilters.map((f) => f.name)).toEqual(['envoy.filters.http.local_ratelimit', 'envoy.filters.http.router']);
    expect(hcm('h2-api').httpFilters.map((f) => f.name)).toEqual(['envoy.filters.http.local_ratelimit', 'envoy.filters.http.fault', 'envoy.filters.http.router']);
    // MeshAccessLog selects the http2 ExternalService only (MeshSubset), File backend only on the egress.
    expect([hcm('httpbin').accessLog.length, hcm('h2-api').accessLog.length, hcm('grpc-api').accessLog.length]).toEqual([0, 1, 0]);
  });

  it('is accepted by Envoy', () => {
    expectAcceptedByEnvoy(EXTERNAL_SERVICES);
  });

  it('is accepted by Envoy with HTTP ExternalServices and their egress policies', () => {
    expectAcceptedByEnvoy(HTTP_EXTERNALS);
  });
});

function expectAcceptedByEnvoy(externals: string): void {
  {
    const envoy = envoyBinary();
    const key = path.join(tmp, 'key.pem');
    const cert = path.join(tmp, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=zone-egress', '-addext', 'subjectAltName=URI:spiffe://default/zone-egress'], { stdio: 'ignore' });
    const pki = { certPem: fs.readFileSync(cert, 'utf8'), keyPem: fs.readFileSync(key, 'utf8') };
    const res = generateEgress({ egress, meshes: meshes(pki.certPem, externals), identities: identities(pki) });
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
  }
}
