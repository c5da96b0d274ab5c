/** A mesh of 1000 services x 2 HTTP instances plus the default policies, and one sidecar in it. */
import { type Resource, ZERO_TIME } from '../../../internal/resources/model';
import type { MeshContext, ProxyContext } from '../../../internal/xds/context/types';
import { contextOf, parseResources } from './context-fixture';
import { MESH_DEFAULT_POLICIES } from './policies';

export const SERVICES = 1000;
export const INSTANCES = 2;

function resource(type: string, name: string, spec: Record<string, unknown>): Resource {
  return { type, mesh: 'default', name, labels: {}, spec, version: 1, creationTime: ZERO_TIME, modificationTime: ZERO_TIME };
}

export function svc(i: number): string {
  return `svc-${String(i).padStart(4, '0')}`;
}

/** The mesh: SERVICES x INSTANCES HTTP Dataplanes, the default policies, and web-01 calling `outbounds` services. */
export function largeMesh(outbounds: number): { ctx: MeshContext; proxy: ProxyContext } {
  const resources: Resource[] = [...parseResources(MESH_DEFAULT_POLICIES)];
  for (let s = 0; s < SERVICES; s++) {
    for (let i = 0; i < INSTANCES; i++) {
      resources.push(
        resource('Dataplane', `${svc(s)}-${i}`, {
          networking: {
            address: `10.${Math.floor(s / 250)}.${s % 250}.${i + 1}`,
            inbound: [{ port: 8080, tags: { 'kuma.io/service': svc(s), 'kuma.io/protocol': 'http', instance: String(i) } }],
          },
        }),
      );
    }
  }
  const web = resource('Dataplane', 'web-01', {
    networking: {
      address: '192.168.0.1',
      inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': 'web', 'kuma.io/protocol': 'http' } }],
      outbound: Array.from({ length: outbounds }, (_, o) => ({ port: 10000 + o, tags: { 'kuma.io/service': svc(o * 7) } })),
    },
  });
  resources.push(web);
  return { ctx: contextOf(resources), proxy: { dataplane: web, adminPort: 9901 } };
}

