/**
 * Test fixtures for xDS: Universal YAML -> stored Resource records -> MeshContext + ProxyContext.
 * Free of vitest so benchmarks and scripts can import it.
 */
import { fromRest, parseYamlDocuments } from '../../../internal/resources/codec';
import { type Resource, ZERO_TIME } from '../../../internal/resources/model';
import { registerAll } from '../../../internal/resources/types';
import { buildMeshContext } from '../../../internal/xds/context/mesh-context';
import type { MeshContext, ProxyContext } from '../../../internal/xds/context/types';

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

export function contextOf(resources: Resource[], opts: { caCertsPem?: string; zone?: string } = {}): MeshContext {
  const mesh =
    resources.find((r) => r.type === 'Mesh') ??
    ({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {}, version: 1, creationTime: ZERO_TIME, modificationTime: ZERO_TIME } satisfies Resource);
  const byType = new Map<string, Resource[]>();
  const zoneIngresses: Resource[] = [];
  for (const r of resources) {
    if (r.type === 'Mesh') continue;
    // Global-scoped: handed in separately, as the reconciler does with store.list('ZoneIngress').
    if (r.type === 'ZoneIngress') {
      zoneIngresses.push(r);
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
  });
}

export function fixture(c: Case): { proxy: ProxyContext; ctx: MeshContext } {
  const resources = parseResources(c.resources);
  const ctx = contextOf(resources, c.mtls ? { caCertsPem: FAKE_CA_PEM } : {});
  const dataplane = resources.find((r) => r.type === 'Dataplane' && (c.dataplane === undefined || r.name === c.dataplane));
  if (!dataplane) throw new Error(`case ${c.name}: no Dataplane ${c.dataplane ?? ''} in its resources`);
  const proxy: ProxyContext = { dataplane, adminPort: c.adminPort ?? 9901, ...(c.mtls ? { identity: FAKE_IDENTITY } : {}) };
  return { proxy, ctx };
}

