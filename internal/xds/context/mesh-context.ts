/**
 * Builds the MeshContext of one mesh: the per-mesh view every sidecar of the mesh shares
 * (spec kuma-kds-xds.md §3; Kuma pkg/xds/context/mesh_context_builder.go, pkg/xds/topology/outbound.go).
 *
 * Pure: the caller (the xDS reconciler) reads the store and hands every mesh-scoped resource of the
 * mesh in; nothing here touches the store, the clock or the network.
 */
import { createHash } from 'node:crypto';
import { LABEL, TAG, type Resource } from '../../resources/model';
import { localEndpointWeight, remoteEndpoints, zoneIngressHashInput } from './cross-zone';
import { dataplaneView } from './dataplane-view';
import { externalServiceProtocolVotes } from './external-services';
import { commonProtocol } from './protocol';
import type { Endpoint, MeshContext } from './types';
import type { MeshVip } from '../../dns/vips';
import { localZoneEgresses, throughZoneEgress, zoneEgressHashInput } from './zone-egress';
import { type MeshServiceDestination, buildMeshServices } from './mesh-services';
import { buildMeshExternalServices } from './mesh-external-services';
import type { MsVips } from '../../meshservice/vips';

export interface MeshContextInput {
  mesh: Resource;
  /** Every mesh-scoped resource of this mesh by type name (Dataplane, DataplaneInsight, policies, ...). */
  resources: Map<string, Resource[]>;
  zone: string;
  /** PEM bundle of the mesh CA(s) when mTLS is enabled. */
  caCertsPem?: string;
  /**
   * Every ZoneIngress the zone CP stores (store.list('ZoneIngress')): its own (spec.zone empty or
   * this zone) and other zones' synced from the global (spec.zone = their zone). Remote ones with a
   * public address become endpoints of the services they advertise (cross-zone.ts).
   */
  zoneIngresses?: Resource[];
  /**
   * Every ZoneEgress the zone CP stores (store.list('ZoneEgress')). With Mesh routing.zoneEgress on,
   * remote endpoints go through the local ones (zone-egress.ts) and so do ExternalServices.
   */
  zoneEgresses?: Resource[];
  /**
   * Kuma DNS: host -> VIP, port and destination, from the mesh's VipAllocation record
   * (internal/dns/vips.ts vipMapOf). Proxies that opt in get an outbound listener per VIP and port.
   */
  vips?: Map<string /* host */, MeshVip>;
  /** Every HostnameGenerator (global-scoped): hostnames of MeshServices (mesh-services.ts). */
  hostnameGenerators?: Resource[];
  /** VIPs of the mesh's MeshServices, MeshMultiZoneServices, MeshExternalServices (meshservice/vips.ts). */
  meshServiceVips?: MsVips;
}

/**
 * Types that never change generated config. Insights are status written by the CP itself (every
 * Envoy connect/ACK rewrites a DataplaneInsight); hashing them would regenerate every proxy of the
 * mesh on every heartbeat.
 */
function isStatusType(type: string): boolean {
  return type.endsWith('Insight');
}

function byName(a: Resource, b: Resource): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function buildMeshContext(input: MeshContextInput): MeshContext {
  const resources = new Map<string, readonly Resource[]>();
  for (const type of [...input.resources.keys()].sort()) {
    resources.set(type, [...input.resources.get(type)!].sort(byName));
  }
  const dataplanes = resources.get('Dataplane') ?? [];
  const { endpoints, protocolVotes } = endpointsOf(dataplanes, input.zone);
  const zoneIngresses = [...(input.zoneIngresses ?? [])].sort(byName);
  const zoneEgresses = localZoneEgresses(input.zoneEgresses ?? [], input.zone);
  const remote = throughZoneEgress(remoteEndpoints(zoneIngresses, input.mesh, input.zone), input.mesh, zoneEgresses);
  for (const [service, count] of remote.coordinates) {
    const weight = localEndpointWeight(count);
    const local = endpoints.get(service);
    if (local) for (const ep of local) ep.weight = weight;
  }
  for (const [service, list] of remote.endpoints) {
    const all = endpoints.get(service);
    if (all) all.push(...list);
    else endpoints.set(service, [...list]);
    let votes = protocolVotes.get(service);
    if (!votes) protocolVotes.set(service, (votes = []));
    for (const ep of list) votes.push(ep.tags[TAG.protocol] ?? '');
  }
  externalServiceProtocolVotes(resources.get('ExternalService') ?? [], protocolVotes);
  const protocols = new Map<string, string>();
  for (const [service, votes] of protocolVotes) protocols.set(service, commonProtocol(votes));
  const meshServices = buildMeshServices({
    mesh: input.mesh,
    zone: input.zone,
    dataplanes,
    meshServices: resources.get('MeshService') ?? [],
    multiZoneServices: resources.get('MeshMultiZoneService') ?? [],
    hostnameGenerators: input.hostnameGenerators ?? [],
    zoneIngresses,
    ...(input.meshServiceVips ? { vips: input.meshServiceVips } : {}),
  });
  const external = buildMeshExternalServices({
    mesh: input.mesh,
    zone: input.zone,
    externalServices: resources.get('MeshExternalService') ?? [],
    hostnameGenerators: input.hostnameGenerators ?? [],
    zoneEgresses,
    secrets: resources.get('Secret') ?? [],
    ...(input.meshServiceVips ? { vips: input.meshServiceVips } : {}),
  });
  for (const [key, list] of meshServices.endpoints) endpoints.set(key, list);
  for (const [key, list] of external.endpoints) endpoints.set(key, list);
  const destinations = withExternal(meshServices.destinations, external.destinations);
  for (const d of destinations.values()) protocols.set(d.key, d.protocol);
  const baseHash = meshContextBaseHash(input);
  return {
    baseHash,
    serviceHashes: serviceHashesOf(endpoints, protocols, remote.notes),
    meshName: input.mesh.name,
    mesh: input.mesh,
    resources,
    endpoints,
    protocols,
    ...(input.caCertsPem ? { caCertsPem: input.caCertsPem } : {}),
    zone: input.zone,
    zoneIngresses,
    zoneEgresses,
    crossZoneNotes: remote.notes,
    ...(input.vips && input.vips.size > 0 ? { vips: new Map(input.vips) } : {}),
    ...(destinations.size > 0 ? { meshServices: destinations } : {}),
    hash: meshContextHash(input),
  };
}

/** MeshService-family destinations with the MeshExternalService ones merged in, in key order. */
function withExternal(ms: ReadonlyMap<string, MeshServiceDestination>, mes: readonly MeshServiceDestination[]): ReadonlyMap<string, MeshServiceDestination> {
  if (mes.length === 0) return ms;
  const all = [...ms.entries(), ...mes.map((d) => [d.key, d] as [string, MeshServiceDestination])];
  return new Map(all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/**
 * Everything the hash covers, as one plain value. Left out on purpose: insights (status, see
 * isStatusType), resource versions and modification times (an update that rewrites the same spec
 * changes nothing), Dataplane creation times. Policy creation times stay in: legacy policies of equal
 * rank are ordered by them (Kuma's sameRankCreatedLater).
 */
export function meshContextHashInputs(input: MeshContextInput): unknown {
  const resources: Record<string, unknown[]> = {};
  for (const [type, list] of input.resources) {
    if (isStatusType(type) || list.length === 0) continue;
    resources[type] = [...list].sort(byName).map(resourceHashInput);
  }
  return {
    mesh: { name: input.mesh.name, labels: input.mesh.labels, spec: input.mesh.spec },
    zone: input.zone,
    caCertsPem: input.caCertsPem ?? '',
    resources,
    zoneIngresses: [...(input.zoneIngresses ?? [])].sort(byName).map((zi) => zoneIngressHashInput(zi, input.mesh.name)),
    ...zoneEgressesHashPart(input),
    ...vipsHashPart(input),
    ...meshServicesHashPart(input),
  };
}

/** One resource's part of the hash inputs (see meshContextHashInputs). */
function resourceHashInput(r: Resource): unknown {
  return { name: r.name, labels: r.labels, spec: r.spec, ...(r.type === 'Dataplane' ? {} : { creationTime: r.creationTime }) };
}

/**
 * Digest of one resource's hash input, cached per resource object: the store hands out the same
 * immutable object until the resource changes, so a rebuild re-serializes only what changed.
 */
const digests = new WeakMap<Resource, string>();
export function resourceDigest(r: Resource): string {
  let d = digests.get(r);
  if (d === undefined) digests.set(r, (d = sha256(canonicalJson(resourceHashInput(r)))));
  return d;
}

/**
 * Digest of the part of a ZoneIngress that matters to mesh `mesh` (zoneIngressHashInput: zone,
 * addresses, whether it advertises anything, the entries of this mesh), cached per resource object
 * and mesh: an instance-count change in one mesh does not regenerate the proxies of the others.
 */
const ingressDigests = new WeakMap<Resource, Map<string, string>>();
function zoneIngressDigest(zi: Resource, mesh: string): string {
  let byMesh = ingressDigests.get(zi);
  if (!byMesh) ingressDigests.set(zi, (byMesh = new Map()));
  let d = byMesh.get(mesh);
  if (d === undefined) byMesh.set(mesh, (d = sha256(canonicalJson(zoneIngressHashInput(zi, mesh)))));
  return d;
}

/** sha256 over meshContextHashInputs, with every resource replaced by its cached digest. */
export function meshContextHash(input: MeshContextInput): string {
  const resources: Record<string, string[]> = {};
  for (const [type, list] of input.resources) {
    if (isStatusType(type) || list.length === 0) continue;
    resources[type] = [...list].sort(byName).map(resourceDigest);
  }
  return sha256(
    canonicalJson({
      mesh: { name: input.mesh.name, labels: input.mesh.labels, spec: input.mesh.spec },
      zone: input.zone,
      caCertsPem: input.caCertsPem ?? '',
      resources,
      zoneIngresses: [...(input.zoneIngresses ?? [])].sort(byName).map((zi) => zoneIngressDigest(zi, input.mesh.name)),
      ...zoneEgressesHashPart(input),
      ...vipsHashPart(input),
      ...meshServicesHashPart(input),
    }),
  );
}

/**
 * The part of the hash every proxy of the mesh depends on: the Mesh, the zone, the CA, every
 * resource but Dataplanes (policies, ExternalServices, Secrets...), the local egresses and the VIPs.
 * Dataplanes and ZoneIngresses reach a proxy only through the endpoints, protocols and cross-zone
 * notes of the services it sends to: serviceHashes. A proxy's config is a function of the base,
 * its own Dataplane, its identity and the hashes of the services its outbounds reach, so a change
 * to service A's instances regenerates only the proxies that reach A (xds/sync/proxy-inputs.ts).
 */
export function meshContextBaseHash(input: MeshContextInput): string {
  const resources: Record<string, string[]> = {};
  for (const [type, list] of input.resources) {
    if (isStatusType(type) || type === 'Dataplane' || list.length === 0) continue;
    resources[type] = [...list].sort(byName).map(resourceDigest);
  }
  return sha256(
    canonicalJson({
      mesh: { name: input.mesh.name, labels: input.mesh.labels, spec: input.mesh.spec },
      zone: input.zone,
      caCertsPem: input.caCertsPem ?? '',
      resources,
      ...zoneEgressesHashPart(input),
      ...vipsHashPart(input),
      ...meshServicesHashPart(input),
    }),
  );
}

/** Per kuma.io/service: a digest of what the MeshContext says about it (endpoints, protocol, cross-zone note). */
function serviceHashesOf(endpoints: ReadonlyMap<string, readonly Endpoint[]>, protocols: ReadonlyMap<string, string>, notes: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const service of new Set([...endpoints.keys(), ...protocols.keys(), ...notes.keys()])) {
    out.set(service, sha256(canonicalJson([endpoints.get(service) ?? [], protocols.get(service) ?? '', notes.get(service) ?? ''])));
  }
  return out;
}

/** The VIP map's part of the hash, sorted by host; absent without VIPs (hashes stay as before). */
function vipsHashPart(input: MeshContextInput): { vips?: unknown[] } {
  if (!input.vips || input.vips.size === 0) return {};
  return { vips: [...input.vips.keys()].sort().map((host) => [host, input.vips!.get(host)]) };
}

/** HostnameGenerators and MeshService VIPs; absent when there are none (hashes stay as before). */
function meshServicesHashPart(input: MeshContextInput): { hostnameGenerators?: unknown[]; meshServiceVips?: MsVips } {
  const hgs = [...(input.hostnameGenerators ?? [])].sort(byName).map((r) => ({ name: r.name, labels: r.labels, spec: r.spec }));
  return { ...(hgs.length ? { hostnameGenerators: hgs } : {}), ...(input.meshServiceVips ? { meshServiceVips: input.meshServiceVips } : {}) };
}

/** The local ZoneEgresses' part of the hash; absent when there are none (hashes stay as before). */
function zoneEgressesHashPart(input: MeshContextInput): { zoneEgresses?: unknown[] } {
  const local = localZoneEgresses(input.zoneEgresses ?? [], input.zone);
  return local.length > 0 ? { zoneEgresses: local.map(zoneEgressHashInput) } : {};
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const obj = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    if (obj[k] === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  }
  return `{${parts.join(',')}}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Healthy endpoints and protocols per kuma.io/service from the Dataplanes' inbounds
 * (Kuma fillDataplaneOutbounds / InferServiceProtocol).
 *
 * - The endpoint address is the one other proxies reach: networking.advertisedAddress, else the
 *   inbound's address, else networking.address (Kuma's DataplaneAdvertisedIP).
 * - Inbounds with state NotReady or health.ready false are not endpoints; Ignored ones are not part
 *   of the mesh at all (no endpoint, no protocol vote).
 * - Dataplanes labelled with another zone are reached through that zone's ingress, never directly.
 * - A service's protocol is the common protocol of all its (non-ignored) inbounds, healthy or not, so
 *   that a service whose instances all fail their probes keeps its listener type; buildMeshContext
 *   adds the kuma.io/protocol tags of the service's remote endpoints (availableServices entries).
 * - Local endpoints are located in the zone of their kuma.io/zone tag (the zone CP stamps it).
 */
function endpointsOf(
  dataplanes: readonly Resource[],
  zone: string,
): { endpoints: Map<string, Endpoint[]>; protocolVotes: Map<string, string[]> } {
  const endpoints = new Map<string, Endpoint[]>();
  const protocolVotes = new Map<string, string[]>();
  for (const dp of dataplanes) {
    const dpZone = dp.labels[LABEL.zone];
    if (dpZone && zone && dpZone !== zone) continue;
    const view = dataplaneView(dp);
    for (const inbound of view.inbounds) {
      if (inbound.state === 'Ignored') continue;
      const service = inbound.tags[TAG.service];
      if (!service) continue;
      let votes = protocolVotes.get(service);
      if (!votes) protocolVotes.set(service, (votes = []));
      votes.push(inbound.tags[TAG.protocol] ?? '');
      if (!inbound.ready) continue;
      let list = endpoints.get(service);
      if (!list) endpoints.set(service, (list = []));
      const epZone = inbound.tags[TAG.zone];
      list.push({ address: view.advertisedAddress ?? inbound.address, port: inbound.port, tags: inbound.tags, weight: 1, ...(epZone ? { zone: epZone } : {}) });
    }
  }
  for (const list of endpoints.values()) {
    list.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
  }
  return { endpoints, protocolVotes };
}
