/**
 * MeshExternalServices through the sidecar generators (outbound to the zone egress) and the zone
 * egress generator (SNI chain to the real endpoints with spec.tls): goldens, the rules they show,
 * and real Envoy accepting the egress config (the sidecar cases are replayed by envoy-validate).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Bootstrap } from '../../../proto/gen/envoy/config/bootstrap/v3/bootstrap';
import { Cluster, Cluster_DiscoveryType, Cluster_LbPolicy } from '../../../proto/gen/envoy/config/cluster/v3/cluster';
import { ApiConfigSource_ApiType, ApiVersion } from '../../../proto/gen/envoy/config/core/v3/config_source';
import { CertificateValidationContext_TrustChainVerification } from '../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/common';
import { UpstreamTlsContext } from '../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/tls';
import { type HttpConnectionManager, HttpConnectionManager_CodecType } from '../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import type { HttpProtocolOptions } from '../../../proto/gen/envoy/extensions/upstreams/http/v3/http_protocol_options';
import { HTTP_PROTOCOL_OPTIONS_KEY } from '../../../internal/xds/generators/envoy/common';
import { unpack } from '../../../internal/proto/any';
import type { MesTls } from '../../../internal/xds/context/mesh-external-services';
import { generateEgress } from '../../../internal/xds/generators/egress/egress-proxy';
import { meshExternalTlsSocket } from '../../../internal/xds/generators/envoy/mes-tls';
import { createSidecarMemo } from '../../../internal/xds/generators/memo';
import { outboundClusters } from '../../../internal/xds/generators/sidecar/outbound-clusters';
import { outboundEndpoints } from '../../../internal/xds/generators/sidecar/outbound-endpoints';
import { outboundListeners } from '../../../internal/xds/generators/sidecar/outbound-listeners';
import { generateSidecar } from '../../../internal/xds/generators/sidecar/profile';
import type { Generator, TaggedResource } from '../../../internal/xds/generators/types';
import { envoyBinary } from '../../support/envoy';
import { CASES } from './cases';
import { CLIENT, MESH_MTLS, MES_HTTPBIN, MES_TCP_DB } from './cases/mesh-external-services';
import { EXTERNAL_CA_SECRET, LOCAL_EGRESS } from './egress-fixtures';
import { backends, docs } from './fixtures';
import { FAKE_CA_PEM, FAKE_IDENTITY, contextOf, expectGolden, fixture, goldenCases, parseResources, render } from './golden';

const outbound: Generator = (proxy, ctx, memo) => [...outboundListeners(proxy, ctx), ...outboundClusters(proxy, ctx, memo), ...outboundEndpoints(proxy, ctx, memo)];
const cases = CASES['mesh-external-services']!;
const byName = (name: string) => cases.find((c) => c.name === name)!;
const HTTPBIN = 'default_httpbin__zone-1_extsvc_443';
const TCP_DB = 'default_tcp-db__zone-1_extsvc_5432';
const PLAIN_H1 = 'default_plain-h1__zone-1_extsvc_80';
const H2_API = 'default_h2-api__zone-1_extsvc_8443';
const GRPC_API = 'default_grpc-api__zone-1_extsvc_9090';

/** The egress-side policies (Kuma MADR 056) towards plain-h1 only. */
const MES_EGRESS_POLICIES = ['MeshCircuitBreaker', 'MeshHealthCheck', 'MeshLoadBalancingStrategy']
  .map((type, i) => {
    const conf = [
      'connectionLimits:\n          maxConnections: 7\n        outlierDetection:\n          disabled: false\n          healthyPanicThreshold: 0\n          detectors:\n            totalFailures:\n              consecutive: 2',
      'interval: 10s\n        timeout: 2s\n        unhealthyThreshold: 3\n        healthyThreshold: 1\n        http:\n          path: /health',
      'loadBalancer:\n          type: RingHash\n          ringHash:\n            hashPolicies:\n            - type: Header\n              header:\n                name: x-user',
    ][i];
    return `type: ${type}\nmesh: default\nname: plain-h1-${i}\nspec:\n  targetRef:\n    kind: Mesh\n  to:\n  - targetRef:\n      kind: MeshExternalService\n      name: plain-h1\n    default:\n        ${conf}`;
  })
  .join('\n---\n');

const BILLING = 'default_billing__zone-1_extsvc_80';

/** A MeshExternalService selected by its labels. */
const MES_BILLING = 'type: MeshExternalService\nmesh: default\nname: billing\nlabels:\n  kuma.io/origin: zone\n  team: payments\nspec:\n  match:\n    type: HostnameGenerator\n    port: 80\n    protocol: http\n  endpoints:\n  - address: 198.51.100.10\n    port: 8080';

/**
 * Policies a sidecar would only take when they select it, which the egress takes anyway: top-level
 * Dataplane by labels, MeshService with proxyTypes [Sidecar]; to[] by name, labels, sectionName
 * and Mesh (the `a-` name would win a name tie-break, and still loses to a MeshExternalService item).
 */
const EGRESS_ANY_TOP_LEVEL = docs(
  'type: MeshCircuitBreaker\nmesh: default\nname: web-cb\nspec:\n  targetRef:\n    kind: Dataplane\n    labels:\n      app: web\n  to:\n  - targetRef:\n      kind: MeshExternalService\n      name: plain-h1\n    default:\n      connectionLimits:\n        maxConnections: 3\n  - targetRef:\n      kind: MeshExternalService\n      name: grpc-api\n      sectionName: "9090"\n    default:\n      connectionLimits:\n        maxPendingRequests: 11\n  - targetRef:\n      kind: MeshExternalService\n      name: billing\n      sectionName: "1234"\n    default:\n      connectionLimits:\n        maxPendingRequests: 12',
  'type: MeshHealthCheck\nmesh: default\nname: web-hc\nspec:\n  targetRef:\n    kind: MeshService\n    name: web\n    proxyTypes: [Sidecar]\n  to:\n  - targetRef:\n      kind: MeshExternalService\n      name: h2-api\n    default:\n      interval: 10s\n      timeout: 2s\n      unhealthyThreshold: 3\n      healthyThreshold: 1\n      http:\n        path: /ready',
  'type: MeshLoadBalancingStrategy\nmesh: default\nname: z-billing-lb\nspec:\n  targetRef:\n    kind: Mesh\n  to:\n  - targetRef:\n      kind: MeshExternalService\n      labels:\n        team: payments\n    default:\n      loadBalancer:\n        type: Random',
  'type: MeshLoadBalancingStrategy\nmesh: default\nname: a-all-lb\nspec:\n  targetRef:\n    kind: Mesh\n  to:\n  - targetRef:\n      kind: Mesh\n    default:\n      loadBalancer:\n        type: LeastRequest',
);

/** One MeshExternalService per HTTP-family protocol: plain http, http2 with TLS, grpc over plain TCP. */
const MES_HTTP_FAMILY = docs(
  ...[
    ['plain-h1', 80, 'http', '198.51.100.8', 8080, ''],
    ['h2-api', 8443, 'http2', 'api.example.com', 443, '\n  tls:\n    enabled: true\n    verification:\n      mode: SkipAll'],
    ['grpc-api', 9090, 'grpc', '198.51.100.9', 50051, ''],
  ].map(
    ([name, port, protocol, address, epPort, tls]) =>
      `type: MeshExternalService\nmesh: default\nname: ${name}\nlabels:\n  kuma.io/origin: zone\nspec:\n  match:\n    type: HostnameGenerator\n    port: ${port}\n    protocol: ${protocol}\n  endpoints:\n  - address: ${address}\n    port: ${epPort}${tls}`,
  ),
);

function upstreamTls(c: Cluster): UpstreamTlsContext {
  const ts = c.transportSocket!;
  if (ts.configType?.$case !== 'typedConfig') throw new Error('no typed transport socket');
  return unpack(ts.configType.value) as UpstreamTlsContext;
}

describe('mesh-external-services golden (sidecar)', () => {
  goldenCases('mesh-external-services', outbound, cases);
});

describe('MeshExternalService on the sidecar', () => {
  it('gets an outbound on its VIP and on the declared backendRef, both to its cluster', () => {
    const { proxy, ctx } = fixture(byName('01-through-egress'));
    const res = generateSidecar(proxy, ctx, createSidecarMemo());
    const names = res.listeners.map((l) => l.name).filter((n) => n.startsWith('outbound:') && !n.startsWith('outbound:240.'));
    expect(names.sort()).toEqual(['outbound:127.0.0.1:10090', 'outbound:242.0.0.1:443', 'outbound:242.0.0.2:5432']);
    expect(JSON.stringify(res.listeners.find((l) => l.name === 'outbound:127.0.0.1:10090'))).toContain(HTTPBIN);
    expect(res.clusters.map((c) => c.name).filter((n) => n.includes('extsvc')).sort()).toEqual([HTTPBIN, TCP_DB]);
  });

  it('dials the zone egress with mesh mTLS, the hashed SNI and the egress identity', () => {
    const { proxy, ctx } = fixture(byName('01-through-egress'));
    const res = generateSidecar(proxy, ctx, createSidecarMemo());
    const c = res.clusters.find((x) => x.name === HTTPBIN)!;
    const tls = upstreamTls(c);
    expect(tls.sni).toMatch(/^a[0-9a-f]{16}\.httpbin\.443\.default\.mes$/);
    expect(JSON.stringify(UpstreamTlsContext.toJSON(tls))).toContain('spiffe://default/zone-egress');
    const cla = res.endpoints.find((e) => e.clusterName === HTTPBIN)!;
    const addrs = cla.endpoints.flatMap((l) => l.lbEndpoints.map((e) => (e.hostIdentifier?.$case === 'endpoint' && e.hostIdentifier.value.address?.address?.$case === 'socketAddress' ? e.hostIdentifier.value.address.address.value : undefined)));
    expect(addrs.map((a) => `${a?.address}:${a?.portSpecifier?.$case === 'portValue' ? a.portSpecifier.value : ''}`)).toEqual(['10.1.0.9:10002']);
  });

  it('MeshTimeout and MeshRetry targeting the MeshExternalService apply to its cluster and route', () => {
    const { proxy, ctx } = fixture(byName('01-through-egress'));
    const res = generateSidecar(proxy, ctx, createSidecarMemo());
    const c = res.clusters.find((x) => x.name === HTTPBIN)!;
    expect(c.connectTimeout).toEqual({ seconds: '3', nanos: 0 });
    expect(res.clusters.find((x) => x.name === TCP_DB)!.connectTimeout).not.toEqual({ seconds: '3', nanos: 0 });
    const l = render(outboundListeners(proxy, ctx).filter((r) => r.name === 'outbound:242.0.0.1:443'));
    expect(l).toContain('numRetries: 4');
    expect(l).toMatch(/timeout:\n\s+seconds: "7"/);
  });

  it('MeshHTTPRoute backendRefs of kind MeshExternalService split a kuma.io/service outbound onto its cluster', () => {
    const client = `
type: Dataplane
mesh: default
name: web-01
networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    servicePort: 8081
    tags:
      kuma.io/service: web
      kuma.io/protocol: http
  outbound:
  - port: 10001
    tags:
      kuma.io/service: backend
`;
    const route = `
type: MeshHTTPRoute
mesh: default
name: backend-to-httpbin
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
    rules:
    - matches:
      - path:
          type: PathPrefix
          value: /ext
      default:
        backendRefs:
        - kind: MeshExternalService
          name: httpbin
          weight: 90
        - kind: MeshExternalService
          name: missing
          weight: 5
        - kind: MeshService
          name: backend
          weight: 10
`;
    const { proxy, ctx } = fixture({ name: 'route', mtls: true, meshServices: true, resources: docs(MESH_MTLS, client, backends('http'), EXTERNAL_CA_SECRET, MES_HTTPBIN, LOCAL_EGRESS, route) });
    const res = generateSidecar(proxy, ctx, createSidecarMemo());
    expect(res.clusters.map((c) => c.name).sort()).toEqual(expect.arrayContaining(['backend', HTTPBIN]));
    expect(upstreamTls(res.clusters.find((c) => c.name === HTTPBIN)!).sni).toMatch(/\.httpbin\.443\.default\.mes$/);
    const l = render(outboundListeners(proxy, ctx).filter((r) => r.name === 'outbound:127.0.0.1:10001'));
    expect(l).toMatch(new RegExp(`name: ${HTTPBIN}\\n\\s+weight: 90`));
    expect(l).not.toContain('missing');
    expect(res.endpoints.find((e) => e.clusterName === HTTPBIN)!.endpoints.length).toBe(1);
  });

  it('without a zone egress the cluster has no endpoint; without mTLS there is no outbound', () => {
    const { proxy, ctx } = fixture(byName('02-no-egress'));
    const res = generateSidecar(proxy, ctx, createSidecarMemo());
    expect(res.endpoints.find((e) => e.clusterName === TCP_DB)!.endpoints).toEqual([]);
    const plain = fixture({ name: 'x', vips: true, meshServices: true, dnsPort: 15053, resources: docs('type: Mesh\nname: default', CLIENT, MES_TCP_DB) });
    const r2 = generateSidecar(plain.proxy, plain.ctx, createSidecarMemo());
    expect(r2.clusters.map((c) => c.name).filter((n) => n.includes('extsvc'))).toEqual([]);
  });
});

const egress = parseResources(LOCAL_EGRESS)[0]!;

function egressMeshes(caPem: string, extra = ''): Map<string, ReturnType<typeof contextOf>> {
  const resources = parseResources(docs(MESH_MTLS, EXTERNAL_CA_SECRET, MES_HTTPBIN, MES_TCP_DB, LOCAL_EGRESS, ...(extra ? [extra] : [])));
  return new Map([['default', contextOf(resources, { caCertsPem: caPem, meshServices: true })]]);
}

function taggedEgress(res: ReturnType<typeof generateEgress>): TaggedResource[] {
  return [
    ...res.listeners.map((r) => ({ kind: 'listener' as const, name: r.name, origin: 'egress', resource: r })),
    ...res.clusters.map((r) => ({ kind: 'cluster' as const, name: r.name, origin: 'egress', resource: r })),
    ...res.secrets.map((r) => ({ kind: 'secret' as const, name: r.name, origin: 'egress', resource: r })),
  ] as TaggedResource[];
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-mes-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('MeshExternalService on the zone egress', () => {
  it('matches golden egress/03-mesh-external-services', () => {
    const res = generateEgress({ egress, meshes: egressMeshes(FAKE_CA_PEM), identities: new Map([['default', FAKE_IDENTITY]]) });
    expectGolden(render(taggedEgress(res)), 'egress/03-mesh-external-services.golden.yaml');
  });

  it('terminates mTLS on the MES SNI and dials the endpoints: STRICT_DNS with TLS for a name, STATIC for an IP', () => {
    const res = generateEgress({ egress, meshes: egressMeshes(FAKE_CA_PEM), identities: new Map([['default', FAKE_IDENTITY]]) });
    const chains = res.listeners[0]!.filterChains;
    expect(chains.map((c) => c.name)).toEqual([HTTPBIN, TCP_DB]);
    expect(chains[0]!.filterChainMatch!.serverNames[0]).toMatch(/^a[0-9a-f]{16}\.httpbin\.443\.default\.mes$/);
    const http = res.clusters.find((c) => c.name === HTTPBIN)!;
    expect(http.clusterDiscoveryType).toEqual({ $case: 'type', value: Cluster_DiscoveryType.STRICT_DNS });
    const tls = upstreamTls(http);
    expect(tls.sni).toBe('httpbin.org');
    expect(tls.commonTlsContext!.tlsParams!.tlsMinimumProtocolVersion).toBe(3);
    const vc = tls.commonTlsContext!.validationContextType;
    expect(vc?.$case).toBe('validationContext');
    expect(JSON.stringify(Cluster.toJSON(http))).toContain('httpbin.org');
    const db = res.clusters.find((c) => c.name === TCP_DB)!;
    expect(db.clusterDiscoveryType).toEqual({ $case: 'type', value: Cluster_DiscoveryType.STATIC });
    expect(db.transportSocket).toBeUndefined();
    expect(res.secrets.map((s) => s.name)).toEqual(['identity_cert:secret:default', 'mesh_ca:secret:default']);
  });

  it('matches golden egress/04-mesh-external-http-protocols', () => {
    const res = generateEgress({ egress, meshes: egressMeshes(FAKE_CA_PEM, MES_HTTP_FAMILY), identities: new Map([['default', FAKE_IDENTITY]]) });
    expectGolden(render(taggedEgress(res)), 'egress/04-mesh-external-http-protocols.golden.yaml');
  });

  it('http, http2 and grpc get an http_connection_manager to the cluster, which speaks HTTP/1.1 or HTTP/2; tcp keeps tcp_proxy', () => {
    const res = generateEgress({ egress, meshes: egressMeshes(FAKE_CA_PEM, MES_HTTP_FAMILY), identities: new Map([['default', FAKE_IDENTITY]]) });
    const chains = new Map(res.listeners[0]!.filterChains.map((c) => [c.name, c]));
    const filters = (key: string) => chains.get(key)!.filters.map((f) => f.name);
    const HCM = 'envoy.filters.network.http_connection_manager';
    for (const key of [HTTPBIN, PLAIN_H1, H2_API, GRPC_API]) expect(filters(key), key).toEqual([HCM]);
    expect(filters(TCP_DB)).toEqual(['envoy.filters.network.tcp_proxy']);
    const hcm = unpack(chains.get(GRPC_API)!.filters[0]!.configType!.value as never) as HttpConnectionManager;
    const rc = hcm.routeSpecifier?.$case === 'routeConfig' ? hcm.routeSpecifier.value : undefined;
    const action = rc!.virtualHosts[0]!.routes[0]!.action;
    expect(action?.$case === 'route' ? action.value.clusterSpecifier : undefined).toEqual({ $case: 'cluster', value: GRPC_API });
    // The sidecar's MeshTimeout governs (MADR 056): no egress route timeout; x-kuma-tags stays in the mesh.
    expect(action?.$case === 'route' ? action.value.timeout : undefined).toEqual({ seconds: '0', nanos: 0 });
    expect(rc!.requestHeadersToRemove).toEqual(['x-kuma-tags']);
    // The downstream codec follows what the sidecar's cluster speaks: mesh mTLS negotiates ALPN "kuma", not h2.
    const codec = (key: string) => (unpack(chains.get(key)!.filters[0]!.configType!.value as never) as HttpConnectionManager).codecType;
    expect([PLAIN_H1, H2_API, GRPC_API].map(codec)).toEqual([HttpConnectionManager_CodecType.HTTP1, HttpConnectionManager_CodecType.HTTP2, HttpConnectionManager_CodecType.HTTP2]);
    const upstream = (key: string) => {
      const c = res.clusters.find((x) => x.name === key)!;
      const any = c.typedExtensionProtocolOptions[HTTP_PROTOCOL_OPTIONS_KEY];
      if (!any) return 'none';
      const o = unpack(any) as HttpProtocolOptions;
      return o.upstreamProtocolOptions?.$case === 'explicitHttpConfig' ? o.upstreamProtocolOptions.value.protocolConfig?.$case : 'other';
    };
    expect([HTTPBIN, PLAIN_H1, H2_API, GRPC_API, TCP_DB].map(upstream)).toEqual(['httpProtocolOptions', 'httpProtocolOptions', 'http2ProtocolOptions', 'http2ProtocolOptions', 'none']);
  });

  it('matches golden egress/05-mesh-external-egress-policies', () => {
    const res = generateEgress({ egress, meshes: egressMeshes(FAKE_CA_PEM, docs(MES_HTTP_FAMILY, MES_EGRESS_POLICIES)), identities: new Map([['default', FAKE_IDENTITY]]) });
    expectGolden(render(taggedEgress(res)), 'egress/05-mesh-external-egress-policies.golden.yaml');
  });

  it('MeshCircuitBreaker, MeshHealthCheck and MeshLoadBalancingStrategy to a MeshExternalService apply on the egress cluster of that one only', () => {
    const res = generateEgress({ egress, meshes: egressMeshes(FAKE_CA_PEM, docs(MES_HTTP_FAMILY, MES_EGRESS_POLICIES)), identities: new Map([['default', FAKE_IDENTITY]]) });
    const c = (key: string) => res.clusters.find((x) => x.name === key)!;
    const plain = c(PLAIN_H1);
    expect(plain.outlierDetection?.consecutive5xx).toBe(2);
    expect(plain.commonLbConfig?.healthyPanicThreshold?.value).toBe(0);
    expect(plain.circuitBreakers?.thresholds[0]?.maxConnections).toBe(7);
    expect(plain.lbPolicy).toBe(Cluster_LbPolicy.RING_HASH);
    expect(plain.healthChecks.map((h) => h.healthChecker?.$case)).toEqual(['httpHealthCheck']);
    // The RingHash's hash policy goes on the egress's route to that cluster.
    const chain = res.listeners[0]!.filterChains.find((x) => x.name === PLAIN_H1)!;
    expect(render([{ kind: 'listener', name: 'x', origin: 'egress', resource: { filterChains: [chain] } } as never])).toContain('x-user');
    for (const other of [GRPC_API, H2_API, TCP_DB]) {
      expect(c(other).outlierDetection, other).toBeUndefined();
      expect(c(other).lbPolicy, other).toBe(Cluster_LbPolicy.ROUND_ROBIN);
      expect(c(other).healthChecks, other).toEqual([]);
    }
  });

  it('MeshLoadBalancingStrategy root hashPolicies (Kuma 2.10+) go on the egress route; with no loadBalancer the cluster keeps round robin', () => {
    const mlbs = 'type: MeshLoadBalancingStrategy\nmesh: default\nname: h2-hash\nspec:\n  targetRef:\n    kind: Mesh\n  to:\n  - targetRef:\n      kind: MeshExternalService\n      name: h2-api\n    default:\n      hashPolicies:\n      - type: Header\n        header:\n          name: x-tenant';
    const res = generateEgress({ egress, meshes: egressMeshes(FAKE_CA_PEM, docs(MES_HTTP_FAMILY, mlbs)), identities: new Map([['default', FAKE_IDENTITY]]) });
    const chain = (key: string) => render([{ kind: 'listener', name: 'x', origin: 'egress', resource: { filterChains: [res.listeners[0]!.filterChains.find((x) => x.name === key)!] } } as never]);
    expect(chain(H2_API)).toMatch(/hashPolicy:\s+- header:\s+headerName: x-tenant/);
    expect(chain(PLAIN_H1)).not.toContain('hashPolicy');
    expect(res.clusters.find((x) => x.name === H2_API)!.lbPolicy).toBe(Cluster_LbPolicy.ROUND_ROBIN);
  });

  it('matches golden egress/06-mesh-external-egress-any-top-level', () => {
    const res = generateEgress({ egress, meshes: egressMeshes(FAKE_CA_PEM, docs(MES_HTTP_FAMILY, MES_BILLING, EGRESS_ANY_TOP_LEVEL)), identities: new Map([['default', FAKE_IDENTITY]]) });
    expectGolden(render(taggedEgress(res)), 'egress/06-mesh-external-egress-any-top-level.golden.yaml');
  });

  it('the egress takes every policy whose to[] reaches the MeshExternalService, whatever its top-level targetRef (Kuma egress ResourceRules)', () => {
    const res = generateEgress({ egress, meshes: egressMeshes(FAKE_CA_PEM, docs(MES_HTTP_FAMILY, MES_BILLING, EGRESS_ANY_TOP_LEVEL)), identities: new Map([['default', FAKE_IDENTITY]]) });
    const c = (key: string) => res.clusters.find((x) => x.name === key)!;
    // Top-level Dataplane by labels, to[] by name: a client's policy, yet the egress applies it.
    expect(c(PLAIN_H1).circuitBreakers?.thresholds[0]?.maxConnections).toBe(3);
    // Top-level MeshService with proxyTypes [Sidecar], to[] by name.
    expect(c(H2_API).healthChecks.map((h) => h.healthChecker?.$case)).toEqual(['httpHealthCheck']);
    // to[] by labels reaches billing only; a to: Mesh item reaches all, and the MeshExternalService item beats it whatever the names.
    expect(c(BILLING).lbPolicy).toBe(Cluster_LbPolicy.RANDOM);
    expect(c(GRPC_API).lbPolicy).toBe(Cluster_LbPolicy.LEAST_REQUEST);
    expect(c(PLAIN_H1).lbPolicy).toBe(Cluster_LbPolicy.LEAST_REQUEST);
    // sectionName names the MeshExternalService's port: 9090 matches grpc-api, 1234 matches nothing.
    expect(c(GRPC_API).circuitBreakers?.thresholds[0]?.maxPendingRequests).toBe(11);
    expect(c(BILLING).circuitBreakers).toBeUndefined();
  });

  it('legacy CircuitBreaker and HealthCheck do not reach a MeshExternalService on the egress', () => {
    const legacy = docs(
      'type: CircuitBreaker\nmesh: default\nname: cb-all\nsources:\n- match:\n    kuma.io/service: "*"\ndestinations:\n- match:\n    kuma.io/service: "*"\nconf:\n  thresholds:\n    maxConnections: 2',
      'type: HealthCheck\nmesh: default\nname: hc-all\nsources:\n- match:\n    kuma.io/service: "*"\ndestinations:\n- match:\n    kuma.io/service: "*"\nconf:\n  interval: 10s\n  timeout: 2s\n  unhealthyThreshold: 3\n  healthyThreshold: 1',
    );
    const res = generateEgress({ egress, meshes: egressMeshes(FAKE_CA_PEM, docs(MES_HTTP_FAMILY, legacy)), identities: new Map([['default', FAKE_IDENTITY]]) });
    for (const key of [PLAIN_H1, H2_API, GRPC_API, TCP_DB]) {
      const cl = res.clusters.find((x) => x.name === key)!;
      expect(cl.circuitBreakers, key).toBeUndefined();
      expect(cl.healthChecks, key).toEqual([]);
    }
  });

  it('routing.defaultForbidMeshExternalServiceAccess puts a deny-all RBAC on the chains', () => {
    const forbid = 'type: Mesh\nname: default\nmtls:\n  enabledBackend: ca-1\n  backends:\n  - name: ca-1\n    type: builtin\nrouting:\n  defaultForbidMeshExternalServiceAccess: true';
    const resources = parseResources(docs(forbid, MES_TCP_DB, LOCAL_EGRESS));
    const res = generateEgress({ egress, meshes: new Map([['default', contextOf(resources, { caCertsPem: FAKE_CA_PEM })]]), identities: new Map([['default', FAKE_IDENTITY]]) });
    expect(res.listeners[0]!.filterChains[0]!.filters.map((f) => f.name)).toEqual(['envoy.filters.network.rbac', 'envoy.filters.network.tcp_proxy']);
    // An HTTP chain keeps the network RBAC in front: the connection is refused before any request.
    const http = generateEgress({ egress, meshes: new Map([['default', contextOf(parseResources(docs(forbid, MES_HTTP_FAMILY, LOCAL_EGRESS)), { caCertsPem: FAKE_CA_PEM })]]), identities: new Map([['default', FAKE_IDENTITY]]) });
    expect(http.listeners[0]!.filterChains[0]!.filters.map((f) => f.name)).toEqual(['envoy.filters.network.rbac', 'envoy.filters.network.http_connection_manager']);
  });

  it('verification modes: Secured checks CA and names, SkipSAN only the CA, SkipCA names over ACCEPT_UNTRUSTED, SkipAll nothing', () => {
    const base: MesTls = { sni: 'ext.example', mode: 'Secured', sans: [{ type: 'Exact', value: 'ext.example' }], allowRenegotiation: false };
    const vc = (t: MesTls) => {
      const u = UpstreamTlsContext.decode((meshExternalTlsSocket(t).configType as { value: { value: Uint8Array } }).value.value);
      const v = u.commonTlsContext?.validationContextType;
      return v?.$case === 'validationContext' ? v.value : undefined;
    };
    const secured = vc(base)!;
    expect(secured.trustedCa?.specifier).toEqual({ $case: 'filename', value: '/etc/ssl/certs/ca-certificates.crt' });
    expect(secured.matchTypedSubjectAltNames.length).toBe(2);
    expect(vc({ ...base, mode: 'SkipSAN' })!.matchTypedSubjectAltNames).toEqual([]);
    const skipCa = vc({ ...base, mode: 'SkipCA' })!;
    expect(skipCa.trustChainVerification).toBe(CertificateValidationContext_TrustChainVerification.ACCEPT_UNTRUSTED);
    expect(skipCa.matchTypedSubjectAltNames.length).toBe(2);
    expect(vc({ ...base, mode: 'SkipAll' })).toBeUndefined();
    const h2 = UpstreamTlsContext.decode((meshExternalTlsSocket({ ...base, alpn: ['h2'] }).configType as { value: { value: Uint8Array } }).value.value);
    expect(h2.commonTlsContext!.alpnProtocols).toEqual(['h2']);
  });

  it.each([
    ['05 egress policies', () => docs(MES_HTTP_FAMILY, MES_EGRESS_POLICIES), 5],
    ['06 any top-level', () => docs(MES_HTTP_FAMILY, MES_BILLING, EGRESS_ANY_TOP_LEVEL), 6],
  ] as const)('is accepted by Envoy (%s)', (_name, extra, chains) => {
    const envoy = envoyBinary();
    const key = path.join(tmp, 'key.pem');
    const cert = path.join(tmp, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=zone-egress', '-addext', 'subjectAltName=URI:spiffe://default/zone-egress'], { stdio: 'ignore' });
    const pki = { certPem: fs.readFileSync(cert, 'utf8'), keyPem: fs.readFileSync(key, 'utf8') };
    const res = generateEgress({ egress, meshes: egressMeshes(pki.certPem, extra()), identities: new Map([['default', pki]]) });
    expect(res.listeners[0]!.filterChains.length).toBe(chains);
    const bootstrap = Bootstrap.fromPartial({
      node: { id: '.egress', cluster: 'egress' },
      dynamicResources: {
        adsConfig: { apiType: ApiConfigSource_ApiType.GRPC, transportApiVersion: ApiVersion.V3, grpcServices: [{ targetSpecifier: { $case: 'envoyGrpc', value: { clusterName: 'ads_cluster' } } }] },
      },
      staticResources: {
        listeners: res.listeners,
        clusters: [
          ...res.clusters,
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
    const file = path.join(tmp, 'bootstrap.pb');
    fs.writeFileSync(file, Bootstrap.encode(bootstrap).finish());
    const r = spawnSync(envoy, ['--mode', 'validate', '-c', file, '--log-level', 'warning', '--base-id', String(Math.floor(Math.random() * 1e6))], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
