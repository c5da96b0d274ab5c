/** availableServices of a zone (spec kuma-kds-xds.md §2.2; Kuma pkg/zone/available_services.go). */
import { describe, expect, it } from 'vitest';
import {
  availableServicesEqual,
  availableServicesOf,
  computeAvailableServices,
  tagString,
} from '../../../internal/xds/context/available-services';
import { parseResources } from '../generators/context-fixture';

const RESOURCES = parseResources(`
type: Mesh
name: default
---
type: Mesh
name: b-mesh
routing:
  zoneEgress: true
---
type: Mesh
name: exclusive
meshServices:
  mode: Exclusive
---
type: Dataplane
mesh: default
name: backend-1
networking:
  address: 10.0.0.1
  inbound:
  - port: 9090
    tags: { kuma.io/service: backend, kuma.io/protocol: http, kuma.io/zone: zone-1, version: v1 }
  - port: 9091
    state: NotReady
    tags: { kuma.io/service: backend, kuma.io/protocol: http, kuma.io/zone: zone-1, version: v1 }
  - port: 9092
    health: { ready: false }
    tags: { kuma.io/service: backend, kuma.io/protocol: http, kuma.io/zone: zone-1, version: v1 }
  - port: 9093
    state: Ignored
    tags: { kuma.io/service: backend, kuma.io/protocol: http, kuma.io/zone: zone-1, version: v1 }
---
type: Dataplane
mesh: default
name: backend-2
networking:
  address: 10.0.0.2
  inbound:
  - port: 9090
    tags: { kuma.io/service: backend, kuma.io/protocol: http, kuma.io/zone: zone-1, version: v1 }
  - port: 9091
    tags: { kuma.io/service: backend, kuma.io/protocol: http, kuma.io/zone: zone-1, version: v2 }
---
type: Dataplane
mesh: default
name: web-1
networking:
  address: 10.0.0.3
  inbound:
  - port: 8080
    tags: { kuma.io/service: web }
---
type: Dataplane
mesh: default
name: remote-copy
labels: { kuma.io/zone: zone-2 }
networking:
  address: 172.16.0.1
  inbound:
  - port: 9090
    tags: { kuma.io/service: backend, kuma.io/zone: zone-2 }
---
type: Dataplane
mesh: b-mesh
name: api-1
networking:
  address: 10.0.1.1
  inbound:
  - port: 80
    tags: { kuma.io/service: api, kuma.io/zone: zone-1 }
---
type: Dataplane
mesh: exclusive
name: hidden-1
networking:
  address: 10.0.2.1
  inbound:
  - port: 80
    tags: { kuma.io/service: hidden, kuma.io/zone: zone-1 }
---
type: ExternalService
mesh: b-mesh
name: httpbin-here
tags: { kuma.io/service: httpbin, kuma.io/zone: zone-1, kuma.io/protocol: http }
networking: { address: httpbin.org:443 }
---
type: ExternalService
mesh: b-mesh
name: httpbin-elsewhere
tags: { kuma.io/service: httpbin-2, kuma.io/zone: zone-2 }
networking: { address: httpbin.org:443 }
---
type: ExternalService
mesh: default
name: no-egress-mesh
tags: { kuma.io/service: es-default, kuma.io/zone: zone-1 }
networking: { address: example.com:443 }
`);

const of = (type: string) => RESOURCES.filter((r) => r.type === type);

describe('computeAvailableServices', () => {
  const list = computeAvailableServices(of('Dataplane'), of('Mesh'), of('ExternalService'), 'zone-1');

  it('counts healthy inbounds per (mesh, tag set), sorted by mesh then tag string', () => {
    expect(list).toEqual([
      // kuma.io/protocol=... sorts before kuma.io/service=...
      { mesh: 'b-mesh', instances: 1, externalService: true, tags: { 'kuma.io/service': 'httpbin', 'kuma.io/zone': 'zone-1', 'kuma.io/protocol': 'http' } },
      { mesh: 'b-mesh', instances: 1, tags: { 'kuma.io/service': 'api', 'kuma.io/zone': 'zone-1' } },
      { mesh: 'default', instances: 2, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http', 'kuma.io/zone': 'zone-1', version: 'v1' } },
      { mesh: 'default', instances: 1, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http', 'kuma.io/zone': 'zone-1', version: 'v2' } },
      // the zone tag is added when an inbound lacks it
      { mesh: 'default', instances: 1, tags: { 'kuma.io/service': 'web', 'kuma.io/zone': 'zone-1' } },
    ]);
  });

  it('is the sorted order Kuma compares with (mesh, then k=v,... string)', () => {
    const keys = list.map((s) => `${s.mesh}/${tagString(s.tags)}`);
    expect(keys).toEqual([...keys].sort());
    expect(tagString({ version: 'v1', 'kuma.io/service': 'backend' })).toBe('kuma.io/service=backend,version=v1');
  });

  it('filters tags by prefix when asked, keeping the service', () => {
    const filtered = computeAvailableServices(of('Dataplane'), of('Mesh'), [], 'zone-1', { tagFilters: ['kuma.io/zone'] });
    expect(filtered.filter((s) => s.mesh === 'default')).toEqual([
      { mesh: 'default', instances: 3, tags: { 'kuma.io/service': 'backend', 'kuma.io/zone': 'zone-1' } },
      { mesh: 'default', instances: 1, tags: { 'kuma.io/service': 'web', 'kuma.io/zone': 'zone-1' } },
    ]);
  });

  it('is empty when nothing is healthy', () => {
    expect(computeAvailableServices([], of('Mesh'), [], 'zone-1')).toEqual([]);
  });
});

describe('availableServices helpers', () => {
  it('compares lists by content and order', () => {
    const a = computeAvailableServices(of('Dataplane'), of('Mesh'), of('ExternalService'), 'zone-1');
    const b = computeAvailableServices([...of('Dataplane')].reverse(), of('Mesh'), of('ExternalService'), 'zone-1');
    expect(availableServicesEqual(a, b)).toBe(true);
    expect(availableServicesEqual(a, a.slice(1))).toBe(false);
    expect(availableServicesEqual(a, [{ ...a[0]!, instances: 9 }, ...a.slice(1)])).toBe(false);
  });

  it('reads a stored ZoneIngress spec leniently', () => {
    expect(
      availableServicesOf({
        availableServices: [
          { mesh: 'default', instances: 2, tags: { 'kuma.io/service': 'backend' } },
          { mesh: 'default', instances: '3', tags: { 'kuma.io/service': 'web' }, externalService: true },
          { mesh: 'default', tags: { version: 'v1' } },
          'junk',
        ],
      }),
    ).toEqual([
      { mesh: 'default', instances: 2, tags: { 'kuma.io/service': 'backend' } },
      { mesh: 'default', instances: 3, tags: { 'kuma.io/service': 'web' }, externalService: true },
    ]);
  });
});
