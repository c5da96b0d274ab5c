/** The transparent-proxy passthrough listener and MeshPassthrough's modes. */
import { backends, dataplane, docs } from '../fixtures';
import type { Case } from '../golden';

const WEB_TP = `
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

const WEB_DUAL = WEB_TP.replace('    redirectPortOutbound: 15001', '    redirectPortOutbound: 15001\n    ipFamilyMode: DualStack');

const MESH_NO_PASSTHROUGH = `
type: Mesh
name: default
networking:
  outbound:
    passthrough: false
`;

function policy(name: string, conf: string): string {
  return `
type: MeshPassthrough
mesh: default
name: ${name}
spec:
  targetRef: { kind: Mesh }
  default: ${conf}
`;
}

const MATCHED = policy(
  'matched',
  `
    passthroughMode: Matched
    appendMatch:
    - { type: IP, value: 10.240.15.39, protocol: tcp, port: 8888 }
    - { type: CIDR, value: 10.250.0.0/16, protocol: tcp, port: 8888 }
    - { type: CIDR, value: 10.251.0.0/16, protocol: tcp }
    - { type: Domain, value: httpbin.org, protocol: tls, port: 443 }
    - { type: Domain, value: "*.wikipedia.org", protocol: tls, port: 443 }
    - { type: Domain, value: httpbin.dev, protocol: http, port: 80 }`,
);

const MATCHED_DUAL = policy(
  'matched-dual',
  `
    passthroughMode: Matched
    appendMatch:
    - { type: IP, value: 10.240.15.39, protocol: tcp, port: 8888 }
    - { type: IP, value: "fd00::1", protocol: tcp, port: 8888 }
    - { type: CIDR, value: "fd00:1::/64", protocol: tls }
    - { type: Domain, value: api.example.com, protocol: tls, port: 443 }
    - { type: Domain, value: otel.example.com, protocol: grpc, port: 4317 }
    - { type: Domain, value: "*.example.org", protocol: http, port: 80 }`,
);

export const meshPassthroughCases: Case[] = [
  // Transparent proxying, no policy, the Mesh default (passthrough: true): everything leaves through ORIGINAL_DST.
  { name: '01-default-all', resources: docs(WEB_TP, backends('http')) },
  // No transparent proxying: nothing is redirected to 15001, so no passthrough listener.
  { name: '02-no-transparent-proxying', resources: docs(dataplane({ protocol: 'http' }), backends('http'), policy('all', '{ passthroughMode: All }')) },
  // The Mesh turns passthrough off and no policy selects the proxy.
  { name: '03-mesh-passthrough-off', resources: docs(MESH_NO_PASSTHROUGH, WEB_TP, backends('http')) },
  // A policy overrides the Mesh flag.
  { name: '04-policy-all-over-mesh-off', resources: docs(MESH_NO_PASSTHROUGH, WEB_TP, backends('http'), policy('all', '{ passthroughMode: All }')) },
  { name: '05-policy-none', resources: docs(WEB_TP, backends('http'), policy('none', '{ passthroughMode: None }')) },
  // IP/CIDR per port, SNI for tls domains, Host for http domains.
  { name: '06-matched', resources: docs(WEB_TP, backends('http'), MATCHED) },
  // Matched without entries: the listener stays (mesh hand-off) with no chain, so nothing else leaves.
  { name: '07-matched-empty', resources: docs(WEB_TP, backends('http'), policy('empty', '{}')) },
  // DualStack: the IPv6 outbound and inbound passthrough listeners next to the IPv4 ones.
  { name: '08-dual-stack-all', resources: docs(WEB_DUAL, backends('http')) },
  // Each family gets its own IP/CIDR matches and both get the domains; a grpc domain is an HTTP/2
  // STRICT_DNS cluster (resolving both families), a wildcard one follows the original destination.
  { name: '09-dual-stack-matched', resources: docs(WEB_DUAL, backends('http'), MATCHED_DUAL) },
];
