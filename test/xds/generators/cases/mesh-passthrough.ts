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
];
