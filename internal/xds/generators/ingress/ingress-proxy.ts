/**
 * Envoy config of a zone ingress (kuma-kds-xds.md §2.3): one listener on the
 * ingress address that never terminates TLS. The tls_inspector reads the SNI
 * a remote sidecar sent (`<service>{mesh=<mesh>}`, or a MeshService's hashed
 * `a<hash>.<name>.<port>.<mesh>.ms`) and a filter chain per SNI hands the
 * still-encrypted connection to the cluster `<mesh>:<service>` (or the
 * MeshService destination key), whose endpoints are the local instances.
 * mTLS stays end to end.
 * A subset a route of the mesh sends to (subset-destinations.ts) gets its own
 * chain for `<service>{k=v,...,mesh=<mesh>}` whose tcp_proxy selects the local
 * endpoints carrying those tags (`envoy.lb` metadata match, lb_subset_config).
 * Pure: the ZoneIngress and the MeshContexts of its meshes in, resources out.
 */
import {
  Cluster,
  Cluster_DiscoveryType,
  Cluster_LbSubsetConfig_LbSubsetFallbackPolicy,
  Cluster_LbSubsetConfig_LbSubsetSelector_LbSubsetSelectorFallbackPolicy,
} from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import { TrafficDirection } from '../../../../proto/gen/envoy/config/core/v3/base';
import { ClusterLoadAssignment } from '../../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import type { LocalityLbEndpoints } from '../../../../proto/gen/envoy/config/endpoint/v3/endpoint_components';
import { Listener } from '../../../../proto/gen/envoy/config/listener/v3/listener';
import { TlsInspector } from '../../../../proto/gen/envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector';
import { TcpProxy } from '../../../../proto/gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { pack } from '../../../proto/any';
import { TAG, type Resource } from '../../../resources/model';
import type { MeshContext, XdsResources } from '../../context/types';
import { adsConfigSource, networkFilter, socketAddress, tcpProxyFilter } from '../envoy/common';
import { inboundListenerName, sniFromTags, statName } from '../envoy/names';
import { duration } from '../envoy/values';
import { type SubsetTags, subsetDestinations } from './subset-destinations';

const CONNECT_TIMEOUT_MS = 5_000;

interface AvailableService {
  mesh: string;
  tags: Record<string, string>;
  instances?: number;
}

export interface IngressInput {
  ingress: Resource;
  /** MeshContext of every mesh this CP knows, by mesh name. */
  meshes: ReadonlyMap<string, MeshContext>;
}

export function ingressClusterName(mesh: string, service: string): string {
  return `${mesh}:${service}`;
}

/** The services the ingress exposes: one per (mesh, kuma.io/service) of its availableServices, sorted. */
function exposed(ingress: Resource): { mesh: string; service: string }[] {
  const list = (ingress.spec.availableServices ?? []) as AvailableService[];
  const seen = new Map<string, { mesh: string; service: string }>();
  for (const s of list) {
    const service = s.tags?.[TAG.service];
    if (!service || !s.mesh) continue;
    seen.set(`${s.mesh}\u0000${service}`, { mesh: s.mesh, service });
  }
  return [...seen.values()].sort((a, b) => (a.mesh === b.mesh ? a.service.localeCompare(b.service) : a.mesh.localeCompare(b.mesh)));
}

/** One filter chain: TLS with this SNI goes, still encrypted, to the cluster. */
function passThrough(sni: string, cluster: string) {
  return {
    filterChainMatch: { serverNames: [sni], transportProtocol: 'tls' },
    filters: [tcpProxyFilter(cluster, cluster)],
  };
}

/**
 * MeshService mode (spec kuma-kds-xds.md §2.3): a chain per hashed SNI of this zone's MeshServices
 * and of the MeshMultiZoneServices gathering one of them, each to a cluster (named by the
 * destination key) of the local instances. Sorted by mesh, then key.
 */
function meshServiceChains(meshes: ReadonlyMap<string, MeshContext>): { mesh: string; sni: string; cluster: string }[] {
  const out: { mesh: string; sni: string; cluster: string }[] = [];
  for (const mesh of [...meshes.keys()].sort()) {
    const dests = meshes.get(mesh)!.meshServices;
    if (!dests) continue;
    for (const d of dests.values()) {
      const exposedHere = d.kind === 'MeshService' ? d.local : (d.members ?? []).some((k) => dests.get(k)?.local);
      if (exposedHere) out.push({ mesh, sni: d.sni, cluster: d.key });
    }
  }
  return out;
}

function localLoadAssignment(name: string, ctx: MeshContext | undefined, service: string, withTags = false): ClusterLoadAssignment {
  const lb: DeepPartial<LocalityLbEndpoints>['lbEndpoints'] = [];
  for (const ep of ctx?.endpoints.get(service) ?? []) {
    // Only this zone's instances: an ingress never forwards to another zone.
    if (ep.remote) continue;
    lb.push({
      hostIdentifier: { $case: 'endpoint', value: { address: socketAddress(ep.address, ep.port) } },
      loadBalancingWeight: 1,
      // Subset chains pick endpoints by these tags.
      ...(withTags ? { metadata: { filterMetadata: { 'envoy.lb': { ...ep.tags } } } } : {}),
    });
  }
  return ClusterLoadAssignment.fromPartial({ clusterName: name, endpoints: lb.length ? [{ locality: { zone: ctx?.zone ?? '' }, lbEndpoints: lb }] : [] });
}

function edsCluster(name: string, subsets: readonly SubsetTags[] = []): Cluster {
  return Cluster.fromPartial({
    name,
    altStatName: statName(name),
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.EDS },
    edsClusterConfig: { edsConfig: adsConfigSource() },
    connectTimeout: duration(CONNECT_TIMEOUT_MS),
    ...(subsets.length > 0 ? { lbSubsetConfig: subsetConfig(subsets) } : {}),
  });
}

/** lb_subset_config: one selector per distinct key set of the subsets; other traffic to any endpoint. */
function subsetConfig(subsets: readonly SubsetTags[]): DeepPartial<Cluster>['lbSubsetConfig'] {
  const keySets = [...new Set(subsets.map((t) => Object.keys(t).sort().join('\u0000')))].sort();
  return {
    fallbackPolicy: Cluster_LbSubsetConfig_LbSubsetFallbackPolicy.ANY_ENDPOINT,
    subsetSelectors: keySets.map((k) => ({ keys: k.split('\u0000'), fallbackPolicy: Cluster_LbSubsetConfig_LbSubsetSelector_LbSubsetSelectorFallbackPolicy.NO_FALLBACK })),
  };
}

function chain(mesh: string, service: string, subset?: SubsetTags) {
  const cluster = ingressClusterName(mesh, service);
  return {
    filterChainMatch: { serverNames: [sniFromTags({ [TAG.service]: service, ...subset }, mesh)], transportProtocol: 'tls' },
    filters: [
      networkFilter('envoy.filters.network.tcp_proxy', TcpProxy, {
        statPrefix: statName(cluster),
        clusterSpecifier: { $case: 'cluster', value: cluster },
        ...(subset ? { metadataMatch: { filterMetadata: { 'envoy.lb': { ...subset } } } } : {}),
      }),
    ],
  };
}

export function generateIngress(input: IngressInput): XdsResources {
  const { ingress } = input;
  const net = (ingress.spec.networking ?? {}) as { address?: string; port?: number };
  const address = net.address ?? '0.0.0.0';
  const port = net.port ?? 10001;
  const services = exposed(ingress);
  const out: XdsResources = { listeners: [], clusters: [], endpoints: [], routes: [], secrets: [] };
  for (const { mesh, service } of services) {
    const name = ingressClusterName(mesh, service);
    const subsets = subsetDestinations(input.meshes.get(mesh), service);
    out.clusters.push(edsCluster(name, subsets));
    out.endpoints.push(localLoadAssignment(name, input.meshes.get(mesh), service, subsets.length > 0));
  }
  const resourceChains = meshServiceChains(input.meshes);
  for (const c of resourceChains) {
    out.clusters.push(edsCluster(c.cluster));
    out.endpoints.push(localLoadAssignment(c.cluster, input.meshes.get(c.mesh), c.cluster));
  }
  // Envoy refuses a listener without filter chains: with nothing to expose, there is no listener yet.
  if (services.length || resourceChains.length) {
    const listenerName = inboundListenerName(address, port);
    out.listeners.push(
      Listener.fromPartial({
        name: listenerName,
        address: socketAddress(address, port),
        trafficDirection: TrafficDirection.INBOUND,
        listenerFilters: [{ name: 'envoy.filters.listener.tls_inspector', configType: { $case: 'typedConfig', value: pack(TlsInspector, {}) } }],
        filterChains: [
          ...services.flatMap(({ mesh, service }) => [
            chain(mesh, service),
            ...subsetDestinations(input.meshes.get(mesh), service).map((subset) => chain(mesh, service, subset)),
          ]),
          ...resourceChains.map((c) => passThrough(c.sni, c.cluster)),
        ],
      }),
    );
  }
  return out;
}
