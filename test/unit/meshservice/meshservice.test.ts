/**
 * The MeshService family's zone-side pieces: generation from Dataplanes, VIPs from Kuma's IPAM
 * ranges, hostnames from HostnameGenerators, hashed SNIs (spec kuma-kds-xds.md §2.4, §2.5, §3.8).
 */
import { describe, expect, it } from 'vitest';
import { reconcileMeshServices } from '../../../internal/meshservice/controller';
import { defaultHostnameGenerators, ensureDefaultHostnameGenerators } from '../../../internal/meshservice/default-hostname-generators';
import { wantedMeshServices } from '../../../internal/meshservice/generate';
import { assignHostnames } from '../../../internal/meshservice/hostname-assignment';
import { renderHostname } from '../../../internal/meshservice/hostnames';
import { meshServiceSniName, sniForResource } from '../../../internal/meshservice/sni';
import { allocateMsVips, emptyVips, msVipAllocationKey, msVipsOf } from '../../../internal/meshservice/vips';
import type { Resource } from '../../../internal/resources/model';
import { MemoryStore } from '../../../internal/store/memory-store';

function r(type: string, name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}, mesh = 'default'): Resource {
  return { type, mesh, name, labels, spec, version: 1, creationTime: '', modificationTime: '' };
}

const exclusive = r('Mesh', 'default', { meshServices: { mode: 'Exclusive' } }, {}, '');

function dp(name: string, inbounds: Record<string, unknown>[], labels: Record<string, string> = {}): Resource {
  return r('Dataplane', name, { networking: { address: '10.0.0.1', inbound: inbounds } }, labels);
}

describe('MeshService generation', () => {
  const dps = [
    dp('b-1', [{ port: 8080, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }, { port: 9090, name: 'admin', tags: { 'kuma.io/service': 'backend' } }]),
    dp('b-2', [{ port: 8080, tags: { 'kuma.io/service': 'backend' }, health: { ready: false } }]),
    dp('w-1', [{ port: 80, state: 'Ignored', tags: { 'kuma.io/service': 'ignored' } }, { port: 80, health: { ready: false }, tags: { 'kuma.io/service': 'web' } }]),
    dp('other-zone', [{ port: 80, tags: { 'kuma.io/service': 'far' } }], { 'kuma.io/zone': 'zone-2' }),
  ];

  it('makes one per kuma.io/service with a port per inbound port, in Exclusive and Everywhere modes only', () => {
    const got = wantedMeshServices(exclusive, dps, 'zone-1');
    expect(got.map((m) => m.name)).toEqual(['backend', 'web']);
    expect(got[0]).toEqual({
      type: 'MeshService',
      mesh: 'default',
      name: 'backend',
      labels: { 'kuma.io/mesh': 'default', 'kuma.io/display-name': 'backend', 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1', 'kuma.io/env': 'universal', 'kuma.io/managed-by': 'meshservice-generator' },
      spec: {
        selector: { dataplaneTags: { 'kuma.io/service': 'backend' } },
        ports: [
          { port: 8080, targetPort: 8080, appProtocol: 'http' },
          { port: 9090, targetPort: 9090, appProtocol: 'tcp', name: 'admin' },
        ],
        identities: [{ type: 'ServiceTag', value: 'backend' }],
        state: 'Available',
      },
    });
    expect(got[1]!.spec.state).toBe('Unavailable');
    expect(wantedMeshServices(r('Mesh', 'default', { meshServices: { mode: 'Everywhere' } }, {}, ''), dps, 'zone-1')).toHaveLength(2);
    for (const mode of ['Disabled', 'ReachableBackends']) expect(wantedMeshServices(r('Mesh', 'default', { meshServices: { mode } }, {}, ''), dps, 'zone-1')).toEqual([]);
    expect(wantedMeshServices(r('Mesh', 'default', {}, {}, ''), dps, 'zone-1')).toEqual([]);
  });

  it('the controller creates, keeps, deletes generated ones and leaves hand-written ones alone', async () => {
    const store = new MemoryStore();
    await store.create({ type: 'Mesh', mesh: '', name: 'default', spec: exclusive.spec });
    await store.create({ type: 'Dataplane', mesh: 'default', name: 'b-1', spec: dps[0]!.spec });
    await store.create({ type: 'MeshService', mesh: 'default', name: 'manual', labels: { 'kuma.io/origin': 'zone' }, spec: { ports: [{ port: 80 }] } });
    await reconcileMeshServices(store, 'zone-1');
    expect(store.list('MeshService').items.map((m) => m.name)).toEqual(['backend', 'manual']);
    const vips = msVipsOf(store.get(msVipAllocationKey('default'))?.spec);
    expect(vips.MeshService).toEqual({ backend: '241.0.0.1', manual: '241.0.0.2' });
    expect(await reconcileMeshServices(store, 'zone-1')).toEqual([]); // nothing changed, nothing written
    await store.delete({ type: 'Dataplane', mesh: 'default', name: 'b-1' });
    await reconcileMeshServices(store, 'zone-1');
    expect(store.list('MeshService').items.map((m) => m.name)).toEqual(['manual']);
    expect(msVipsOf(store.get(msVipAllocationKey('default'))?.spec).MeshService).toEqual({ manual: '241.0.0.2' });
  });
  it('the controller never deletes another zone\'s copy, though it carries the generator label', async () => {
    const store = new MemoryStore();
    await store.create({ type: 'Mesh', mesh: '', name: 'default', spec: exclusive.spec });
    const copyLabels = { 'kuma.io/origin': 'global', 'kuma.io/zone': 'zone-2', 'kuma.io/display-name': 'backend', 'kuma.io/managed-by': 'meshservice-generator' };
    await store.create({ type: 'MeshService', mesh: 'default', name: 'backend-x5d9', labels: copyLabels, spec: { ports: [{ port: 80 }] } });
    await reconcileMeshServices(store, 'zone-1');
    expect(store.list('MeshService').items.map((m) => m.name)).toEqual(['backend-x5d9']);
    // It gets a VIP of this zone.
    expect(msVipsOf(store.get(msVipAllocationKey('default'))?.spec).MeshService).toEqual({ 'backend-x5d9': '241.0.0.1' });
  });
});

describe('MeshService family VIPs', () => {
  it('takes each kind from its own range, keeps assignments, reuses freed addresses', () => {
    const first = allocateMsVips(emptyVips(), { MeshService: ['b', 'a'], MeshMultiZoneService: ['m'], MeshExternalService: ['x'] });
    expect(first).toEqual({ MeshService: { a: '241.0.0.1', b: '241.0.0.2' }, MeshMultiZoneService: { m: '243.0.0.1' }, MeshExternalService: { x: '242.0.0.1' } });
    const next = allocateMsVips(first, { MeshService: ['b', 'c'], MeshMultiZoneService: [], MeshExternalService: ['x'] });
    expect(next.MeshService).toEqual({ b: '241.0.0.2', c: '241.0.0.1' });
    expect(next.MeshMultiZoneService).toEqual({});
  });
});

describe('hostnames', () => {
  const hgs = [...defaultHostnameGenerators('zone', 'zone-1'), ...defaultHostnameGenerators('global', '')].map((h) => r(h.type, h.name, h.spec, h.labels ?? {}, ''));

  const hostnamesOf = (kind: 'MeshService' | 'MeshMultiZoneService' | 'MeshExternalService', x: Resource) => assignHostnames(kind, [x], hgs).get(x.name)?.addresses ?? [];

  it('renders the default generators for local and synced MeshServices, MMZS and MES', () => {
    const local = r('MeshService', 'backend', {}, { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1', 'kuma.io/env': 'universal' });
    const copy = r('MeshService', 'backend-x5d9', {}, { 'kuma.io/origin': 'global', 'kuma.io/zone': 'zone-2', 'kuma.io/env': 'universal', 'kuma.io/display-name': 'backend' });
    const kube = r('MeshService', 'redis-h', {}, { 'kuma.io/origin': 'global', 'kuma.io/zone': 'east', 'kuma.io/env': 'kubernetes', 'kuma.io/display-name': 'redis', 'k8s.kuma.io/namespace': 'redis-system' });
    expect(hostnamesOf('MeshService', local)).toEqual([{ hostname: 'backend.svc.mesh.local', generator: 'local-universal-mesh-service' }]);
    expect(hostnamesOf('MeshService', copy).map((h) => h.hostname)).toEqual(['backend.svc.zone-2.mesh.local']);
    expect(hostnamesOf('MeshService', kube).map((h) => h.hostname)).toEqual(['redis.redis-system.svc.east.mesh.local']);
    const mzs = r('MeshMultiZoneService', 'backend-h', {}, { 'kuma.io/origin': 'global', 'kuma.io/display-name': 'backend' });
    expect(hostnamesOf('MeshMultiZoneService', mzs).map((h) => h.hostname)).toEqual(['backend.mzsvc.mesh.local']);
    const mes = r('MeshExternalService', 'httpbin', {}, { 'kuma.io/origin': 'zone' });
    expect(hostnamesOf('MeshExternalService', mes).map((h) => h.hostname)).toEqual(['httpbin.extsvc.mesh.local']);
  });

  it('a hostname two resources of a kind claim goes to the older one (then the name); the other gets a Collision condition', () => {
    const gen = (name: string, labels: Record<string, string>, created: string, template = '{{ label "app" }}.x.mesh') => ({ ...r('HostnameGenerator', name, { selector: { meshService: { matchLabels: {} } }, template }, labels, ''), creationTime: created });
    const ms = (name: string, created: string) => ({ ...r('MeshService', name, {}, { app: 'same' }), creationTime: created });
    const older = ms('zz-old', '2026-01-01T00:00:00.000Z');
    const newer = ms('aa-new', '2026-01-02T00:00:00.000Z');
    const out = assignHostnames('MeshService', [newer, older], [gen('g', {}, '2026-01-01T00:00:00.000Z')]);
    expect(out.get('zz-old')).toEqual({ addresses: [{ hostname: 'same.x.mesh', generator: 'g' }], generators: [{ generator: 'g', condition: { type: 'Generated', status: 'True', reason: 'Generated', message: '' } }] });
    expect(out.get('aa-new')).toEqual({ addresses: [], generators: [{ generator: 'g', condition: { type: 'Generated', status: 'False', reason: 'Collision', message: 'Hostname collision with MeshService: aa-new' } }] });
    // Created together: the name decides; a second generator giving the same hostname to the same resource is fine.
    const tie = assignHostnames('MeshService', [ms('b', ''), ms('a', '')], [gen('g1', {}, ''), gen('g2', {}, '')]);
    expect(tie.get('a')!.addresses.map((a) => a.generator)).toEqual(['g1', 'g2']);
    expect(tie.get('b')!.generators.map((g) => g.condition.reason)).toEqual(['Collision', 'Collision']);
    // A zone-origin generator is tried before a global one, however old: its resource keeps the hostname.
    const only = (name: string, genName: string, labels: Record<string, string>, created: string) => ({
      ...r('HostnameGenerator', genName, { selector: { meshService: { matchLabels: { 'kuma.io/display-name': name } } }, template: 'h.x.mesh' }, labels, ''),
      creationTime: created,
    });
    const byOrigin = assignHostnames(
      'MeshService',
      [{ ...ms('a', ''), labels: { 'kuma.io/display-name': 'a' } }, { ...ms('b', ''), labels: { 'kuma.io/display-name': 'b' } }],
      [only('a', 'global-old', {}, '2020-01-01T00:00:00.000Z'), only('b', 'zone-young', { 'kuma.io/origin': 'zone' }, '2026-06-01T00:00:00.000Z')],
    );
    expect(byOrigin.get('b')!.addresses).toEqual([{ hostname: 'h.x.mesh', generator: 'zone-young' }]);
    expect(byOrigin.get('a')!.generators[0]!.condition.reason).toBe('Collision');
    // Kinds do not collide with each other.
    const mes = { ...r('MeshExternalService', 'ext', {}, { app: 'same' }), creationTime: '' };
    const mesGen = { ...r('HostnameGenerator', 'm', { selector: { meshExternalService: { matchLabels: { app: 'same' } } }, template: '{{ label "app" }}.x.mesh' }, {}, ''), creationTime: '' };
    expect(assignHostnames('MeshExternalService', [mes], [mesGen]).get('ext')!.addresses).toEqual([{ hostname: 'same.x.mesh', generator: 'm' }]);
  });

  it('renders nothing when the template names a value the resource lacks', () => {
    expect(renderHostname('{{ .DisplayName }}.{{ .Namespace }}.mesh', r('MeshService', 'a', {}))).toBeUndefined();
    expect(renderHostname('{{ label "team" }}.{{ .Mesh }}.x', r('MeshService', 'a', {}, { team: 'Red' }))).toBe('red.default.x');
  });

  it('are created once on start', async () => {
    const store = new MemoryStore();
    expect(await ensureDefaultHostnameGenerators(store, 'zone', 'zone-1')).toEqual(['local-universal-mesh-service', 'local-mesh-external-service']);
    expect(await ensureDefaultHostnameGenerators(store, 'zone', 'zone-1')).toEqual([]);
  });
});

describe('hashed SNI', () => {
  it("matches Kuma's goldens", () => {
    expect(sniForResource('backend', 'default', 'MeshService', 80)).toBe('a601e0c00295a9fbe.backend.80.default.ms');
    expect(sniForResource('backend', 'demo', 'MeshService', 8080)).toBe('ae10a8071b8a8eeb8.backend.8080.demo.ms');
    expect(sniForResource('x'.repeat(70), 'm', 'MeshMultiZoneService', 1)).toMatch(new RegExp(`^a[0-9a-f]{16}\\.${'x'.repeat(62)}x\\.1\\.m\\.mzms$`));
  });

  it('the copy and the original give the same name', () => {
    expect(meshServiceSniName(r('MeshService', 'backend', {}, { 'kuma.io/origin': 'zone' }))).toBe('backend');
    expect(meshServiceSniName(r('MeshService', 'backend-abc', {}, { 'kuma.io/origin': 'global', 'kuma.io/display-name': 'backend' }))).toBe('backend');
  });
});
