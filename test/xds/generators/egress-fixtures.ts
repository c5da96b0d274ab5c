/**
 * Universal YAML for zone egress cases (spec kuma-kds-xds.md §4): this zone is `zone-1`; its
 * ZoneEgress, a mesh routing through it, and ExternalServices of every kind the generators handle.
 */
import { dataplane } from './fixtures';

export const MESH_MTLS_ZONE_EGRESS = `
type: Mesh
name: default
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
routing:
  zoneEgress: true
`;

/** This zone's ZoneEgress as the zone CP stores it (spec.zone empty). */
export const LOCAL_EGRESS = `
type: ZoneEgress
name: ze-1
networking:
  address: 10.1.0.9
  port: 10002
`;

/** Another zone's ZoneEgress (a global would hold it): never used by this zone's sidecars. */
export const OTHER_ZONE_EGRESS = `
type: ZoneEgress
name: ze-zone-2
zone: zone-2
networking:
  address: 10.2.0.9
  port: 10002
`;

/** A self-signed CA (P-256, valid 100 years), as a mesh Secret the httpbin ExternalService verifies with. */
export const EXTERNAL_CA_SECRET = `
type: Secret
mesh: default
name: external-ca
data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJoRENDQVNtZ0F3SUJBZ0lVZW5LTFB0NDJPaDRjZjZvK2hKZWNMQkdrRlVBd0NnWUlLb1pJemowRUF3SXcKRmpFVU1CSUdBMVVFQXd3TFpYaDBaWEp1WVd3dFkyRXdJQmNOTWpZeE1USTNNVFUwTkRNMFdoZ1BNakV5TmpFeApNRE14TlRRME16UmFNQll4RkRBU0JnTlZCQU1NQzJWNGRHVnlibUZzTFdOaE1Ga3dFd1lIS29aSXpqMENBUVlJCktvWkl6ajBEQVFjRFFnQUVqSW1zc3IxdWI3VU15RklseVZCWTdNeE84S0FTNnBBaTNNWFNzYTRnSktGZzc1TzQKQ1Q2dkxFWWtBaGZQTkVpZFFuelZRVGJXVUNGYW1DQTd4dlFVTDZOVE1GRXdIUVlEVlIwT0JCWUVGTjlZQ0UxRgo2YzN5bFFzc3FheW16elp3dlhhUU1COEdBMVVkSXdRWU1CYUFGTjlZQ0UxRjZjM3lsUXNzcWF5bXp6Wnd2WGFRCk1BOEdBMVVkRXdFQi93UUZNQU1CQWY4d0NnWUlLb1pJemowRUF3SURTUUF3UmdJaEFJOGIrdUQzTGh3aEV1a3MKbXp1TXM5ZXhaaUZoRHRhYVIrenNYcEZ3azJBd0FpRUF3dlErSWhINHFld1dwdnIrU3pRTXUxTlV3c1Bkc25XegpIR0lRUzF5Wnllbz0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=
`;

/**
 * httpbin: a DNS name with TLS (serverName, CA from a Secret); tcp-echo: an IP without TLS;
 * zone-2-db: tagged with another zone (not reachable through this zone's egress).
 */
export const EXTERNAL_SERVICES = [
  EXTERNAL_CA_SECRET,
  `
type: ExternalService
mesh: default
name: httpbin
tags:
  kuma.io/service: httpbin
  kuma.io/protocol: http
networking:
  address: httpbin.org:443
  tls:
    enabled: true
    serverName: httpbin.org
    caCert:
      secret: external-ca
`,
  `
type: ExternalService
mesh: default
name: tcp-echo
tags:
  kuma.io/service: tcp-echo
  kuma.io/protocol: tcp
networking:
  address: 192.0.2.10:7000
`,
  `
type: ExternalService
mesh: default
name: zone-2-db
tags:
  kuma.io/service: zone-2-db
  kuma.io/zone: zone-2
networking:
  address: db.zone-2.example:5432
`,
].join('\n---\n');

/** web with outbounds to a mesh service and to every ExternalService. */
export const WEB_WITH_EXTERNAL = dataplane({
  protocol: 'http',
  outbounds: [
    { service: 'backend', port: 10001 },
    { service: 'httpbin', port: 10002 },
    { service: 'tcp-echo', port: 10003 },
    { service: 'zone-2-db', port: 10004 },
  ],
});
