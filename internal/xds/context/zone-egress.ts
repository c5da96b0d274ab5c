/**
 * Zone egress on the sidecar side (spec kuma-kds-xds.md §2.5 last rule, §4; Kuma
 * pkg/xds/topology/outbound.go fillIngressOutbounds with zone egresses): when a mesh sets
 * `routing.zoneEgress: true`, cross-zone traffic leaves the zone through its ZoneEgresses, so every
 * remote endpoint (another zone's ingress) is replaced by one endpoint per local ZoneEgress
 * `address:port`, weight 1, same tags and locality. The sidecar's TLS is unchanged (SNI
 * `<service>{mesh=<mesh>}`, SAN of the destination service): the egress passes the bytes through.
 *
 * With zoneEgress on and no local ZoneEgress, remote services get no endpoint at all (Kuma: requests
 * fail rather than bypass the egress); MeshContext.crossZoneNotes says why.
 *
 * Pure; used by buildMeshContext and the egress generator.
 */
import { LABEL, type Resource } from '../../resources/model';
import { type RemoteEndpoints, meshMtlsEnabled } from './cross-zone';
import type { Endpoint } from './types';

type Obj = Record<string, unknown>;

/** The service name of a zone egress identity: `spiffe://<mesh>/zone-egress` (Kuma ZoneEgressServiceName). */
export const ZONE_EGRESS_SERVICE = 'zone-egress';

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

/** A typed reading of a stored ZoneEgress. */
export interface ZoneEgressView {
  name: string;
  /** `spec.zone`, else the kuma.io/zone label; "" for this zone's own egress as the zone CP stores it. */
  zone: string;
  /** Where the egress Envoy listens and local sidecars dial (networking.address:port). */
  address?: string;
  port?: number;
}

const views = new WeakMap<Resource, ZoneEgressView>();

export function zoneEgressView(ze: Resource): ZoneEgressView {
  let v = views.get(ze);
  if (!v) {
    const net = obj(ze.spec.networking);
    const address = typeof net.address === 'string' && net.address !== '' ? net.address : undefined;
    const port = typeof net.port === 'number' && Number.isInteger(net.port) && net.port > 0 ? net.port : undefined;
    const specZone = typeof ze.spec.zone === 'string' ? ze.spec.zone : '';
    v = { name: ze.name, zone: specZone || ze.labels[LABEL.zone] || '', ...(address && port ? { address, port } : {}) };
    views.set(ze, v);
  }
  return v;
}

/**
 * The ZoneEgresses local sidecars can use: this zone's (zone empty or this zone) with an address
 * and a port, sorted by name. A zone CP stores only its own (ZoneEgress is ZoneToGlobal only).
 */
export function localZoneEgresses(egresses: readonly Resource[], localZone: string): Resource[] {
  return egresses
    .filter((ze) => {
      const v = zoneEgressView(ze);
      return (v.zone === '' || v.zone === localZone) && v.address !== undefined && v.port !== undefined;
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Mesh `routing.zoneEgress: true` (Kuma ZoneEgressEnabled). */
export function meshZoneEgressEnabled(mesh: Resource): boolean {
  return obj(mesh.spec.routing).zoneEgress === true;
}

/**
 * Whether traffic of the mesh leaves through zone egresses: zoneEgress on and mTLS on (the egress
 * routes by SNI and terminates the mesh mTLS of external services; without mTLS there are no
 * cross-zone endpoints anyway).
 */
export function routesThroughZoneEgress(mesh: Resource): boolean {
  return meshZoneEgressEnabled(mesh) && meshMtlsEnabled(mesh);
}

/** The endpoints of local ZoneEgresses standing for one destination: weight 1 each, tags and locality kept. */
export function egressEndpoints(egresses: readonly Resource[], like: Omit<Endpoint, 'address' | 'port' | 'weight'>): Endpoint[] {
  const out: Endpoint[] = [];
  for (const ze of egresses) {
    const v = zoneEgressView(ze);
    if (!v.address || !v.port) continue;
    out.push({ ...like, address: v.address, port: v.port, weight: 1 });
  }
  return out;
}

/**
 * Remote endpoints (another zone's ingress) rerouted through the local egresses: each becomes one
 * endpoint per egress, weight 1, same tags, zone and `remote` flag (Kuma fillIngressOutbounds with
 * routing through zone egress). `egresses` must be localZoneEgresses' output.
 */
export function viaZoneEgress(remote: ReadonlyMap<string, readonly Endpoint[]>, egresses: readonly Resource[]): Map<string, Endpoint[]> {
  const out = new Map<string, Endpoint[]>();
  for (const [service, list] of remote) {
    const rerouted: Endpoint[] = [];
    for (const ep of list) {
      const { address: _a, port: _p, weight: _w, ...like } = ep;
      rerouted.push(...egressEndpoints(egresses, like));
    }
    if (rerouted.length > 0) out.set(service, rerouted);
  }
  return out;
}

export function noEgressNote(service: string, mesh: string): string {
  return `cross-zone endpoints of ${service} are dropped: mesh ${mesh} routes through zone egress (routing.zoneEgress) and this zone has no ZoneEgress`;
}

/** The part of a ZoneEgress that shapes sidecar config (hashed by the MeshContext). */
export function zoneEgressHashInput(ze: Resource): unknown {
  const v = zoneEgressView(ze);
  return { name: v.name, zone: v.zone, address: v.address ?? '', port: v.port ?? 0 };
}

/**
 * What buildMeshContext does with the remote endpoints of a mesh: unchanged when the mesh does not
 * set routing.zoneEgress, else rerouted through `egresses` (localZoneEgresses' output); with no
 * egress every remote service loses its endpoints and gets a note. The coordinates (and so the local
 * endpoint weights) stay as counted from the ingresses, as in Kuma.
 */
export function throughZoneEgress(remote: RemoteEndpoints, mesh: Resource, egresses: readonly Resource[]): RemoteEndpoints {
  if (!meshZoneEgressEnabled(mesh)) return remote;
  const notes = new Map(remote.notes);
  if (egresses.length === 0) {
    for (const service of remote.endpoints.keys()) {
      const prev = notes.get(service);
      notes.set(service, prev ? `${prev}; ${noEgressNote(service, mesh.name)}` : noEgressNote(service, mesh.name));
    }
  }
  const sorted = new Map([...notes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { endpoints: viaZoneEgress(remote.endpoints, egresses), coordinates: remote.coordinates, notes: sorted };
}
