/**
 * Envoy config of a zone egress (kuma-kds-xds.md §4; Kuma pkg/xds/generator/egress): one listener
 * on the ZoneEgress `networking.address:port` with a tls_inspector, and per mesh that routes through
 * zone egress (Mesh `routing.zoneEgress: true` and mTLS) one filter chain per SNI:
 *
 * - a service other zones advertise (`<service>{mesh=<mesh>}`): TLS passthrough, tcp_proxy to the
 *   cluster `<mesh>:<service>` whose endpoints are the remote ingresses' advertised `address:port`,
 *   weight = instances (the same ones a sidecar would dial without egress, cross-zone.ts). The
 *   sidecar's mTLS goes end to end to the destination sidecar through egress and ingress.
 * - an ExternalService of the mesh reachable from this zone: the chain TERMINATES the mesh mTLS with
 *   the egress identity `spiffe://<mesh>/zone-egress` (SDS `identity_cert:secret:<mesh>`, peers
 *   validated against `mesh_ca:secret:<mesh>`), applies the mesh's traffic permissions for the
 *   ExternalService (network RBAC on the client SPIFFE IDs) and proxies to the cluster
 *   `<mesh>:<service>`, STRICT_DNS/STATIC to the real host with the ExternalService's TLS
 *   (envoy/external-tls.ts): tcp_proxy, or for kuma.io/protocol http/http2/grpc an
 *   http_connection_manager with the egress `from` policies (external-service-http.ts) and a
 *   cluster speaking HTTP/1.1 or HTTP/2. A mesh without an egress identity yet gets no such chains.
 * - a MeshExternalService of a mesh with mTLS (routing.zoneEgress not needed): the same
 *   termination, then tcp_proxy or, for http/http2/grpc, an http_connection_manager to its
 *   endpoints with spec.tls and the egress-side policies (mesh-external-services.ts).
 *
 * Pure: the ZoneEgress, the MeshContexts and the egress identities in, resources out.
 */
import { Cluster, Cluster_DiscoveryType } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import { TrafficDirection } from '../../../../proto/gen/envoy/config/core/v3/base';
import { ClusterLoadAssignment } from '../../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import type { LocalityLbEndpoints } from '../../../../proto/gen/envoy/config/endpoint/v3/endpoint_components';
import { Listener } from '../../../../proto/gen/envoy/config/listener/v3/listener';
import type { FilterChain } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import { TlsInspector } from '../../../../proto/gen/envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector';
import { Secret } from '../../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/secret';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { pack } from '../../../proto/any';
import { TAG, ZERO_TIME, type Resource } from '../../../resources/model';
import { remoteEndpoints } from '../../context/cross-zone';
import { type ExternalServiceView, externalServicesByService, reachableFromZone } from '../../context/external-services';
import type { Endpoint, MeshContext, XdsResources } from '../../context/types';
import { routesThroughZoneEgress, zoneEgressView } from '../../context/zone-egress';
import { selectInboundMatchingPolicies } from '../../policies/selectors';
import { proxyPolicies } from '../../policies/proxy-policies';
import { isHttp2, isHttpFamily, parseProtocol } from '../../context/protocol';
import { adsConfigSource, httpProtocolOptions, socketAddress, tcpProxyFilter } from '../envoy/common';
import { externalClusterParts } from '../envoy/external-tls';
import { identitySecretName, inboundListenerName, meshCaSecretName, sniFromTags, statName } from '../envoy/names';
import { type RbacConfig, networkRbacFilter, rbacOfMtpRules, rbacOfTrafficPermissions } from '../envoy/rbac';
import { downstreamTlsSocket } from '../envoy/tls';
import { duration } from '../envoy/values';
import { externalServiceHttpFilter } from './external-service-http';
import { meshExternalEgressPolicies } from './mesh-external-policies';
import { meshExternalChain, meshExternalCluster, meshExternalDestinations } from './mesh-external-services';

const CONNECT_TIMEOUT_MS = 5_000;

export interface EgressIdentity {
  certPem: string;
  keyPem: string;
}

export interface EgressInput {
  egress: Resource;
  /** MeshContext of every mesh this CP knows, by mesh name. */
  meshes: ReadonlyMap<string, MeshContext>;
  /**
   * The egress identity per mesh (IdentityProvider.getIdentity(mesh, <the ZoneEgress>), SAN
   * `spiffe://<mesh>/zone-egress`), needed to terminate the mesh mTLS of ExternalService traffic.
   * Meshes without one get only the pass-through chains.
   */
  identities?: ReadonlyMap<string, EgressIdentity>;
  /** The system CA bundle for MeshExternalService TLS without a caCert (default envoy/mes-tls.ts). */
  systemCaPath?: string;
}

export function egressClusterName(mesh: string, service: string): string {
  return `${mesh}:${service}`;
}

/**
 * Whether the egress serves a mesh at all: its CA is known and it routes through zone egress or has
 * MeshExternalServices (which always go through the egress, mTLS being their only requirement).
 */
export function egressServesMesh(ctx: MeshContext): boolean {
  return !!ctx.caCertsPem && (routesThroughZoneEgress(ctx.mesh) || meshExternalDestinations(ctx).length > 0);
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** EDS endpoints of a remote service: one locality per zone, hosts at one address merged (summed weight). */
function remoteLoadAssignment(name: string, eps: readonly Endpoint[]): ClusterLoadAssignment {
  const zones = new Map<string, Map<string, { address: string; port: number; weight: number }>>();
  for (const ep of eps) {
    const zone = ep.zone ?? '';
    let hosts = zones.get(zone);
    if (!hosts) zones.set(zone, (hosts = new Map()));
    const at = `${ep.address}\u0000${ep.port}`;
    const h = hosts.get(at);
    if (h) h.weight += ep.weight;
    else hosts.set(at, { address: ep.address, port: ep.port, weight: ep.weight });
  }
  const endpoints: DeepPartial<LocalityLbEndpoints>[] = [...zones.keys()].sort(byName).map((zone) => ({
    ...(zone ? { locality: { zone } } : {}),
    lbEndpoints: [...zones.get(zone)!.values()]
      .sort((a, b) => (a.address !== b.address ? byName(a.address, b.address) : a.port - b.port))
      .map((h) => ({ hostIdentifier: { $case: 'endpoint' as const, value: { address: socketAddress(h.address, h.port) } }, loadBalancingWeight: h.weight })),
  }));
  return ClusterLoadAssignment.fromPartial({ clusterName: name, endpoints });
}

/**
 * Traffic permissions for an ExternalService, as for an inbound carrying its tags (Kuma treats the
 * ExternalService as the destination): MeshTrafficPermission `from` rules of the policies selecting
 * it, else the legacy TrafficPermissions whose destinations match its tags (none = deny all).
 */
function externalServiceRbac(ctx: MeshContext, es: ExternalServiceView): RbacConfig {
  const pseudo: Resource = {
    type: 'Dataplane',
    mesh: ctx.meshName,
    name: `external-service:${es.name}`,
    labels: {},
    version: 1,
    creationTime: ZERO_TIME,
    modificationTime: ZERO_TIME,
    spec: { networking: { address: es.ip ? es.host : '0.0.0.0', inbound: [{ port: es.port, tags: es.tags }] } },
  };
  const pp = proxyPolicies(pseudo, ctx);
  const inbound = pp.dp.inbounds[0]!;
  const rules = pp.fromRules('MeshTrafficPermission', inbound);
  if (rules) return rbacOfMtpRules(ctx.meshName, rules);
  return rbacOfTrafficPermissions(ctx.meshName, selectInboundMatchingPolicies(pp.all('TrafficPermission'), es.tags));
}

function inlineSecret(pem: string): { specifier: { $case: 'inlineBytes'; value: Buffer } } {
  return { specifier: { $case: 'inlineBytes', value: Buffer.from(pem, 'utf8') } };
}

export function generateEgress(input: EgressInput): XdsResources {
  const { egress } = input;
  const view = zoneEgressView(egress);
  const address = view.address ?? '0.0.0.0';
  const port = view.port ?? 10002;
  const listenerName = inboundListenerName(address, port);
  const out: XdsResources = { listeners: [], clusters: [], endpoints: [], routes: [], secrets: [] };
  const chains: DeepPartial<FilterChain>[] = [];
  const tcpProxy = (cluster: string) => tcpProxyFilter(cluster, cluster);

  for (const mesh of [...input.meshes.keys()].sort(byName)) {
    const ctx = input.meshes.get(mesh)!;
    if (!egressServesMesh(ctx)) continue;
    const legacy = routesThroughZoneEgress(ctx.mesh);
    const external = legacy ? externalServicesByService(ctx) : new Map<string, readonly ExternalServiceView[]>();
    const identity = input.identities?.get(mesh);

    // Services of other zones: pass-through to their ingresses. A name that is also an ExternalService of the mesh is external.
    const remote = legacy ? remoteEndpoints(ctx.zoneIngresses, ctx.mesh, ctx.zone).endpoints : new Map<string, Endpoint[]>();
    for (const service of [...remote.keys()].sort(byName)) {
      if (external.has(service)) continue;
      const name = egressClusterName(mesh, service);
      out.clusters.push(
        Cluster.fromPartial({
          name,
          altStatName: statName(name),
          clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.EDS },
          edsClusterConfig: { edsConfig: adsConfigSource() },
          connectTimeout: duration(CONNECT_TIMEOUT_MS),
        }),
      );
      out.endpoints.push(remoteLoadAssignment(name, remote.get(service)!));
      chains.push({
        filterChainMatch: { serverNames: [sniFromTags({ [TAG.service]: service }, mesh)], transportProtocol: 'tls' },
        filters: [tcpProxy(name)],
      });
    }

    // ExternalServices: terminate the mesh mTLS with the egress identity, then dial the real host.
    if (!identity) continue;
    let anyExternal = false;
    for (const service of [...external.keys()].sort(byName)) {
      const services = external.get(service)!.filter((es) => reachableFromZone(es, ctx.zone));
      if (services.length === 0) continue;
      anyExternal = true;
      const name = egressClusterName(mesh, service);
      // Kuma reads the protocol of the service's first ExternalService.
      const protocol = parseProtocol(services[0]!.tags[TAG.protocol]);
      const http = isHttpFamily(protocol);
      out.clusters.push(
        Cluster.fromPartial({
          name,
          altStatName: statName(name),
          connectTimeout: duration(CONNECT_TIMEOUT_MS),
          ...externalClusterParts(name, services),
          ...(http ? { typedExtensionProtocolOptions: httpProtocolOptions(isHttp2(protocol)) } : {}),
        }),
      );
      const terminal = http ? externalServiceHttpFilter({ ctx, services, protocol, cluster: name, egressAddress: address }) : tcpProxy(name);
      chains.push({
        name: `${service}_${mesh}`,
        filterChainMatch: { serverNames: [sniFromTags({ [TAG.service]: service }, mesh)], transportProtocol: 'tls' },
        filters: [networkRbacFilter(externalServiceRbac(ctx, services[0]!), `${listenerName}:${name}`), terminal],
        transportSocket: downstreamTlsSocket(mesh),
      });
    }
    // MeshExternalServices: the same termination, then the endpoints and TLS of spec (mesh-external-services.ts).
    for (const dest of meshExternalDestinations(ctx)) {
      anyExternal = true;
      const policies = meshExternalEgressPolicies(ctx, dest);
      out.clusters.push(meshExternalCluster(dest, input.systemCaPath, policies));
      chains.push(meshExternalChain(ctx, dest, listenerName, tcpProxy, policies));
    }
    if (anyExternal) {
      out.secrets.push(
        Secret.fromPartial({
          name: identitySecretName(mesh),
          type: { $case: 'tlsCertificate', value: { certificateChain: inlineSecret(identity.certPem), privateKey: inlineSecret(identity.keyPem) } },
        }),
        Secret.fromPartial({ name: meshCaSecretName(mesh), type: { $case: 'validationContext', value: { trustedCa: inlineSecret(ctx.caCertsPem!) } } }),
      );
    }
  }

  // Envoy refuses a listener without filter chains: with nothing to route, there is no listener yet.
  if (chains.length > 0) {
    out.listeners.push(
      Listener.fromPartial({
        name: listenerName,
        address: socketAddress(address, port),
        trafficDirection: TrafficDirection.INBOUND,
        listenerFilters: [{ name: 'envoy.filters.listener.tls_inspector', configType: { $case: 'typedConfig', value: pack(TlsInspector, {}) } }],
        filterChains: chains,
      }),
    );
  }
  return out;
}
