/**
 * Kuma DNS VIP outbounds (spec kuma-kds-xds.md §3.8): outbound listeners, clusters and endpoints of
 * a proxy whose mesh has VIPs (allocated from the case's resources, fresh, 240.0.0.0/4) and that
 * opts in with kuma-dp's DNS port or transparent proxying.
 */
import { MESH_MTLS, backends, dataplane, docs } from '../fixtures';
import { remoteIngress } from '../cross-zone-fixtures';
import type { Case } from '../golden';

const WEB = dataplane({ protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }] });

/** A Kubernetes-style service name: `<name>_<namespace>_svc_<port>`. */
const ECHO = `
type: Dataplane
mesh: default
name: echo-01
networking:
  address: 192.168.0.9
  inbound:
  - port: 1010
    tags:
      kuma.io/service: echo-server_echo-example_svc_1010
      kuma.io/protocol: http
`;

const WEB_TRANSPARENT = `
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
  transparentProxying:
    redirectPortInbound: 15006
    redirectPortOutbound: 15001
`;

const VERSIONED_HOSTS = `
type: VirtualOutbound
mesh: default
name: versioned
selectors:
- match:
    kuma.io/service: backend
conf:
  host: "{{.version}}.{{.service}}.mesh"
  port: "8080"
  parameters:
  - name: service
    tagKey: kuma.io/service
  - name: version
`;

const SERVICES = docs(WEB, backends('http'), backends('tcp', 'db'), ECHO);

export const vipOutboundsCases: Case[] = [
  // kuma dp run --dns-enabled: a VIP listener on :80 per service of the mesh, beside the declared outbound.
  { name: '01-dns-port', vips: true, dnsPort: 15053, resources: SERVICES },
  // Same mesh, the proxy runs no resolver and has no transparent proxying: only the declared outbound.
  { name: '02-not-opted-in', vips: true, resources: SERVICES },
  // networking.transparentProxying opts in too; a VirtualOutbound adds v1/v2.backend.mesh:8080 routed to those subsets.
  { name: '03-transparent-proxying-virtual-outbound', vips: true, resources: docs(WEB_TRANSPARENT, backends('http'), VERSIONED_HOSTS) },
  // A service that only runs in zone-2 gets a VIP too, routed (mTLS, SNI) to zone-2's ingress.
  {
    name: '04-cross-zone-remote-service',
    vips: true,
    mtls: true,
    dnsPort: 15053,
    resources: docs(
      MESH_MTLS,
      dataplane({ protocol: 'http' }),
      remoteIngress({ name: 'zi-zone-2', zone: 'zone-2', advertisedAddress: '203.0.113.2', services: [{ service: 'remote-only_ns_svc_80', instances: 2 }] }),
    ),
  },
];
