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

/** One reachable instance of a service as a sidecar sees it. */
export interface Endpoint {
  address: string;
  port: number;
  /** The inbound's tags (kuma.io/service, kuma.io/zone, version, ...). */
  tags: Record<string, string>;
  /** Load-balancing weight (1 for a local instance; instances behind a remote zone ingress later). */
  weight: number;
  /** Zone of the instance; undefined = local. */
  zone?: string;
}

export interface MeshContext {
  meshName: string;
  /** The Mesh resource itself. */
  mesh: Resource;
  /** Every mesh-scoped resource of this mesh by type name, sorted by name. */
  resources: ReadonlyMap<string, readonly Resource[]>;
  /** kuma.io/service -> healthy endpoints, sorted by address:port. */
  endpoints: ReadonlyMap<string, readonly Endpoint[]>;
  /** kuma.io/service -> protocol (the common kuma.io/protocol of its inbounds, else "tcp"). */
  protocols: ReadonlyMap<string, string>;
  /** PEM bundle of the mesh CA(s) when mTLS is enabled. */
  caCertsPem?: string;
  /** Local zone name. */
  zone: string;
  /** Hash of every input above; equal hashes mean equal generated config for an unchanged proxy. */
  hash: string;
}

export interface ProxyContext {
  /** The Dataplane resource as stored. */
  dataplane: Resource;
  /** Envoy admin port (networking.admin.port, else the CP default 9901). */
  adminPort: number;
  /** Identity for mTLS (SDS), present when the mesh has mTLS enabled. */
  identity?: { certPem: string; keyPem: string; expiresAt: string };
}

/** What a proxy is sent: plain ts-proto objects, keyed by type. */
export interface XdsResources {
  listeners: Listener[];
  clusters: Cluster[];
  endpoints: ClusterLoadAssignment[];
  routes: RouteConfiguration[];
  secrets: Secret[];
}
