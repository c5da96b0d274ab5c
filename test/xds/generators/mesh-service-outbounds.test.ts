/**
 * MeshService-mode outbounds through the generators (spec kuma-kds-xds.md §2.4, §2.5, §3.8):
 * golden files of the outbound listeners, clusters and endpoints, plus the rules they show.
 */
import { describe, expect, it } from 'vitest';
import { Cluster } from '../../../proto/gen/envoy/config/cluster/v3/cluster';
import { UpstreamTlsContext } from '../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/tls';
import { unpack } from '../../../internal/proto/any';
import { createSidecarMemo } from '../../../internal/xds/generators/memo';
import { outboundClusters } from '../../../internal/xds/generators/sidecar/outbound-clusters';
import { outboundEndpoints } from '../../../internal/xds/generators/sidecar/outbound-endpoints';
import { outboundListeners } from '../../../internal/xds/generators/sidecar/outbound-listeners';
import { generateSidecar } from '../../../internal/xds/generators/sidecar/profile';
import type { Generator } from '../../../internal/xds/generators/types';
import { CASES } from './cases';
import { LOCAL_BACKEND, MMZS, REMOTE_BACKEND, WEB_BACKENDREF, meshWithMode } from './cases/mesh-service-outbounds';
import { backends, docs } from './fixtures';
import { remoteIngress } from './cross-zone-fixtures';
import { fixture, goldenCases } from './golden';

const outbound: Generator = (proxy, ctx, memo) => [...outboundListeners(proxy, ctx), ...outboundClusters(proxy, ctx, memo), ...outboundEndpoints(proxy, ctx, memo)];
const cases = CASES['mesh-service-outbounds']!;
const byName = (name: string) => cases.find((c) => c.name === name)!;

describe('mesh-service-outbounds golden', () => {
  goldenCases('mesh-service-outbounds', outbound, cases);
});

function sniOf(c: Cluster): string {
  const ts = c.transportSocket!;
  if (ts.configType?.$case !== 'typedConfig') throw new Error('no typed transport socket');
  return (unpack(ts.configType.value) as UpstreamTlsContext).sni;
}

describe('MeshService outbounds', () => {
  it('Exclusive: one outbound per MeshService / MeshMultiZoneService VIP and port, the declared backendRef one, no kuma.io/service VIPs', () => {
    const { proxy, ctx } = fixture(byName('01-exclusive'));
    const res = generateSidecar(proxy, ctx, createSidecarMemo());
    const outbounds = res.listeners.map((l) => l.name).filter((n) => n.startsWith('outbound:'));
    expect(outbounds.sort()).toEqual(['outbound:127.0.0.1:10080', 'outbound:127.0.0.1:10081', 'outbound:241.0.0.1:9090', 'outbound:241.0.0.2:9090', 'outbound:243.0.0.1:9090']);
    expect(res.clusters.map((c) => c.name).filter((n) => n.includes('svc')).sort()).toEqual(['default_backend___mzsvc_9090', 'default_backend__zone-1_msvc_9090', 'default_backend__zone-2_msvc_9090']);
  });

  it('a backendRef by labels names another zone\'s copy', () => {
    const { proxy, ctx } = fixture(byName('01-exclusive'));
    const res = generateSidecar(proxy, ctx, createSidecarMemo());
    const l = res.listeners.find((x) => x.name === 'outbound:127.0.0.1:10081')!;
    expect(JSON.stringify(l)).toContain('default_backend__zone-2_msvc_9090');
  });

  it('sends the hashed SNI of the resource and accepts the MeshService identities', () => {
    const { proxy, ctx } = fixture(byName('01-exclusive'));
    const res = generateSidecar(proxy, ctx, createSidecarMemo());
    const cl = (n: string) => res.clusters.find((c) => c.name === n)!;
    // Same string on both ends: the local original (name) and zone-1's copy of zone-2's (display name).
    expect(sniOf(cl('default_backend__zone-1_msvc_9090'))).toBe(sniOf(cl('default_backend__zone-2_msvc_9090')));
    expect(sniOf(cl('default_backend__zone-1_msvc_9090'))).toMatch(/^a[0-9a-f]{16}\.backend\.9090\.default\.ms$/);
    expect(sniOf(cl('default_backend___mzsvc_9090'))).toMatch(/^a[0-9a-f]{16}\.backend\.9090\.default\.mzms$/);
    expect(JSON.stringify(Cluster.toJSON(cl('default_backend___mzsvc_9090')))).toContain('spiffe://default/backend');
  });

  it('MeshMultiZoneService: local instances at priority 0, the other zone\'s ingress at priority 1', () => {
    const { proxy, ctx } = fixture(byName('01-exclusive'));
    const cla = generateSidecar(proxy, ctx, createSidecarMemo()).endpoints.find((e) => e.clusterName === 'default_backend___mzsvc_9090')!;
    const at = cla.endpoints.map((l) => ({
      priority: l.priority,
      zone: l.locality?.zone,
      addrs: l.lbEndpoints.map((e) => (e.hostIdentifier?.$case === 'endpoint' && e.hostIdentifier.value.address?.address?.$case === 'socketAddress' ? e.hostIdentifier.value.address.address.value.address : '')),
    }));
    expect(at).toEqual([
      { priority: 0, zone: 'zone-1', addrs: ['192.168.0.2', '192.168.0.3'] },
      { priority: 1, zone: 'zone-2', addrs: ['203.0.113.2'] },
    ]);
  });

  it('MeshLoadBalancingStrategy localityAwareness.disabled on the MeshMultiZoneService spreads over both zones', () => {
    const mlbs = `
type: MeshLoadBalancingStrategy
mesh: default
name: spread
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshMultiZoneService
      name: backend
    default:
      localityAwareness:
        disabled: true
`;
    const c = { ...byName('01-exclusive'), resources: docs(byName('01-exclusive').resources, mlbs) };
    const { proxy, ctx } = fixture(c);
    const cla = generateSidecar(proxy, ctx, createSidecarMemo()).endpoints.find((e) => e.clusterName === 'default_backend___mzsvc_9090')!;
    expect(cla.endpoints.map((l) => l.priority)).toEqual([0, 0]);
    // The MeshService itself keeps local first.
    const ms = generateSidecar(proxy, ctx, createSidecarMemo()).endpoints.find((e) => e.clusterName === 'default_backend__zone-2_msvc_9090')!;
    expect(ms.endpoints.map((l) => l.priority)).toEqual([1]);
  });

  it('a to[] targetRef MeshService by name applies to that MeshService of every zone (display name) and port, not to the MeshMultiZoneService', () => {
    const timeout = `
type: MeshTimeout
mesh: default
name: backend-connect
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshService
      name: backend
      sectionName: "9090"
    default:
      connectionTimeout: 7s
`;
    const c = { ...byName('01-exclusive'), resources: docs(byName('01-exclusive').resources, timeout) };
    const { proxy, ctx } = fixture(c);
    const clusters = generateSidecar(proxy, ctx, createSidecarMemo()).clusters;
    const connect = (n: string) => clusters.find((x) => x.name === n)!.connectTimeout;
    expect(connect('default_backend__zone-1_msvc_9090')).toEqual({ seconds: '7', nanos: 0 });
    expect(connect('default_backend__zone-2_msvc_9090')).toEqual({ seconds: '7', nanos: 0 });
    expect(connect('default_backend___mzsvc_9090')).not.toEqual({ seconds: '7', nanos: 0 });
  });

  it('drops a zone whose MeshService copy is not Available from the MeshMultiZoneService', () => {
    const down = REMOTE_BACKEND.replace('state: Available', 'state: Unavailable');
    const { proxy, ctx } = fixture({ ...byName('01-exclusive'), resources: docs(meshWithMode('Exclusive'), WEB_BACKENDREF, backends('http'), LOCAL_BACKEND, down, MMZS, remoteIngress({ name: 'zi-zone-2', zone: 'zone-2', advertisedAddress: '203.0.113.2' })) });
    const cla = generateSidecar(proxy, ctx, createSidecarMemo()).endpoints.find((e) => e.clusterName === 'default_backend___mzsvc_9090')!;
    expect(cla.endpoints.map((l) => l.locality?.zone)).toEqual(['zone-1']);
  });

  it('Everywhere keeps the kuma.io/service VIP outbound beside the MeshService ones', () => {
    const { proxy, ctx } = fixture(byName('02-everywhere'));
    const names = generateSidecar(proxy, ctx, createSidecarMemo()).listeners.map((l) => l.name);
    expect(names.some((n) => n.startsWith('outbound:240.'))).toBe(true);
    expect(names.filter((n) => n.startsWith('outbound:241.') || n.startsWith('outbound:243.')).length).toBe(3);
  });
});
