/**
 * Test fixtures for xDS: Universal YAML -> stored Resource records -> MeshContext + ProxyContext.
 * Free of vitest so benchmarks and scripts can import it.
 */
import { fromRest, parseYamlDocuments } from '../../../internal/resources/codec';
import { type Resource, ZERO_TIME } from '../../../internal/resources/model';
import { registerAll } from '../../../internal/resources/types';
import { buildMeshContext } from '../../../internal/xds/context/mesh-context';
import type { MeshContext, ProxyContext } from '../../../internal/xds/context/types';
import { type MeshVip, allocateVips, buildVipView, vipMapOf } from '../../../internal/dns/vips';
import { defaultHostnameGenerators } from '../../../internal/meshservice/default-hostname-generators';
import { type MsVips, VIP_KINDS, allocateMsVips, emptyVips } from '../../../internal/meshservice/vips';

const registry = registerAll();

export const ZONE = 'zone-1';
export const FAKE_CA_PEM = '-----BEGIN CERTIFICATE-----\nZmFrZSBtZXNoIENB\n-----END CERTIFICATE-----\n';
export const FAKE_IDENTITY = {
  certPem: '-----BEGIN CERTIFICATE-----\nZmFrZSBpZGVudGl0eQ==\n-----END CERTIFICATE-----\n',
  keyPem: '-----BEGIN PRIVATE KEY-----\nZmFrZSBrZXk=\n-----END PRIVATE KEY-----\n',
  expiresAt: '2030-01-01T00:00:00Z',
};

export interface Case {
  /** "<NN>-<case>": the golden file name without extension. */
  name: string;
  /** Universal resources, one YAML document each (Mesh optional: a plain `default` Mesh is assumed). */
  resources: string;
  /** The Dataplane to generate for (default: the first one in `resources`). */
  dataplane?: string;
  /** Give the proxy an identity and the context a CA bundle (the Mesh must enable mTLS too). */
  mtls?: boolean;
  adminPort?: number;
  /** Kuma DNS: allocate the mesh's VIPs from the resources (internal/dns/vips.ts, 240.0.0.0/4, domain mesh, port 80). */
  vips?: boolean;
  /** The proxy's kuma-dp DNS port (bootstrap metadata dataplane.dns.port). */
  dnsPort?: number;
  /** MeshService mode: the default HostnameGenerators (zone and global) and MeshService VIPs allocated from scratch. */
  meshServices?: boolean;
}

/** Parses Universal YAML into stored-resource records (version 1, zero times unless `creationTime` is given). */
export function parseResources(yaml: string): Resource[] {
  return parseYamlDocuments(yaml).map((doc) => {
    const p = fromRest(registry, doc);
    const created = (doc as Record<string, unknown>).creationTime;
    const time = typeof created === 'string' ? created : ZERO_TIME;
    return { type: p.type, mesh: p.mesh, name: p.name, labels: p.labels, spec: p.spec, version: 1, creationTime: time, modificationTime: time };
  });
}

/** The VIP map a zone CP would hold for these resources after one allocation from scratch. */
export function vipsOf(resources: Resource[], mesh = 'default', zone = ZONE): Map<string, MeshVip> {
  const of = (type: string) => resources.filter((r) => r.type === type);
  const view = buildVipView({
    mesh,
    zone,
    serviceVipPort: 80,
    dataplanes: of('Dataplane'),
    zoneIngresses: of('ZoneIngress'),
    externalServices: of('ExternalService'),
    virtualOutbounds: of('VirtualOutbound'),
  });
  return vipMapOf({ spec: allocateVips(undefined, view, { cidr: '240.0.0.0/4', domain: 'mesh', serviceVipPort: 80 }) as unknown as Resource['spec'] });
}

/** The default HostnameGenerators a zone CP holds (its own and those the global sent). */
export function hostnameGeneratorsOf(zone = ZONE): Resource[] {
  return [...defaultHostnameGenerators('zone', zone), ...defaultHostnameGenerators('global', '')].map((h) => ({ ...h, labels: h.labels ?? {}, version: 1, creationTime: ZERO_TIME, modificationTime: ZERO_TIME }));
}

/** The MeshService-family VIPs a zone CP would allocate for these resources from scratch. */
export function msVipsOfResources(resources: Resource[]): MsVips {
  const wanted = {} as Record<(typeof VIP_KINDS)[number], string[]>;
  for (const k of VIP_KINDS) wanted[k] = resources.filter((r) => r.type === k).map((r) => r.name);
  return allocateMsVips(emptyVips(), wanted);
}

export function contextOf(resources: Resource[], opts: { caCertsPem?: string; zone?: string; vips?: boolean; meshServices?: boolean } = {}): MeshContext {
  const mesh =
    resources.find((r) => r.type === 'Mesh') ??
    ({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {}, version: 1, creationTime: ZERO_TIME, modificationTime: ZERO_TIME } satisfies Resource);
  const byType = new Map<string, Resource[]>();
  const zoneIngresses: Resource[] = [];
  const zoneEgresses: Resource[] = [];
  for (const r of resources) {
    if (r.type === 'Mesh') continue;
    // Global-scoped: handed in separately, as the reconciler does with store.list('ZoneIngress').
    if (r.type === 'ZoneIngress') {
      zoneIngresses.push(r);
      continue;
    }
    if (r.type === 'ZoneEgress') {
      zoneEgresses.push(r);
      continue;
    }
    let list = byType.get(r.type);
    if (!list) byType.set(r.type, (list = []));
    list.push(r);
  }
  return buildMeshContext({
    mesh,
    resources: byType,
    zone: opts.zone ?? ZONE,
    ...(opts.caCertsPem ? { caCertsPem: opts.caCertsPem } : {}),
    ...(zoneIngresses.length > 0 ? { zoneIngresses } : {}),
    ...(zoneEgresses.length > 0 ? { zoneEgresses } : {}),
    ...(opts.vips ? { vips: vipsOf(resources, mesh.name, opts.zone ?? ZONE) } : {}),
    ...(opts.meshServices ? { hostnameGenerators: hostnameGeneratorsOf(opts.zone ?? ZONE), meshServiceVips: msVipsOfResources(resources) } : {}),
  });
}

export function fixture(c: Case): { proxy: ProxyContext; ctx: MeshContext } {
  const resources = parseResources(c.resources);
  const ctx = contextOf(resources, { ...(c.mtls ? { caCertsPem: FAKE_CA_PEM } : {}), ...(c.vips ? { vips: true } : {}), ...(c.meshServices ? { meshServices: true } : {}) });
  const dataplane = resources.find((r) => r.type === 'Dataplane' && (c.dataplane === undefined || r.name === c.dataplane));
  if (!dataplane) throw new Error(`case ${c.name}: no Dataplane ${c.dataplane ?? ''} in its resources`);
  const proxy: ProxyContext = { dataplane, adminPort: c.adminPort ?? 9901, ...(c.mtls ? { identity: FAKE_IDENTITY } : {}), ...(c.dnsPort ? { dnsPort: c.dnsPort } : {}) };
  return { proxy, ctx };
}

