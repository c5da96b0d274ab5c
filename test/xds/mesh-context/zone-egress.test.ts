/**
 * Zone egress in the MeshContext (spec kuma-kds-xds.md §2.5 last rule, §4): with Mesh
 * routing.zoneEgress on, every remote endpoint becomes the local ZoneEgress address:port, weight 1,
 * same tags and locality; without a local egress remote services get no endpoint and a note.
 */
import { describe, expect, it } from 'vitest';
import { buildMeshContext } from '../../../internal/xds/context/mesh-context';
import { localBackends, remoteIngress } from '../generators/cross-zone-fixtures';
import { LOCAL_EGRESS, MESH_MTLS_ZONE_EGRESS, OTHER_ZONE_EGRESS } from '../generators/egress-fixtures';
import { MESH_MTLS, docs } from '../generators/fixtures';
import { contextOf, parseResources } from '../generators/context-fixture';

const REMOTE = [
  remoteIngress({ name: 'zi-zone-2', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ instances: 3 }] }),
  remoteIngress({ name: 'zi-zone-3', zone: 'zone-3', advertisedAddress: '203.0.113.3', services: [{ instances: 2, tags: { version: 'v2' } }] }),
].join('\n---\n');

const ctxOf = (...parts: string[]) => contextOf(parseResources(docs(...parts)), { caCertsPem: 'CA' });

describe('MeshContext with zone egress', () => {
  it('reroutes remote endpoints through the local egress (weight 1, tags and zone kept), local ones untouched', () => {
    const ctx = ctxOf(MESH_MTLS_ZONE_EGRESS, localBackends(2), REMOTE, LOCAL_EGRESS, OTHER_ZONE_EGRESS);
    expect(ctx.zoneEgresses.map((z) => z.name)).toEqual(['ze-1']);
    const eps = ctx.endpoints.get('backend')!;
    expect(eps.map((e) => [e.address, e.port, e.weight, e.zone, !!e.remote])).toEqual([
      ['192.168.1.1', 9090, 2, 'zone-1', false],
      ['192.168.1.2', 9090, 2, 'zone-1', false],
      ['10.1.0.9', 10002, 1, 'zone-2', true],
      ['10.1.0.9', 10002, 1, 'zone-3', true],
    ]);
    expect(eps[3]!.tags.version).toBe('v2');
    expect(ctx.crossZoneNotes.size).toBe(0);
  });

  it('without zoneEgress the egress is ignored and remote endpoints are the ingresses', () => {
    const ctx = ctxOf(MESH_MTLS, localBackends(1), REMOTE, LOCAL_EGRESS);
    expect(ctx.endpoints.get('backend')!.filter((e) => e.remote).map((e) => `${e.address}:${e.port}/${e.weight}`)).toEqual(['203.0.113.2:10001/3', '203.0.113.3:10001/2']);
  });

  it('zoneEgress on and no local egress: no remote endpoints, and a note says why', () => {
    const ctx = ctxOf(MESH_MTLS_ZONE_EGRESS, localBackends(1), REMOTE, OTHER_ZONE_EGRESS);
    expect(ctx.endpoints.get('backend')!.filter((e) => e.remote)).toEqual([]);
    expect(ctx.crossZoneNotes.get('backend')).toBe(
      'cross-zone endpoints of backend are dropped: mesh default routes through zone egress (routing.zoneEgress) and this zone has no ZoneEgress',
    );
  });

  it('the hash covers the local egresses, and stays as before without any', () => {
    const resources = parseResources(docs(MESH_MTLS_ZONE_EGRESS, localBackends(1)));
    const mesh = resources.find((r) => r.type === 'Mesh')!;
    const base = { mesh, resources: new Map([['Dataplane', resources.filter((r) => r.type === 'Dataplane')]]), zone: 'zone-1' };
    const none = buildMeshContext(base).hash;
    expect(buildMeshContext({ ...base, zoneEgresses: parseResources(OTHER_ZONE_EGRESS) }).hash).toBe(none);
    const withEgress = buildMeshContext({ ...base, zoneEgresses: parseResources(LOCAL_EGRESS) }).hash;
    expect(withEgress).not.toBe(none);
    const moved = parseResources(LOCAL_EGRESS.replace('10002', '10003'));
    expect(buildMeshContext({ ...base, zoneEgresses: moved }).hash).not.toBe(withEgress);
  });

  it('ExternalServices vote their protocol', () => {
    const ctx = ctxOf(MESH_MTLS, `
type: ExternalService
mesh: default
name: httpbin
tags:
  kuma.io/service: httpbin
  kuma.io/protocol: http
networking:
  address: httpbin.org:80
`);
    expect(ctx.protocols.get('httpbin')).toBe('http');
  });
});
