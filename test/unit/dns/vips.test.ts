/** The pure VIP allocator (internal/dns/vips.ts): the view of a mesh, stable allocation, records. */
import { describe, expect, it } from 'vitest';
import {
  type VipViewEntry,
  VipAllocationError,
  allocateVips,
  buildVipView,
  parseCidr,
  renderTemplate,
  serviceHostnames,
  vipAllocationSpec,
  vipMapOf,
  vipRecords,
} from '../../../internal/dns/vips';
import { parseResources } from '../../xds/generators/context-fixture';
import { remoteIngress } from '../../xds/generators/cross-zone-fixtures';

const OPTS = { cidr: '240.0.0.0/4', domain: 'mesh', serviceVipPort: 80 };

function svc(...names: string[]): VipViewEntry[] {
  return names.map((name) => ({ kind: 'service' as const, name, outbounds: [{ port: 80, tags: { 'kuma.io/service': name } }] }));
}

function ips(spec: ReturnType<typeof allocateVips>): Record<string, string> {
  return Object.fromEntries(spec.entries.map((e) => [e.name, e.ip]));
}

describe('allocateVips', () => {
  it('gives new entries the lowest free addresses, skipping the network address', () => {
    const a = allocateVips(undefined, svc('backend', 'web'), OPTS);
    expect(ips(a)).toEqual({ backend: '240.0.0.1', web: '240.0.0.2' });
  });

  it('keeps every assignment across recomputations and additions', () => {
    const a = allocateVips(undefined, svc('backend', 'web'), OPTS);
    // A service whose name sorts first arrives later: it must not shift the others.
    const b = allocateVips(a, svc('aaa', 'backend', 'web'), OPTS);
    expect(ips(b)).toEqual({ aaa: '240.0.0.3', backend: '240.0.0.1', web: '240.0.0.2' });
    // A stored-and-read-back allocation (what a CP restart sees) gives the same.
    const restarted = vipAllocationSpec(JSON.parse(JSON.stringify(b)));
    expect(allocateVips(restarted, svc('web', 'aaa', 'backend'), OPTS)).toEqual(b);
  });

  it('never hands out an address that is still assigned, and reuses it once the service is gone', () => {
    const a = allocateVips(undefined, svc('a', 'b', 'c'), OPTS);
    const b = allocateVips(a, svc('a', 'c'), OPTS); // b vanished
    expect(ips(b)).toEqual({ a: '240.0.0.1', c: '240.0.0.3' });
    const c = allocateVips(b, svc('a', 'c', 'd', 'e'), OPTS);
    expect(ips(c)).toEqual({ a: '240.0.0.1', c: '240.0.0.3', d: '240.0.0.2', e: '240.0.0.4' });
    expect(new Set(Object.values(ips(c))).size).toBe(4);
  });

  it('re-allocates assignments outside a changed CIDR and duplicated addresses', () => {
    const a = allocateVips(undefined, svc('a', 'b'), OPTS);
    const moved = allocateVips(a, svc('a', 'b'), { ...OPTS, cidr: '10.10.0.0/24' });
    expect(ips(moved)).toEqual({ a: '10.10.0.1', b: '10.10.0.2' });
    const corrupt = { ...a, entries: a.entries.map((e) => ({ ...e, ip: '240.0.0.1' })) };
    expect(ips(allocateVips(corrupt, svc('a', 'b'), OPTS))).toEqual({ a: '240.0.0.1', b: '240.0.0.2' });
  });

  it('fails with a clear error when the CIDR is exhausted, naming the key', () => {
    // /30: 4 addresses, 2 usable (network and broadcast are skipped).
    const small = { ...OPTS, cidr: '10.0.0.0/30' };
    expect(ips(allocateVips(undefined, svc('a', 'b'), small))).toEqual({ a: '10.0.0.1', b: '10.0.0.2' });
    expect(() => allocateVips(undefined, svc('a', 'b', 'c'), small)).toThrow(VipAllocationError);
    expect(() => allocateVips(undefined, svc('a', 'b', 'c'), small)).toThrow(/dnsServer\.cidr 10\.0\.0\.0\/30 has no free address left/);
    // /32 is one usable address.
    expect(ips(allocateVips(undefined, svc('a'), { ...OPTS, cidr: '10.0.0.7/32' }))).toEqual({ a: '10.0.0.7' });
  });

  it('rejects a CIDR that is not IPv4', () => {
    expect(() => parseCidr('240.0.0.0')).toThrow(/dnsServer\.cidr: "240\.0\.0\.0" is not an IPv4 CIDR/);
    expect(() => parseCidr('fd00::/8')).toThrow(VipAllocationError);
    expect(() => parseCidr('300.0.0.0/8')).toThrow(VipAllocationError);
    expect(parseCidr('240.1.2.3/4')).toEqual({ base: 240 * 2 ** 24, prefix: 4, size: 2 ** 28 });
  });
});

const DATAPLANES = `
type: Dataplane
mesh: default
name: backend-01
networking:
  address: 10.0.0.1
  inbound:
  - port: 9090
    tags: { kuma.io/service: backend, version: v1, kuma.io/protocol: http }
  - port: 9091
    health: { ready: false }
    tags: { kuma.io/service: sick }
  - port: 9092
    state: Ignored
    tags: { kuma.io/service: ignored }
---
type: Dataplane
mesh: default
name: backend-02
networking:
  address: 10.0.0.2
  inbound:
  - port: 9090
    tags: { kuma.io/service: backend, version: v2, kuma.io/protocol: http }
---
type: Dataplane
mesh: default
name: elsewhere
labels: { kuma.io/zone: zone-9 }
networking:
  address: 10.9.0.1
  inbound:
  - port: 9090
    tags: { kuma.io/service: zone-9-local-copy }
---
type: Dataplane
mesh: other
name: other-01
networking:
  address: 10.0.0.3
  inbound:
  - port: 9090
    tags: { kuma.io/service: other-mesh-service }
---
type: ExternalService
mesh: default
name: httpbin
networking:
  address: httpbin.org:443
tags: { kuma.io/service: httpbin, kuma.io/protocol: http }
---
type: VirtualOutbound
mesh: default
name: versions
selectors:
- match: { kuma.io/service: "*" }
conf:
  host: "{{.version}}.{{.service}}.mesh"
  port: "8080"
  parameters:
  - { name: service, tagKey: kuma.io/service }
  - { name: version }
`;

function view(extra = '') {
  const rs = parseResources(DATAPLANES + extra);
  const of = (t: string) => rs.filter((r) => r.type === t);
  return buildVipView({
    mesh: 'default',
    zone: 'zone-1',
    serviceVipPort: 80,
    dataplanes: of('Dataplane'),
    zoneIngresses: of('ZoneIngress'),
    externalServices: of('ExternalService'),
    virtualOutbounds: of('VirtualOutbound'),
  });
}

describe('buildVipView', () => {
  it('names local inbound services (healthy or not, not Ignored), remote ingress services, ExternalServices and VirtualOutbound hosts', () => {
    const remote = `---\n${remoteIngress({ name: 'zi-2', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ service: 'payments', instances: 2 }, { service: 'not-this-mesh', mesh: 'other', instances: 1 }] })}`;
    const v = view(remote);
    expect(v.map((e) => `${e.kind}:${e.name}`)).toEqual([
      'service:backend',
      'service:httpbin',
      'service:payments',
      'service:sick',
      'host:v1.backend.mesh',
      'host:v2.backend.mesh',
      // payments' tags carry no version: the template cannot render, so no host.
    ]);
    expect(v.find((e) => e.name === 'v1.backend.mesh')!.outbounds).toEqual([{ port: 8080, tags: { 'kuma.io/service': 'backend', version: 'v1' } }]);
    expect(v.find((e) => e.name === 'backend')!.outbounds).toEqual([{ port: 80, tags: { 'kuma.io/service': 'backend' } }]);
  });

  it('renders templates only when every parameter has a value', () => {
    expect(renderTemplate('{{.a}}.{{ .b }}.mesh', { a: 'x', b: 'y' })).toBe('x.y.mesh');
    expect(renderTemplate('{{.a}}.{{.b}}.mesh', { a: 'x' })).toBeUndefined();
  });

  it('keeps the better-ranked VirtualOutbound for one host and port', () => {
    const more = `---
type: VirtualOutbound
mesh: default
name: a-specific
selectors:
- match: { kuma.io/service: backend, version: v1 }
conf:
  host: "v1.backend.mesh"
  port: "8080"
  parameters:
  - { name: service, tagKey: kuma.io/service }
`;
    const e = view(more).find((x) => x.name === 'v1.backend.mesh')!;
    // The exact selector of a-specific outranks versions' wildcard: its tags (service only) win.
    expect(e.outbounds).toEqual([{ port: 8080, tags: { 'kuma.io/service': 'backend' } }]);
  });
});

describe('names and records', () => {
  it('adds the RFC 1123 form of a service name when it differs', () => {
    expect(serviceHostnames('echo-server_echo-example_svc_1010', 'mesh')).toEqual(['echo-server_echo-example_svc_1010.mesh', 'echo-server.echo-example.svc.1010.mesh']);
    expect(serviceHostnames('backend', 'mesh')).toEqual(['backend.mesh']);
  });

  it('lists every name with its VIP and port; the first claimant of a name keeps it', () => {
    const spec = allocateVips(undefined, [...svc('a_b', 'a.b', 'web'), { kind: 'host', name: 'web.mesh', outbounds: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] }], OPTS);
    expect(vipRecords(spec).map((r) => `${r.name} ${r.ip}:${r.port}`)).toEqual([
      'a.b.mesh 240.0.0.2:80', // the service "a.b" itself wins over the dotted form of "a_b" (240.0.0.1)
      'a_b.mesh 240.0.0.1:80',
      'web.mesh 240.0.0.3:80', // the service wins over a VirtualOutbound host of the same name
    ]);
    const map = vipMapOf({ spec: spec as never });
    expect(map.get('a_b.mesh')).toEqual({ ip: '240.0.0.1', port: 80, service: 'a_b' });
    expect(vipMapOf(undefined).size).toBe(0);
  });

  it('keeps VirtualOutbound subset tags and extra ports in the MeshContext map', () => {
    const spec = allocateVips(undefined, [{ kind: 'host', name: 'v1.backend.mesh', outbounds: [{ port: 8080, tags: { 'kuma.io/service': 'backend', version: 'v1' } }, { port: 9090, tags: { 'kuma.io/service': 'backend', version: 'v1' } }] }], OPTS);
    const map = vipMapOf({ spec: spec as never });
    expect([...map.keys()]).toEqual(['v1.backend.mesh', 'v1.backend.mesh:9090']);
    expect(map.get('v1.backend.mesh')).toEqual({ ip: '240.0.0.1', port: 8080, service: 'backend', tags: { 'kuma.io/service': 'backend', version: 'v1' } });
  });
});
