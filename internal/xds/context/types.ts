/**
 * The contract between the xDS pieces:
 *
 *   store --(reconciler)--> MeshContext (one per mesh change, shared by all proxies of the mesh)
 *         --(generators, pure)--> XdsResources per proxy --(snapshot cache)--> ADS streams --> Envoy
 *
 * Generators read only these types: no I/O, no clock, no store.
 */
import type { Cluster } from '../../../proto/gen/envoy/config/cluster/v3/cluster';
import type { ClusterLoadAssignment } from '../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import type { Listener } from '../../../proto/gen/envoy/config/listener/v3/listener';
import type { RouteConfiguration } from '../../../proto/gen/envoy/config/route/v3/route';
import type { Secret } from '../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/secret';
import type { Resource } from '../../resources/model';
import type { MeshVip } from '../../dns/vips';
import type { MeshServiceDestination } from './mesh-services';

/**
 * One reachable instance of a service as a sidecar sees it: a healthy local inbound, or a remote
 * zone's ZoneIngress standing for the instances of one tag set behind it.
 */
export interface Endpoint {
  address: string;
  port: number;
  /** The inbound's tags (kuma.io/service, kuma.io/zone, version, ...); for a remote one the availableServices entry's tags. */
  tags: Record<string, string>;
  /**
   * Load-balancing weight. Remote: the instances behind the ingress. Local: the number of distinct
   * remote ingress coordinates carrying the service, at least 1 (see MeshContext.endpoints).
   */
  weight: number;
  /**
   * Locality zone: the kuma.io/zone tag of a local inbound (the zone CP stamps it; unset in
   * standalone mode), the remote zone for a remote endpoint.
   */
  zone?: string;
  /** true for an endpoint at a remote zone's ingress (reached by SNI, needs mTLS). */
  remote?: boolean;
}

export interface MeshContext {
  meshName: string;
  /** The Mesh resource itself. */
  mesh: Resource;
  /** Every mesh-scoped resource of this mesh by type name, sorted by name. */
  resources: ReadonlyMap<string, readonly Resource[]>;
  /**
   * kuma.io/service -> endpoints: the healthy local ones sorted by address:port, then the remote
   * ones (ZoneIngresses of other zones, in ingress-name order; spec kuma-kds-xds.md §2.5).
   *
   * Weights (Kuma fillIngressOutbounds / fillDataplaneOutbounds): a remote endpoint weighs the
   * `instances` its ingress advertises; every local endpoint of a service weighs the number of
   * distinct remote ingress coordinates (advertisedAddress:advertisedPort) carrying that service, at
   * least 1. Without locality awareness all of them share priority 0 and Envoy balances by host
   * weight, e.g. 2 local + 1 remote instance behind 1 ingress: local 1 + 1, remote 1 => 2:1.
   */
  endpoints: ReadonlyMap<string, readonly Endpoint[]>;
  /** kuma.io/service -> protocol (the common kuma.io/protocol of its inbounds, else "tcp"). */
  protocols: ReadonlyMap<string, string>;
  /** PEM bundle of the mesh CA(s) when mTLS is enabled. */
  caCertsPem?: string;
  /** Local zone name. */
  zone: string;
  /**
   * Every ZoneIngress the zone CP stores (its own, with spec.zone empty or this zone, and the other
   * zones' synced from the global), sorted by name. Global-scoped: the same list in every mesh.
   */
  zoneIngresses: readonly Resource[];
  /**
   * This zone's ZoneEgresses (spec.zone empty or this zone) with an address and port, sorted by
   * name (zone-egress.ts localZoneEgresses). With Mesh `routing.zoneEgress` on (and mTLS), remote
   * endpoints point at them instead of other zones' ingresses, and ExternalServices are reached
   * through them.
   */
  zoneEgresses: readonly Resource[];
  /**
   * kuma.io/service -> why instances of it in other zones got no endpoint, for `kuma inspect`:
   * "cross-zone endpoints of <svc> are dropped: mesh <m> has no mTLS; cross-zone traffic is routed
   * by SNI and needs mTLS", or "... in zone <z> are dropped: ZoneIngress <name> has no
   * advertisedAddress/advertisedPort yet" (several reasons joined with "; "). Services whose remote
   * instances all became endpoints are absent.
   */
  crossZoneNotes: ReadonlyMap<string, string>;
  /**
   * Kuma DNS (spec kuma-kds-xds.md §3.8; internal/dns/vips.ts): host -> the VIP, port and
   * destination of its outbound, from the mesh's VipAllocation (MeshContextInput.vips). Proxies that
   * opt in (vipOutboundsEnabled) get an `outbound:<ip>:<port>` listener per distinct VIP and port.
   * Absent when the mesh has no allocation (yet).
   */
  vips?: ReadonlyMap<string, MeshVip>;
  /**
   * MeshService mode (mesh-services.ts): destination key -> the (MeshService |
   * MeshMultiZoneService, port) it stands for; its endpoints and protocol are under the same key
   * in `endpoints` / `protocols`. Absent when the mesh has none.
   */
  meshServices?: ReadonlyMap<string, MeshServiceDestination>;
  /** Hash of every input above; equal hashes mean equal generated config for an unchanged proxy. */
  hash: string;
  /** Hash of what every proxy of the mesh depends on (everything but Dataplanes and ZoneIngresses; mesh-context.ts meshContextBaseHash). */
  baseHash: string;
  /** kuma.io/service -> hash of its endpoints, protocol and cross-zone note: what other Dataplanes and ZoneIngresses mean to a proxy reaching it. */
  serviceHashes: ReadonlyMap<string, string>;
}

export interface ProxyContext {
  /** The Dataplane resource as stored. */
  dataplane: Resource;
  /** Envoy admin port (networking.admin.port, else the CP default 9901). */
  adminPort: number;
  /** Identity for mTLS (SDS), present when the mesh has mTLS enabled. */
  identity?: { certPem: string; keyPem: string; expiresAt: string };
  /**
   * kuma-dp's DNS port from the bootstrap node metadata `dataplane.dns.port` (kuma dp run
   * --dns-enabled); > 0 means the proxy resolves `<service>.mesh` names, so it gets VIP outbounds.
   */
  dnsPort?: number;
}

/** What a proxy is sent: plain ts-proto objects, keyed by type. */
export interface XdsResources {
  listeners: Listener[];
  clusters: Cluster[];
  endpoints: ClusterLoadAssignment[];
  routes: RouteConfiguration[];
  secrets: Secret[];
}
