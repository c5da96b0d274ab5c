/**
 * MeshService-mode destinations of a mesh (spec kuma-kds-xds.md §2.4, §2.5, §3.8; Kuma
 * fillRemoteMeshServices, pkg/xds/topology/outbound.go): one per (MeshService |
 * MeshMultiZoneService, port), keyed by Kuma's legacy destination name
 * `<mesh>_<name>_<namespace>_<zone>_<msvc|mzsvc>_<port>`, which is also its cluster name and its
 * key in MeshContext.endpoints / protocols.
 *
 * - Local MeshService: the ready inbounds of this zone's Dataplanes its selector picks
 *   (`dataplaneTags` all present on the inbound, or `dataplaneRef` naming the Dataplane) whose port
 *   (or name) is the port's targetPort.
 * - Copy of another zone's MeshService (origin global, kuma.io/zone = that zone): one endpoint per
 *   distinct public address of that zone's ZoneIngresses, weight 1, remote; only with mesh mTLS
 *   (the ingress routes by SNI).
 * - MeshMultiZoneService: the endpoints of the port of every MeshService (local or copy) its
 *   `selector.meshService.matchLabels` match, copies whose state is not Available skipped.
 *
 * The client TLS names the hashed SNI of the resource and port and accepts the SPIFFE IDs of the
 * MeshServices' ServiceTag identities (of every matched one for a MeshMultiZoneService). VIPs come
 * from the zone's MeshServiceVipAllocation, hostnames from the HostnameGenerators as
 * hostname-assignment.ts keeps them (collisions lost). Pure.
 */
import { LABEL, TAG, type Resource } from '../../resources/model';
import { assignHostnames, hostnamesByName } from '../../meshservice/hostname-assignment';
import { type MsPort, NAMESPACE_LABEL, displayName, isLocal, labelsMatch, list, obj, portsOf } from '../../meshservice/labels';
import { meshServiceSniName, sniForResource } from '../../meshservice/sni';
import type { MsVips } from '../../meshservice/vips';
import { coordinates, isRemoteIngress, meshMtlsEnabled, zoneIngressView } from './cross-zone';
import { type InboundView, dataplaneView } from './dataplane-view';
import type { MesUpstream } from './mesh-external-services';
import type { Endpoint } from './types';

export type MsKind = 'MeshService' | 'MeshMultiZoneService' | 'MeshExternalService';

export interface MeshServiceDestination {
  kind: MsKind;
  /** Cluster name and endpoints key (legacy destination name). */
  key: string;
  /** Resource name as this zone stores it. */
  name: string;
  /** Display name (kuma.io/display-name, else the name): what policies and users call it. */
  displayName: string;
  /** Labels of the resource (policies select by them). */
  labels: Readonly<Record<string, string>>;
  port: MsPort;
  protocol: string;
  /** Hashed SNI the client sends and the destination zone's ingress routes on. */
  sni: string;
  /** SPIFFE IDs the client accepts. */
  sans: string[];
  /** The VIP of the resource in this zone, once allocated. */
  vip?: string;
  hostnames: string[];
  /** A MeshService of this zone (its ingress exposes it). */
  local: boolean;
  /** The zone a copy comes from. */
  zone?: string;
  /** Keys of the MeshService destinations a MeshMultiZoneService port gathers. */
  members?: string[];
  /** A MeshExternalService: what the zone egress dials (mesh-external-services.ts). */
  upstream?: MesUpstream;
}

export interface MeshServicesInput {
  mesh: Resource;
  zone: string;
  dataplanes: readonly Resource[];
  meshServices: readonly Resource[];
  multiZoneServices: readonly Resource[];
  hostnameGenerators: readonly Resource[];
  zoneIngresses: readonly Resource[];
  vips?: MsVips;
}

export interface MeshServicesView {
  /** By key, in key order. */
  destinations: ReadonlyMap<string, MeshServiceDestination>;
  endpoints: Map<string, Endpoint[]>;
}

const KIND_TAG: Record<MsKind, string> = { MeshService: 'msvc', MeshMultiZoneService: 'mzsvc', MeshExternalService: 'extsvc' };

function zoneOf(r: Resource, localZone: string): string {
  return r.labels[LABEL.zone] ?? (isLocal(r, localZone) ? localZone : '');
}

export function destinationKey(kind: MsKind, r: Resource, port: number, localZone: string): string {
  const zone = kind === 'MeshMultiZoneService' ? '' : zoneOf(r, localZone);
  return `${r.mesh}_${displayName(r)}_${r.labels[NAMESPACE_LABEL] ?? ''}_${zone}_${KIND_TAG[kind]}_${port}`;
}

function servesPort(ib: InboundView, port: MsPort): boolean {
  return typeof port.targetPort === 'number' ? ib.port === port.targetPort : ib.name === port.targetPort;
}

function sansOf(ms: Resource, mesh: string): string[] {
  const out: string[] = [];
  for (const id of list(ms.spec.identities)) {
    if (typeof id.value !== 'string') continue;
    if (id.type === 'ServiceTag') out.push(`spiffe://${mesh}/${id.value}`);
    else if (id.type === 'SpiffeID') out.push(id.value);
  }
  return out;
}

/** Local inbounds indexed by kuma.io/service so a selector naming one does not scan the fleet. */
interface InboundIndex {
  byService: Map<string, { dp: Resource; ib: InboundView; address: string }[]>;
  all: { dp: Resource; ib: InboundView; address: string }[];
}

function indexInbounds(dataplanes: readonly Resource[], zone: string): InboundIndex {
  const idx: InboundIndex = { byService: new Map(), all: [] };
  for (const dp of dataplanes) {
    const dpZone = dp.labels[LABEL.zone];
    if (dpZone && zone && dpZone !== zone) continue;
    const view = dataplaneView(dp);
    for (const ib of view.inbounds) {
      if (!ib.ready) continue;
      const e = { dp, ib, address: view.advertisedAddress ?? ib.address };
      idx.all.push(e);
      let l = idx.byService.get(ib.service);
      if (!l) idx.byService.set(ib.service, (l = []));
      l.push(e);
    }
  }
  return idx;
}

function localEndpoints(ms: Resource, port: MsPort, idx: InboundIndex, localZone: string): Endpoint[] {
  const selector = obj(ms.spec.selector);
  const ref = obj(selector.dataplaneRef);
  const tags = obj(selector.dataplaneTags);
  const hasTags = Object.keys(tags).length > 0;
  if (!hasTags && typeof ref.name !== 'string') return [];
  const service = tags[TAG.service];
  const candidates = typeof service === 'string' ? (idx.byService.get(service) ?? []) : idx.all;
  const out: Endpoint[] = [];
  for (const { dp, ib, address } of candidates) {
    if (typeof ref.name === 'string' && dp.name !== ref.name) continue;
    if (hasTags && !Object.entries(tags).every(([k, v]) => ib.tags[k] === v)) continue;
    if (!servesPort(ib, port)) continue;
    // The locality is always set (Kuma GetLocality): priority rules need to tell zones apart.
    const zone = ib.tags[TAG.zone] ?? localZone;
    out.push({ address, port: ib.port, tags: ib.tags, weight: 1, ...(zone ? { zone } : {}) });
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
}

/** Public addresses of each remote zone's ingresses, deduplicated, in ingress-name order. */
function ingressAddresses(ingresses: readonly Resource[], localZone: string): Map<string, { address: string; port: number }[]> {
  const byZone = new Map<string, { address: string; port: number }[]>();
  const seen = new Set<string>();
  for (const zi of ingresses) {
    const v = zoneIngressView(zi);
    if (!isRemoteIngress(v, localZone) || !v.advertisedAddress || !v.advertisedPort) continue;
    const at = coordinates(v.advertisedAddress, v.advertisedPort);
    if (seen.has(at)) continue;
    seen.add(at);
    let l = byZone.get(v.zone);
    if (!l) byZone.set(v.zone, (l = []));
    l.push({ address: v.advertisedAddress, port: v.advertisedPort });
  }
  return byZone;
}

export function buildMeshServices(input: MeshServicesInput): MeshServicesView {
  const mesh = input.mesh.name;
  const destinations = new Map<string, MeshServiceDestination>();
  const endpoints = new Map<string, Endpoint[]>();
  if (input.meshServices.length === 0 && input.multiZoneServices.length === 0) return { destinations, endpoints };
  const idx = indexInbounds(input.dataplanes, input.zone);
  const remoteAt = meshMtlsEnabled(input.mesh) ? ingressAddresses(input.zoneIngresses, input.zone) : new Map<string, { address: string; port: number }[]>();
  const msKeysByName = new Map<string, Map<number, string>>();
  // Hostnames as the zone's status gives them: a hostname two resources of a kind claim goes to the first.
  const msHostnames = hostnamesByName(assignHostnames('MeshService', input.meshServices, input.hostnameGenerators));
  const mzsHostnames = hostnamesByName(assignHostnames('MeshMultiZoneService', input.multiZoneServices, input.hostnameGenerators));
  for (const ms of input.meshServices) {
    const local = isLocal(ms, input.zone);
    const zone = zoneOf(ms, input.zone);
    const hostnames = msHostnames.get(ms.name) ?? [];
    const vip = input.vips?.MeshService[ms.name];
    const byPort = new Map<number, string>();
    msKeysByName.set(ms.name, byPort);
    for (const port of portsOf(ms.spec)) {
      const key = destinationKey('MeshService', ms, port.port, input.zone);
      byPort.set(port.port, key);
      let eps: Endpoint[];
      if (local) eps = localEndpoints(ms, port, idx, input.zone);
      else
        eps = (remoteAt.get(zone) ?? []).map((a) => ({
          address: a.address,
          port: a.port,
          tags: { [TAG.service]: key, [TAG.zone]: zone },
          weight: 1,
          zone,
          remote: true,
        }));
      endpoints.set(key, eps);
      destinations.set(key, {
        kind: 'MeshService',
        key,
        name: ms.name,
        displayName: displayName(ms),
        labels: ms.labels,
        port,
        protocol: port.appProtocol,
        sni: sniForResource(meshServiceSniName(ms), mesh, 'MeshService', port.port),
        sans: sansOf(ms, mesh),
        ...(vip ? { vip } : {}),
        hostnames,
        local,
        ...(local ? {} : { zone }),
      });
    }
  }
  for (const mzs of input.multiZoneServices) {
    const matchLabels = obj(obj(obj(mzs.spec.selector).meshService).matchLabels);
    const matched = input.meshServices.filter((ms) => labelsMatch(matchLabels, ms.labels) && (isLocal(ms, input.zone) || ms.spec.state === undefined || ms.spec.state === 'Available'));
    const hostnames = mzsHostnames.get(mzs.name) ?? [];
    const vip = input.vips?.MeshMultiZoneService[mzs.name];
    for (const port of portsOf(mzs.spec)) {
      const key = destinationKey('MeshMultiZoneService', mzs, port.port, input.zone);
      const members: string[] = [];
      const sans = new Set<string>();
      const eps: Endpoint[] = [];
      for (const ms of matched) {
        const k = msKeysByName.get(ms.name)?.get(port.port);
        if (!k) continue;
        members.push(k);
        for (const s of sansOf(ms, mesh)) sans.add(s);
        eps.push(...(endpoints.get(k) ?? []));
      }
      endpoints.set(key, eps);
      destinations.set(key, {
        kind: 'MeshMultiZoneService',
        key,
        name: mzs.name,
        displayName: displayName(mzs),
        labels: mzs.labels,
        port,
        protocol: port.appProtocol,
        sni: sniForResource(displayName(mzs), mesh, 'MeshMultiZoneService', port.port),
        sans: [...sans].sort(),
        ...(vip ? { vip } : {}),
        hostnames,
        local: false,
        members: members.sort(),
      });
    }
  }
  const sorted = new Map([...destinations.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  return { destinations: sorted, endpoints };
}
