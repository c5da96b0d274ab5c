/**
 * Cross-zone endpoints in the MeshContext (spec kuma-kds-xds.md §2.5; Kuma fillIngressOutbounds) and
 * the weight math: remote endpoint weight = instances behind the ingress, local endpoint weight =
 * distinct remote ingress coordinates carrying the service (min 1). Envoy balances round robin by
 * host weight inside priority 0 (no locality-weighted LB), so a zone's share of the traffic is the
 * sum of its host weights over the sum of all host weights.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterLoadAssignment } from '../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import type { Resource } from '../../../internal/resources/model';
import { buildMeshContext } from '../../../internal/xds/context/mesh-context';
import { FLAT, LOCAL_FIRST } from '../../../internal/xds/generators/envoy/locality';
import { loadAssignment } from '../../../internal/xds/generators/sidecar/outbound-endpoints';
import { localBackends, remoteIngress } from '../generators/cross-zone-fixtures';
import { MESH_MTLS, docs } from '../generators/fixtures';
import { contextOf, parseResources } from '../generators/context-fixture';

const BACKEND = { name: 'backend', service: 'backend', tags: { 'kuma.io/service': 'backend' } };

/** Share of the traffic per locality zone among the priority-0 hosts of a ClusterLoadAssignment. */
function shares(cla: ClusterLoadAssignment): Record<string, number> {
  const byZone: Record<string, number> = {};
  let total = 0;
  for (const l of cla.endpoints) {
    if (l.priority !== 0) continue;
    for (const e of l.lbEndpoints) {
      const w = e.loadBalancingWeight ?? 1;
      const zone = l.locality?.zone ?? '';
      byZone[zone] = (byZone[zone] ?? 0) + w;
      total += w;
    }
  }
  for (const z of Object.keys(byZone)) byZone[z] = byZone[z]! / total;
  return byZone;
}

/** Share of one host (address) of the priority-0 traffic. */
function hostShare(cla: ClusterLoadAssignment, address: string): number {
  let total = 0;
  let mine = 0;
  for (const l of cla.endpoints) {
    if (l.priority !== 0) continue;
    for (const e of l.lbEndpoints) {
      const w = e.loadBalancingWeight ?? 1;
      total += w;
      const ep = e.hostIdentifier?.$case === 'endpoint' ? e.hostIdentifier.value : undefined;
      if (ep?.address?.address?.$case === 'socketAddress' && ep.address.address.value.address === address) mine += w;
    }
  }
  return mine / total;
}

function ctxOf(...yaml: string[]) {
  return contextOf(parseResources(docs(...yaml)));
}

describe('cross-zone weights', () => {
  it('2 local instances + 1 remote instance: Envoy splits 2:1 between the zones', () => {
    const ctx = ctxOf(MESH_MTLS, localBackends(2), remoteIngress({ name: 'zi-2', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 1 }] }));
    const eps = ctx.endpoints.get('backend')!;
    expect(eps.map((e) => [e.address, e.port, e.weight, e.zone, !!e.remote])).toEqual([
      ['192.168.1.1', 9090, 1, 'zone-1', false],
      ['192.168.1.2', 9090, 1, 'zone-1', false],
      ['203.0.113.2', 10001, 1, 'zone-2', true],
    ]);
    const cla = loadAssignment(BACKEND, ctx, FLAT);
    const s = shares(cla);
    expect(s['zone-1']! / s['zone-2']!).toBeCloseTo(2);
    // every instance gets the same share
    expect(hostShare(cla, '192.168.1.1')).toBeCloseTo(1 / 3);
    expect(hostShare(cla, '203.0.113.2')).toBeCloseTo(1 / 3);
  });

  it('1 local instance + 2 remote instances behind one ingress: 1:2', () => {
    const ctx = ctxOf(MESH_MTLS, localBackends(1), remoteIngress({ name: 'zi-2', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 2 }] }));
    const s = shares(loadAssignment(BACKEND, ctx, FLAT));
    expect(s['zone-2']! / s['zone-1']!).toBeCloseTo(2);
  });

  it('Kuma e2e: 4 local instances + 3 remote zones x 1 instance -> ~40/200 per local, ~13/200 per remote', () => {
    const ctx = ctxOf(
      MESH_MTLS,
      localBackends(4),
      remoteIngress({ name: 'zi-2', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 1 }] }),
      remoteIngress({ name: 'zi-3', zone: 'zone-3', advertisedAddress: '203.0.113.3', services: [{ instances: 1 }] }),
      remoteIngress({ name: 'zi-4', zone: 'zone-4', advertisedAddress: '203.0.113.4', services: [{ instances: 1 }] }),
    );
    const eps = ctx.endpoints.get('backend')!;
    expect(eps.filter((e) => !e.remote).map((e) => e.weight)).toEqual([3, 3, 3, 3]);
    const cla = loadAssignment(BACKEND, ctx, FLAT);
    expect(200 * hostShare(cla, '192.168.1.1')).toBeCloseTo(40);
    expect(200 * hostShare(cla, '203.0.113.2')).toBeCloseTo(200 / 15);
  });

  it('two ingress replicas of one zone on different addresses: local weight 2, each ingress the zone count', () => {
    // Kuma outbound.go example 3: 2 local, 2 remote instances, 2 ingress coordinates in zone-2.
    const ctx = ctxOf(
      MESH_MTLS,
      localBackends(2),
      remoteIngress({ name: 'zi-2a', zone: 'zone-2', advertisedAddress: '203.0.113.21', services: [{ instances: 2 }] }),
      remoteIngress({ name: 'zi-2b', zone: 'zone-2', advertisedAddress: '203.0.113.22', services: [{ instances: 2 }] }),
    );
    const eps = ctx.endpoints.get('backend')!;
    expect(eps.map((e) => e.weight)).toEqual([2, 2, 2, 2]);
    const s = shares(loadAssignment(BACKEND, ctx, FLAT));
    expect(s['zone-1']).toBeCloseTo(0.5);
    expect(s['zone-2']).toBeCloseTo(0.5);
  });

  it('counts coordinates per service: an ingress of a zone without the service does not raise its local weight', () => {
    const ctx = ctxOf(
      MESH_MTLS,
      localBackends(2),
      remoteIngress({ name: 'zi-2', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 1 }] }),
      remoteIngress({ name: 'zi-3', zone: 'zone-3', advertisedAddress: '203.0.113.3', services: [{ service: 'web', instances: 4 }] }),
    );
    expect(ctx.endpoints.get('backend')!.map((e) => e.weight)).toEqual([1, 1, 1]);
    expect(ctx.endpoints.get('web')!.map((e) => [e.address, e.weight])).toEqual([['203.0.113.3', 4]]);
  });

  it('several tag sets behind one ingress add up to one host in the ClusterLoadAssignment', () => {
    const ctx = ctxOf(
      MESH_MTLS,
      localBackends(1),
      remoteIngress({
        name: 'zi-2',
        zone: 'zone-2',
        advertisedAddress: '203.0.113.2',
        services: [
          { instances: 1, tags: { version: 'v1' } },
          { instances: 2, tags: { version: 'v2' } },
        ],
      }),
    );
    expect(ctx.endpoints.get('backend')!.filter((e) => e.remote).map((e) => e.weight)).toEqual([1, 2]);
    const cla = loadAssignment(BACKEND, ctx, FLAT);
    const remote = cla.endpoints.find((l) => l.locality?.zone === 'zone-2')!;
    expect(remote.lbEndpoints.map((e) => e.loadBalancingWeight)).toEqual([3]);
    expect(shares(cla)['zone-2']! / shares(cla)['zone-1']!).toBeCloseTo(3);
  });

  it('locality aware: remote zones go to priority 1, local ones stay at 0', () => {
    const ctx = ctxOf(MESH_MTLS, localBackends(2), remoteIngress({ name: 'zi-2', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 1 }] }));
    const cla = loadAssignment(BACKEND, ctx, LOCAL_FIRST);
    expect(cla.endpoints.map((l) => [l.locality?.zone, l.priority])).toEqual([
      ['zone-1', 0],
      ['zone-2', 1],
    ]);
  });
});

describe('remote ingresses', () => {
  it('dedups ingresses by advertised coordinates; an ingress with no availableServices does not claim them', () => {
    const ctx = ctxOf(
      MESH_MTLS,
      localBackends(1),
      // sorted by name: the empty replica comes first and must not hide the populated one
      remoteIngress({ name: 'zi-2-a-fresh', zone: 'zone-2', advertisedAddress: '203.0.113.2' }),
      remoteIngress({ name: 'zi-2-b', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 3 }] }),
      remoteIngress({ name: 'zi-2-c', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 3 }] }),
    );
    const remote = ctx.endpoints.get('backend')!.filter((e) => e.remote);
    expect(remote.map((e) => [e.address, e.port, e.weight])).toEqual([['203.0.113.2', 10001, 3]]);
    expect(ctx.endpoints.get('backend')![0]!.weight).toBe(1);
  });

  it('ignores the own ingress (zone empty or this zone), other meshes and external services', () => {
    const ctx = ctxOf(
      MESH_MTLS,
      localBackends(1),
      remoteIngress({ name: 'zi-own-zone', zone: 'zone-1', advertisedAddress: '198.51.100.1', services: [{ instances: 1 }] }),
      remoteIngress({ name: 'zi-2', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ mesh: 'other', instances: 7 }] }),
      `
type: ZoneIngress
name: zi-local-unpinned
networking: { address: 10.0.0.1, port: 10001, advertisedAddress: 198.51.100.2, advertisedPort: 10001 }
availableServices:
- mesh: default
  instances: 1
  tags: { kuma.io/service: backend }
---
type: ZoneIngress
name: zi-3-es
zone: zone-3
networking: { address: 10.0.0.1, port: 10001, advertisedAddress: 203.0.113.3, advertisedPort: 10001 }
availableServices:
- mesh: default
  instances: 1
  externalService: true
  tags: { kuma.io/service: backend, kuma.io/zone: zone-3 }
`,
    );
    expect(ctx.endpoints.get('backend')!.map((e) => e.address)).toEqual(['192.168.1.1']);
    expect(ctx.zoneIngresses.map((z) => z.name)).toEqual(['zi-2', 'zi-3-es', 'zi-local-unpinned', 'zi-own-zone']);
  });

  it('falls back to the kuma.io/zone label when spec.zone is empty', () => {
    const ctx = ctxOf(
      MESH_MTLS,
      `
type: ZoneIngress
name: zi-2
labels: { kuma.io/origin: global, kuma.io/zone: zone-2 }
networking: { address: 10.0.0.1, port: 10001, advertisedAddress: 203.0.113.2, advertisedPort: 10001 }
availableServices:
- mesh: default
  instances: 2
  tags: { kuma.io/service: backend, kuma.io/protocol: grpc }
`,
    );
    // no kuma.io/zone tag on the entry: the ingress' zone locates it
    expect(ctx.endpoints.get('backend')).toEqual([
      { address: '203.0.113.2', port: 10001, weight: 2, zone: 'zone-2', remote: true, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'grpc' } },
    ]);
    // a remote-only service takes its protocol from the advertised tags
    expect(ctx.protocols.get('backend')).toBe('grpc');
  });

  it('without mTLS drops remote endpoints and says why per service', () => {
    const ctx = ctxOf(
      localBackends(2),
      remoteIngress({ name: 'zi-2', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 1 }, { service: 'web', instances: 1 }] }),
      remoteIngress({ name: 'zi-3', zone: 'zone-3', advertisedAddress: '203.0.113.3', services: [{ instances: 1 }] }),
    );
    expect(ctx.endpoints.get('backend')!.map((e) => [e.address, e.weight])).toEqual([
      ['192.168.1.1', 1],
      ['192.168.1.2', 1],
    ]);
    expect(ctx.endpoints.has('web')).toBe(false);
    expect([...ctx.crossZoneNotes]).toEqual([
      ['backend', 'cross-zone endpoints of backend are dropped: mesh default has no mTLS; cross-zone traffic is routed by SNI and needs mTLS'],
      ['web', 'cross-zone endpoints of web are dropped: mesh default has no mTLS; cross-zone traffic is routed by SNI and needs mTLS'],
    ]);
  });

  it('notes ingresses without a public address', () => {
    const ctx = ctxOf(MESH_MTLS, remoteIngress({ name: 'zi-4', zone: 'zone-4', services: [{ instances: 1 }] }));
    expect(ctx.endpoints.has('backend')).toBe(false);
    expect(ctx.crossZoneNotes.get('backend')).toBe(
      'cross-zone endpoints of backend in zone zone-4 are dropped: ZoneIngress zi-4 has no advertisedAddress/advertisedPort yet',
    );
  });

  it('has no notes when every remote instance became an endpoint', () => {
    const ctx = ctxOf(MESH_MTLS, remoteIngress({ name: 'zi-2', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 1 }] }));
    expect(ctx.crossZoneNotes.size).toBe(0);
  });
});

describe('MeshContext hash with ZoneIngresses', () => {
  const base = parseResources(docs(MESH_MTLS, localBackends(1)));
  const mesh = base.find((r) => r.type === 'Mesh')!;
  const dps = base.filter((r) => r.type === 'Dataplane');
  const zi = (services: { mesh?: string; instances: number }[], address = '203.0.113.2'): Resource =>
    parseResources(remoteIngress({ name: 'zi-2', zone: 'zone-2', advertisedAddress: address, services }))[0]!;
  const hash = (zoneIngresses: Resource[]) => buildMeshContext({ mesh, resources: new Map([['Dataplane', dps]]), zone: 'zone-1', zoneIngresses }).hash;

  it('moves with what this mesh sees of the ingresses', () => {
    const h0 = hash([]);
    const h1 = hash([zi([{ instances: 1 }])]);
    expect(h1).not.toBe(h0);
    expect(hash([zi([{ instances: 2 }])])).not.toBe(h1);
    expect(hash([zi([{ instances: 1 }], '203.0.113.9')])).not.toBe(h1);
    expect(hash([zi([{ instances: 1 }])])).toBe(h1);
  });

  it('does not move when only another mesh behind the ingress changes', () => {
    const h1 = hash([zi([{ instances: 1 }, { mesh: 'other', instances: 1 }])]);
    expect(hash([zi([{ instances: 1 }, { mesh: 'other', instances: 5 }])])).toBe(h1);
  });
});
