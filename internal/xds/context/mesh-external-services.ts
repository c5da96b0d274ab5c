/**
 * MeshExternalServices of a mesh as destinations (Kuma 2.x meshexternalservice; docs "To use a
 * MeshExternalService, you must enable a zone egress and mutual TLS"): one per resource, on its
 * `match.port`, keyed `<mesh>_<name>_<namespace>_<zone>_extsvc_<port>` like the MeshService
 * destinations (mesh-services.ts), which is the sidecar's cluster name and the egress's too.
 *
 * - Only with mesh mTLS: without it a MeshExternalService gets no outbound at all (the egress
 *   routes on the mesh mTLS SNI; Kuma has no direct path for it).
 * - The sidecar's endpoints are the local ZoneEgresses (weight 1, this zone); none when the zone
 *   has no egress, so requests fail instead of bypassing it.
 * - `upstream` is what the egress dials: `endpoints[]` (IP literals STATIC, names STRICT_DNS;
 *   `unix://` sockets are skipped, Kuma removed them in 2.9) and the TLS origination of `spec.tls`
 *   with its data sources resolved purely (inline, inlineString, secret); a source that does not
 *   resolve leaves the MeshExternalService out, as Kuma fails to build it.
 *
 * Pure.
 */
import type { Resource } from '../../resources/model';
import { isIP } from '../../resources/validation';
import { assignHostnames, hostnamesByName } from '../../meshservice/hostname-assignment';
import { displayName, isLocal, obj } from '../../meshservice/labels';
import { meshServiceSniName, sniForResource } from '../../meshservice/sni';
import type { MsVips } from '../../meshservice/vips';
import { meshMtlsEnabled } from './cross-zone';
import { dataSource } from './external-services';
import { type MeshServiceDestination, destinationKey } from './mesh-services';
import type { Endpoint } from './types';
import { ZONE_EGRESS_SERVICE, egressEndpoints } from './zone-egress';

export type MesVerificationMode = 'Secured' | 'SkipSAN' | 'SkipCA' | 'SkipAll';
export type MesTlsVersion = 'TLSAuto' | 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13';

export interface MesTls {
  /** `verification.serverName`, else the first endpoint that is a name. */
  sni?: string;
  mode: MesVerificationMode;
  /** `verification.subjectAltNames`, else an exact match on the SNI (Secured/SkipCA only). */
  sans: { type: 'Exact' | 'Prefix'; value: string }[];
  minVersion?: MesTlsVersion;
  maxVersion?: MesTlsVersion;
  allowRenegotiation: boolean;
  /** h2 for http2/grpc: the egress's cluster speaks HTTP/2 to the server, so the TLS handshake must offer (and the server pick) h2. */
  alpn?: string[];
  caCertB64?: string;
  clientCertB64?: string;
  clientKeyB64?: string;
}

export interface MesUpstream {
  endpoints: { address: string; port: number; ip: boolean }[];
  tls?: MesTls;
}

export interface MeshExternalServicesInput {
  mesh: Resource;
  zone: string;
  externalServices: readonly Resource[];
  hostnameGenerators: readonly Resource[];
  /** Sorted local ZoneEgresses (zone-egress.ts localZoneEgresses). */
  zoneEgresses: readonly Resource[];
  secrets: readonly Resource[];
  vips?: MsVips;
}

const MODES: readonly string[] = ['Secured', 'SkipSAN', 'SkipCA', 'SkipAll'];
const VERSIONS: readonly string[] = ['TLSAuto', 'TLS10', 'TLS11', 'TLS12', 'TLS13'];

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function tlsOf(spec: Record<string, unknown>, endpoints: MesUpstream['endpoints'], secrets: readonly Resource[], protocol: string): MesTls | undefined | null {
  const tls = obj(spec.tls);
  if (tls.enabled !== true) return undefined;
  const ver = obj(tls.verification);
  const ca = dataSource(ver.caCert, secrets);
  const cert = dataSource(ver.clientCert, secrets);
  const key = dataSource(ver.clientKey, secrets);
  if (ca === null || cert === null || key === null) return null;
  const sni = str(ver.serverName) ?? endpoints.find((e) => !e.ip)?.address;
  const mode = (MODES.includes(ver.mode as string) ? ver.mode : 'Secured') as MesVerificationMode;
  const sans: MesTls['sans'] = [];
  for (const s of Array.isArray(ver.subjectAltNames) ? ver.subjectAltNames : []) {
    const o = obj(s);
    const value = str(o.value);
    if (value) sans.push({ type: o.type === 'Prefix' ? 'Prefix' : 'Exact', value });
  }
  if (sans.length === 0 && sni) sans.push({ type: 'Exact', value: sni });
  const version = obj(tls.version);
  return {
    ...(sni ? { sni } : {}),
    mode,
    sans,
    ...(VERSIONS.includes(version.min as string) ? { minVersion: version.min as MesTlsVersion } : {}),
    ...(VERSIONS.includes(version.max as string) ? { maxVersion: version.max as MesTlsVersion } : {}),
    allowRenegotiation: tls.allowRenegotiation === true,
    ...(protocol === 'http2' || protocol === 'grpc' ? { alpn: ['h2'] } : {}),
    ...(ca ? { caCertB64: ca } : {}),
    ...(cert && key ? { clientCertB64: cert, clientKeyB64: key } : {}),
  };
}

/** The MeshExternalService destinations of a mesh and their sidecar endpoints (the local egresses). */
export function buildMeshExternalServices(input: MeshExternalServicesInput): { destinations: MeshServiceDestination[]; endpoints: Map<string, Endpoint[]> } {
  const destinations: MeshServiceDestination[] = [];
  const endpoints = new Map<string, Endpoint[]>();
  if (input.externalServices.length === 0 || !meshMtlsEnabled(input.mesh)) return { destinations, endpoints };
  const mesh = input.mesh.name;
  const viaEgress = egressEndpoints(input.zoneEgresses, { tags: {}, ...(input.zone ? { zone: input.zone } : {}) });
  const hostnames = hostnamesByName(assignHostnames('MeshExternalService', input.externalServices, input.hostnameGenerators));
  for (const mes of input.externalServices) {
    const match = obj(mes.spec.match);
    const port = typeof match.port === 'number' ? match.port : undefined;
    if (port === undefined) continue;
    const eps: MesUpstream['endpoints'] = [];
    for (const raw of Array.isArray(mes.spec.endpoints) ? mes.spec.endpoints : []) {
      const e = obj(raw);
      const address = str(e.address);
      if (!address || address.startsWith('unix://') || typeof e.port !== 'number') continue;
      eps.push({ address, port: e.port, ip: isIP(address) });
    }
    const protocol = str(match.protocol) ?? 'tcp';
    const tls = tlsOf(mes.spec, eps, input.secrets, protocol);
    if (tls === null) continue;
    const key = destinationKey('MeshExternalService', mes, port, input.zone);
    const vip = input.vips?.MeshExternalService[mes.name];
    endpoints.set(key, viaEgress.map((ep) => ({ ...ep, tags: { ...ep.tags } })));
    destinations.push({
      kind: 'MeshExternalService',
      key,
      name: mes.name,
      displayName: displayName(mes),
      labels: mes.labels,
      port: { port, targetPort: port, appProtocol: protocol, name: String(port) },
      protocol,
      sni: sniForResource(meshServiceSniName(mes), mesh, 'MeshExternalService', port),
      // The sidecar's TLS ends at the egress, which presents the zone egress identity.
      sans: [`spiffe://${mesh}/${ZONE_EGRESS_SERVICE}`],
      ...(vip ? { vip } : {}),
      hostnames: hostnames.get(mes.name) ?? [],
      local: isLocal(mes, input.zone),
      upstream: { endpoints: eps, ...(tls ? { tls } : {}) },
    });
  }
  return { destinations, endpoints };
}
