/**
 * MeshService-mode outbounds (spec kuma-kds-xds.md §2.4, §2.5, §3.8): a zone-1 client in a mesh
 * whose `meshServices.mode` generates MeshServices, with `backend` in zone-1 (local MeshService),
 * its zone-2 copy (origin global) behind zone-2's ingress, and a MeshMultiZoneService selecting
 * both by `kuma.io/display-name`. Listeners on each VIP and on a declared backendRef outbound,
 * clusters named `<mesh>_<name>_<namespace>_<zone>_msvc_<port>` with the hashed SNI, endpoints
 * local first.
 */
import { backends, dataplane, docs } from '../fixtures';
import { remoteIngress } from '../cross-zone-fixtures';
import type { Case } from '../golden';

export function meshWithMode(mode: 'Exclusive' | 'Everywhere'): string {
  return `
type: Mesh
name: default
meshServices:
  mode: ${mode}
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
`;
}

/** The client: declares an outbound to the MeshMultiZoneService by name and one to zone-2's `backend` by labels. */
export const WEB_BACKENDREF = `
type: Dataplane
mesh: default
name: web-01
networking:
  address: 192.168.0.1
  inbound:
  - port: 8080
    servicePort: 8081
    tags:
      kuma.io/service: web
      kuma.io/protocol: http
  outbound:
  - port: 10080
    backendRef:
      kind: MeshMultiZoneService
      name: backend
      port: 9090
  - port: 10081
    backendRef:
      kind: MeshService
      labels:
        kuma.io/display-name: backend
        kuma.io/zone: zone-2
      port: 9090
`;

/** `backend` as the zone controller generates it (internal/meshservice/generate.ts). */
export function meshService(name: string, labels: Record<string, string>): string {
  return `
type: MeshService
mesh: default
name: ${name}
labels:
${Object.entries(labels)
  .map(([k, v]) => `  ${k}: ${v}`)
  .join('\n')}
spec:
  selector:
    dataplaneTags:
      kuma.io/service: backend
  ports:
  - port: 9090
    targetPort: 9090
    appProtocol: http
  identities:
  - type: ServiceTag
    value: backend
  state: Available
`;
}

export const LOCAL_BACKEND = meshService('backend', { 'kuma.io/display-name': 'backend', 'kuma.io/env': 'universal', 'kuma.io/managed-by': 'meshservice-generator', 'kuma.io/mesh': 'default', 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1' });
/** zone-2's `backend` as zone-1 stores the copy the global relayed. */
export const REMOTE_BACKEND = meshService('backend-5c8f7d9a6b', { 'kuma.io/display-name': 'backend', 'kuma.io/env': 'universal', 'kuma.io/mesh': 'default', 'kuma.io/origin': 'global', 'kuma.io/zone': 'zone-2' });

export const MMZS = `
type: MeshMultiZoneService
mesh: default
name: backend
labels:
  kuma.io/origin: global
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: backend
  ports:
  - port: 9090
    appProtocol: http
`;

const ZI_2 = remoteIngress({ name: 'zi-zone-2', zone: 'zone-2', advertisedAddress: '203.0.113.2' });

export const meshServiceOutboundsCases: Case[] = [
  // Exclusive: an outbound per VIP:port of each MeshService (local, zone-2's copy) and of the
  // MeshMultiZoneService, plus the declared backendRef one; no kuma.io/service VIPs.
  {
    name: '01-exclusive',
    mtls: true,
    vips: true,
    meshServices: true,
    dnsPort: 15053,
    resources: docs(meshWithMode('Exclusive'), WEB_BACKENDREF, backends('http'), LOCAL_BACKEND, REMOTE_BACKEND, MMZS, ZI_2),
  },
  // Everywhere: the same MeshService outbounds beside the legacy `backend.mesh` VIP one.
  {
    name: '02-everywhere',
    mtls: true,
    vips: true,
    meshServices: true,
    dnsPort: 15053,
    resources: docs(meshWithMode('Everywhere'), dataplane({ protocol: 'http' }), backends('http'), LOCAL_BACKEND, REMOTE_BACKEND, MMZS, ZI_2),
  },
];
