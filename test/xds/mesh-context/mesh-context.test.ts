import { describe, expect, it } from 'vitest';
import { commonOf, commonProtocol } from '../../../internal/xds/context/protocol';
import { canonicalJson } from '../../../internal/xds/context/mesh-context';
import { contextOf, parseResources } from '../generators/context-fixture';

const DATAPLANES = `
type: Dataplane
mesh: default
name: b-02
networking:
  address: 10.0.0.2
  inbound:
  - port: 9090
    tags: { kuma.io/service: backend, kuma.io/protocol: grpc, version: v2 }
  - port: 9091
    health: { ready: false }
    tags: { kuma.io/service: backend, kuma.io/protocol: grpc }
  - port: 9092
    state: NotReady
    tags: { kuma.io/service: backend, kuma.io/protocol: grpc }
  - port: 9093
    state: Ignored
    tags: { kuma.io/service: backend, kuma.io/protocol: tcp }
---
type: Dataplane
mesh: default
name: b-01
networking:
  address: 10.0.0.1
  inbound:
  - port: 9090
    address: 10.0.1.1
    tags: { kuma.io/service: backend, kuma.io/protocol: http2, version: v1 }
---
type: Dataplane
mesh: default
name: b-nat
networking:
  address: 192.168.0.5
  advertisedAddress: 203.0.113.5
  inbound:
  - port: 9090
    tags: { kuma.io/service: backend, kuma.io/protocol: http2 }
---
type: Dataplane
mesh: default
name: b-remote
labels: { kuma.io/zone: zone-2 }
networking:
  address: 172.16.0.1
  inbound:
  - port: 9090
    tags: { kuma.io/service: backend, kuma.io/protocol: http2 }
---
type: Dataplane
mesh: default
name: mixed-1
networking:
  address: 10.0.0.7
  inbound:
  - port: 80
    tags: { kuma.io/service: mixed, kuma.io/protocol: http }
  - port: 81
    tags: { kuma.io/service: mixed, kuma.io/protocol: http2 }
  - port: 82
    tags: { kuma.io/service: plain }
`;

describe('buildMeshContext', () => {
  const ctx = contextOf(parseResources(DATAPLANES));

  it('lists healthy endpoints per service, sorted by address:port, at the address peers reach', () => {
    expect(ctx.endpoints.get('backend')).toEqual([
      { address: '10.0.0.2', port: 9090, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'grpc', version: 'v2' }, weight: 1 },
      { address: '10.0.1.1', port: 9090, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http2', version: 'v1' }, weight: 1 },
      { address: '203.0.113.5', port: 9090, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http2' }, weight: 1 },
    ]);
  });

  it('infers the common protocol of a service from all its non-ignored inbounds', () => {
    expect(ctx.protocols.get('backend')).toBe('http2'); // grpc + http2
    expect(ctx.protocols.get('mixed')).toBe('tcp'); // http + http2
    expect(ctx.protocols.get('plain')).toBe('tcp');
  });

  it('keeps every resource by type, sorted by name', () => {
    expect(ctx.resources.get('Dataplane')!.map((d) => d.name)).toEqual(['b-01', 'b-02', 'b-nat', 'b-remote', 'mixed-1']);
    expect(ctx.meshName).toBe('default');
    expect(ctx.zone).toBe('zone-1');
    expect(ctx.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('protocols', () => {
  it('combines protocols through their stacks', () => {
    expect(commonOf('grpc', 'http2')).toBe('http2');
    expect(commonOf('http', 'http')).toBe('http');
    expect(commonOf('http', 'grpc')).toBe('tcp');
    expect(commonOf('kafka', 'http')).toBe('tcp');
    expect(commonProtocol([])).toBe('tcp');
    expect(commonProtocol(['GRPC', 'grpc'])).toBe('grpc');
    expect(commonProtocol(['http', 'bogus'])).toBe('tcp');
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"x":null,"z":1}]},"b":1}');
  });
});
