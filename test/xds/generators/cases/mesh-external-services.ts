/**
 * MeshExternalServices on the sidecar: a zone-1 client in an mTLS mesh with a ZoneEgress and two
 * MeshExternalServices, `httpbin` (a DNS name with TLS, CA from a Secret) and `tcp-db` (an IP,
 * plain TCP). Outbounds on each VIP and on a declared backendRef outbound, clusters named
 * `<mesh>_<name>__<zone>_extsvc_<port>` whose endpoints are the egress, mTLS with the hashed SNI.
 */
import { EXTERNAL_CA_SECRET, LOCAL_EGRESS } from '../egress-fixtures';
import { docs } from '../fixtures';
import type { Case } from '../golden';

export const MESH_MTLS = `
type: Mesh
name: default
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
`;

export const CLIENT = `
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
  - port: 10090
    backendRef:
      kind: MeshExternalService
      name: httpbin
`;

export const MES_HTTPBIN = `
type: MeshExternalService
mesh: default
name: httpbin
labels:
  kuma.io/origin: zone
spec:
  match:
    type: HostnameGenerator
    port: 443
    protocol: http
  endpoints:
  - address: httpbin.org
    port: 443
  tls:
    enabled: true
    version:
      min: TLS12
    verification:
      mode: Secured
      caCert:
        secret: external-ca
`;

export const MES_TCP_DB = `
type: MeshExternalService
mesh: default
name: tcp-db
labels:
  kuma.io/origin: zone
spec:
  match:
    type: HostnameGenerator
    port: 5432
    protocol: tcp
  endpoints:
  - address: 198.51.100.7
    port: 5432
`;

/** MeshTimeout and MeshRetry towards the httpbin MeshExternalService. */
export const MES_POLICIES = `
type: MeshTimeout
mesh: default
name: mes-timeout
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshExternalService
      name: httpbin
    default:
      connectionTimeout: 3s
      http:
        requestTimeout: 7s
---
type: MeshRetry
mesh: default
name: mes-retry
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshExternalService
      name: httpbin
    default:
      http:
        numRetries: 4
`;

export const meshExternalServicesCases: Case[] = [
  {
    name: '01-through-egress',
    mtls: true,
    vips: true,
    meshServices: true,
    dnsPort: 15053,
    resources: docs(MESH_MTLS, CLIENT, EXTERNAL_CA_SECRET, MES_HTTPBIN, MES_TCP_DB, LOCAL_EGRESS, MES_POLICIES),
  },
  // No ZoneEgress in the zone: the outbounds exist, their clusters have no endpoint.
  {
    name: '02-no-egress',
    mtls: true,
    vips: true,
    meshServices: true,
    dnsPort: 15053,
    resources: docs(MESH_MTLS, CLIENT, MES_TCP_DB),
  },
];
