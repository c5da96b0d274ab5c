/**
 * Kuma DNS VIP outbounds through the generators (spec kuma-kds-xds.md §3.8): golden files of the
 * outbound listeners, clusters and endpoints together, plus the rules the goldens show.
 */
import { describe, expect, it } from 'vitest';
import { Listener } from '../../../proto/gen/envoy/config/listener/v3/listener';
import { createSidecarMemo } from '../../../internal/xds/generators/memo';
import { outboundClusters } from '../../../internal/xds/generators/sidecar/outbound-clusters';
import { outboundEndpoints } from '../../../internal/xds/generators/sidecar/outbound-endpoints';
import { outboundListeners } from '../../../internal/xds/generators/sidecar/outbound-listeners';
import { generateSidecar } from '../../../internal/xds/generators/sidecar/profile';
import type { Generator } from '../../../internal/xds/generators/types';
import { buildMeshContext } from '../../../internal/xds/context/mesh-context';
import { CASES } from './cases';
import { vipsOf } from './context-fixture';
import { fixture, goldenCases, parseResources } from './golden';

const outbound: Generator = (proxy, ctx, memo) => [...outboundListeners(proxy, ctx), ...outboundClusters(proxy, ctx, memo), ...outboundEndpoints(proxy, ctx, memo)];

describe('vip-outbounds golden', () => {
  goldenCases('vip-outbounds', outbound, CASES['vip-outbounds']!);
});

const byName = (name: string) => CASES['vip-outbounds']!.find((c) => c.name === name)!;

describe('VIP outbounds', () => {
  it('binds every VIP listener itself, with freebind, on the service VIP port', () => {
    const { proxy, ctx } = fixture(byName('01-dns-port'));
    const vip = generateSidecar(proxy, ctx, createSidecarMemo()).listeners.filter((l) => l.name.startsWith('outbound:240.'));
    expect(vip.map((l) => l.name)).toEqual(['outbound:240.0.0.1:80', 'outbound:240.0.0.2:80', 'outbound:240.0.0.3:80', 'outbound:240.0.0.4:80']);
    for (const l of vip) {
      expect(l.bindToPort).toBe(true);
      expect(l.freebind).toBe(true);
    }
    // The declared outbound stays as it was (no bind_to_port/freebind set).
    const declared = generateSidecar(proxy, ctx, createSidecarMemo()).listeners.find((l) => l.name === 'outbound:127.0.0.1:10001')!;
    expect(Listener.toJSON(declared)).not.toHaveProperty('freebind');
  });

  it('gives a proxy without a resolver or transparent proxying the same config as a mesh without VIPs', () => {
    const c = byName('02-not-opted-in');
    const { proxy, ctx } = fixture(c);
    const { ctx: plain } = fixture({ ...c, vips: false });
    expect(generateSidecar(proxy, ctx, createSidecarMemo())).toEqual(generateSidecar(proxy, plain, createSidecarMemo()));
  });

  it('hashes the VIP map: a new VIP changes the MeshContext hash, no VIPs keeps the old one', () => {
    const resources = parseResources(byName('01-dns-port').resources);
    const mesh = { type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {}, version: 1, creationTime: '', modificationTime: '' };
    const byType = new Map<string, typeof resources>();
    for (const r of resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
    const base = buildMeshContext({ mesh, resources: byType, zone: 'zone-1' });
    const empty = buildMeshContext({ mesh, resources: byType, zone: 'zone-1', vips: new Map() });
    const vips = vipsOf(resources);
    const withVips = buildMeshContext({ mesh, resources: byType, zone: 'zone-1', vips });
    expect(empty.hash).toBe(base.hash);
    expect(withVips.hash).not.toBe(base.hash);
    const moved = new Map(vips);
    moved.set('backend.mesh', { ...vips.get('backend.mesh')!, ip: '240.0.0.99' });
    expect(buildMeshContext({ mesh, resources: byType, zone: 'zone-1', vips: moved }).hash).not.toBe(withVips.hash);
    expect(buildMeshContext({ mesh, resources: byType, zone: 'zone-1', vips: new Map(vips) }).hash).toBe(withVips.hash);
  });

  it('has the RFC 1123 form of a service share its VIP and listener', () => {
    const resources = parseResources(byName('01-dns-port').resources);
    const vips = vipsOf(resources);
    expect(vips.get('echo-server_echo-example_svc_1010.mesh')).toEqual(vips.get('echo-server.echo-example.svc.1010.mesh'));
  });

  it('covers remote services advertised by other zones\' ingresses', () => {
    const { proxy, ctx } = fixture(byName('04-cross-zone-remote-service'));
    expect(ctx.vips?.get('remote-only.ns.svc.80.mesh')?.service).toBe('remote-only_ns_svc_80');
    const res = generateSidecar(proxy, ctx, createSidecarMemo());
    expect(res.clusters.map((c) => c.name)).toContain('remote-only_ns_svc_80');
    const cla = res.endpoints.find((e) => e.clusterName === 'remote-only_ns_svc_80')!;
    expect(JSON.stringify(cla)).toContain('203.0.113.2');
  });
});
