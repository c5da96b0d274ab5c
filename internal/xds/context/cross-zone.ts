/**
 * Source-zone side of cross-zone traffic in kuma.io/service mode (spec kuma-kds-xds.md §2.5; Kuma
 * pkg/xds/topology/outbound.go fillIngressOutbounds / fillDataplaneOutbounds): the services other
 * zones advertise on their ZoneIngresses become endpoints at the ingress' public address.
 *
 * Pure; used by buildMeshContext.
 */
import { LABEL, TAG, type Resource } from '../../resources/model';
import { type AvailableService, availableServicesOf } from './available-services';
import type { Endpoint } from './types';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

/** A typed reading of a stored ZoneIngress. */
export interface ZoneIngressView {
  name: string;
  /**
   * The zone the ingress belongs to: `spec.zone` (pinned by the global on ingest), else the
   * kuma.io/zone label; "" for this zone's own ingress as the zone CP stores it.
   */
  zone: string;
  /** What other zones dial; both or neither are set (HasPublicAddress). */
  advertisedAddress?: string;
  advertisedPort?: number;
  availableServices: AvailableService[];
}

const views = new WeakMap<Resource, ZoneIngressView>();

export function zoneIngressView(zi: Resource): ZoneIngressView {
  let v = views.get(zi);
  if (!v) {
    const net = obj(zi.spec.networking);
    const address = typeof net.advertisedAddress === 'string' && net.advertisedAddress !== '' ? net.advertisedAddress : undefined;
    const port = typeof net.advertisedPort === 'number' && Number.isInteger(net.advertisedPort) && net.advertisedPort > 0 ? net.advertisedPort : undefined;
    const specZone = typeof zi.spec.zone === 'string' ? zi.spec.zone : '';
    v = {
      name: zi.name,
      zone: specZone || zi.labels[LABEL.zone] || '',
      ...(address && port ? { advertisedAddress: address, advertisedPort: port } : {}),
      availableServices: availableServicesOf(zi.spec),
    };
    views.set(zi, v);
  }
  return v;
}

/** IsRemoteIngress: the ingress belongs to a zone, and not to this one. */
export function isRemoteIngress(v: ZoneIngressView, localZone: string): boolean {
  return v.zone !== '' && v.zone !== localZone;
}

/** `address:port` as Go's net.JoinHostPort writes it (IPv6 in brackets). */
export function coordinates(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Whether the mesh enables mTLS (Kuma MTLSEnabled: an enabled backend is named). */
export function meshMtlsEnabled(mesh: Resource): boolean {
  const b = obj(mesh.spec.mtls).enabledBackend;
  return typeof b === 'string' && b !== '';
}

export function noMtlsNote(service: string, mesh: string): string {
  return `cross-zone endpoints of ${service} are dropped: mesh ${mesh} has no mTLS; cross-zone traffic is routed by SNI and needs mTLS`;
}

export function noAddressNote(service: string, ingress: ZoneIngressView): string {
  return `cross-zone endpoints of ${service} in zone ${ingress.zone} are dropped: ZoneIngress ${ingress.name} has no advertisedAddress/advertisedPort yet`;
}

export interface RemoteEndpoints {
  /** kuma.io/service -> endpoints behind remote ingresses, in ingress-name order. */
  endpoints: Map<string, Endpoint[]>;
  /** kuma.io/service -> distinct remote ingress coordinates that carry an endpoint of it. */
  coordinates: Map<string, number>;
  /** kuma.io/service -> why remote instances of it got no endpoint. */
  notes: Map<string, string>;
}

/**
 * Endpoints of remote services (fillIngressOutbounds):
 *
 * - only remote ingresses (zone set and not this zone), only when the mesh has mTLS (the ingress
 *   routes by SNI), only ingresses with a public address;
 * - one endpoint per ingress coordinates (`advertisedAddress:advertisedPort`): the first ingress by
 *   name with a non-empty availableServices claims them, later ones at the same coordinates are
 *   skipped (replicas behind one load balancer);
 * - per availableServices entry of this mesh: endpoint at the coordinates, weight = instances (at
 *   least 1), tags = the entry's tags, zone = its kuma.io/zone tag (else the ingress' zone);
 * - ExternalServices a zone exposes (`externalService: true`) are not turned into endpoints (Kuma
 *   reaches them through zone egress; not generated here).
 *
 * `ingresses` must be sorted by name (MeshContext keeps them so).
 */
export function remoteEndpoints(ingresses: readonly Resource[], mesh: Resource, localZone: string): RemoteEndpoints {
  const meshName = mesh.name;
  const mtls = meshMtlsEnabled(mesh);
  const endpoints = new Map<string, Endpoint[]>();
  const coords = new Map<string, Set<string>>();
  const notes = new Map<string, string[]>();
  const note = (service: string, text: string) => {
    let list = notes.get(service);
    if (!list) notes.set(service, (list = []));
    if (!list.includes(text)) list.push(text);
  };
  const claimed = new Set<string>();

  for (const zi of ingresses) {
    const v = zoneIngressView(zi);
    if (!isRemoteIngress(v, localZone)) continue;
    const mine = v.availableServices.filter((s) => s.mesh === meshName && !s.externalService);
    if (!mtls) {
      for (const s of mine) note(s.tags[TAG.service]!, noMtlsNote(s.tags[TAG.service]!, meshName));
      continue;
    }
    if (!v.advertisedAddress || !v.advertisedPort) {
      for (const s of mine) note(s.tags[TAG.service]!, noAddressNote(s.tags[TAG.service]!, v));
      continue;
    }
    const at = coordinates(v.advertisedAddress, v.advertisedPort);
    if (claimed.has(at)) continue;
    // An ingress claims its coordinates only once its availableServices are reconciled, so that a
    // fresh replica behind the same load balancer does not hide the populated one.
    if (v.availableServices.length > 0) claimed.add(at);
    for (const s of mine) {
      const service = s.tags[TAG.service]!;
      let list = endpoints.get(service);
      if (!list) endpoints.set(service, (list = []));
      list.push({
        address: v.advertisedAddress,
        port: v.advertisedPort,
        tags: s.tags,
        weight: Math.max(1, s.instances),
        zone: s.tags[TAG.zone] || v.zone,
        remote: true,
      });
      let set = coords.get(service);
      if (!set) coords.set(service, (set = new Set()));
      set.add(at);
    }
  }

  const counts = new Map<string, number>();
  for (const [service, set] of coords) counts.set(service, set.size);
  const joined = new Map<string, string>();
  for (const service of [...notes.keys()].sort()) joined.set(service, notes.get(service)!.join('; '));
  return { endpoints, coordinates: counts, notes: joined };
}

/**
 * The weight of every local endpoint of a service: the number of distinct remote ingress
 * coordinates that carry the service (at least 1). Each remote endpoint weighs the instances behind
 * it, and Envoy balances by host weight across the (single) priority, so a zone with 2 instances
 * gets twice the traffic of a zone with 1 (see docs in types.ts MeshContext.endpoints).
 */
export function localEndpointWeight(remoteCoordinates: number | undefined): number {
  return Math.max(1, remoteCoordinates ?? 0);
}

/** The part of a ZoneIngress that shapes the config of mesh `mesh` (hashed by the MeshContext). */
export function zoneIngressHashInput(zi: Resource, mesh: string): unknown {
  const v = zoneIngressView(zi);
  return {
    name: v.name,
    zone: v.zone,
    address: v.advertisedAddress ?? '',
    port: v.advertisedPort ?? 0,
    claims: v.availableServices.length > 0,
    services: v.availableServices.filter((s) => s.mesh === mesh),
    networking: zi.spec.networking ?? null,
  };
}
