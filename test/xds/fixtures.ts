// Small, complete Envoy resources for the xDS cache and server tests.
import { Cluster, Cluster_DiscoveryType } from '../../proto/gen/envoy/config/cluster/v3/cluster';
import { ApiVersion } from '../../proto/gen/envoy/config/core/v3/config_source';
import { ClusterLoadAssignment } from '../../proto/gen/envoy/config/endpoint/v3/endpoint';
import { Listener } from '../../proto/gen/envoy/config/listener/v3/listener';
import { RouteConfiguration } from '../../proto/gen/envoy/config/route/v3/route';
import { Router } from '../../proto/gen/envoy/extensions/filters/http/router/v3/router';
import { HttpConnectionManager } from '../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import { TcpProxy } from '../../proto/gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy';
import { Secret } from '../../proto/gen/envoy/extensions/transport_sockets/tls/v3/secret';
import { pack } from '../../internal/proto/any';
import type { XdsResources } from '../../internal/xds/context/types';

const ADS = { configSourceSpecifier: { $case: 'ads' as const, value: {} }, resourceApiVersion: ApiVersion.V3 };

/** An EDS cluster fed over ADS; `serviceName` names its ClusterLoadAssignment when it differs. */
export function edsCluster(name: string, opts: { connectTimeoutSeconds?: number; serviceName?: string } = {}): Cluster {
  return Cluster.fromPartial({
    name,
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.EDS },
    edsClusterConfig: { edsConfig: ADS, serviceName: opts.serviceName ?? '' },
    connectTimeout: { seconds: String(opts.connectTimeoutSeconds ?? 5), nanos: 0 },
  });
}

export function staticCluster(name: string): Cluster {
  return Cluster.fromPartial({ name, clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.STATIC } });
}

export function loadAssignment(clusterName: string, ports: number[], address = '127.0.0.1'): ClusterLoadAssignment {
  return ClusterLoadAssignment.fromPartial({
    clusterName,
    endpoints: [
      {
        locality: { region: '', zone: 'z', subZone: '' },
        loadBalancingWeight: 1,
        lbEndpoints: ports.map((port) => ({
          hostIdentifier: {
            $case: 'endpoint' as const,
            value: { address: { address: { $case: 'socketAddress' as const, value: { address, portSpecifier: { $case: 'portValue' as const, value: port } } } } },
          },
          loadBalancingWeight: 1,
        })),
      },
    ],
  });
}

function hcm(routeConfigName: string) {
  return pack(HttpConnectionManager, {
    statPrefix: routeConfigName,
    routeSpecifier: { $case: 'rds', value: { configSource: ADS, routeConfigName } },
    httpFilters: [{ name: 'envoy.filters.http.router', configType: { $case: 'typedConfig', value: pack(Router, {}) } }],
  });
}

/** A proxyless-gRPC API listener (what grpc-js-xds asks for) whose HCM takes its routes from RDS. */
export function apiListener(name: string, routeConfigName: string): Listener {
  return Listener.fromPartial({ name, apiListener: { apiListener: hcm(routeConfigName) } });
}

/** An Envoy-style TCP listener with an HCM on RDS in its filter chain. */
export function httpListener(name: string, port: number, routeConfigName: string): Listener {
  return Listener.fromPartial({
    name,
    address: { address: { $case: 'socketAddress', value: { address: '0.0.0.0', portSpecifier: { $case: 'portValue', value: port } } } },
    filterChains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', configType: { $case: 'typedConfig', value: hcm(routeConfigName) } }] }],
  });
}

export function tcpListener(name: string, port: number, cluster: string): Listener {
  return Listener.fromPartial({
    name,
    address: { address: { $case: 'socketAddress', value: { address: '0.0.0.0', portSpecifier: { $case: 'portValue', value: port } } } },
    filterChains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.tcp_proxy',
            configType: { $case: 'typedConfig', value: pack(TcpProxy, { statPrefix: name, clusterSpecifier: { $case: 'cluster', value: cluster } }) },
          },
        ],
      },
    ],
  });
}

export function routeConfig(name: string, domain: string, cluster: string): RouteConfiguration {
  return RouteConfiguration.fromPartial({
    name,
    virtualHosts: [
      {
        name: domain,
        domains: [domain],
        routes: [{ match: { pathSpecifier: { $case: 'prefix', value: '' } }, action: { $case: 'route', value: { clusterSpecifier: { $case: 'cluster', value: cluster } } } }],
      },
    ],
  });
}

export function genericSecret(name: string, value: string): Secret {
  return Secret.fromPartial({ name, type: { $case: 'genericSecret', value: { secret: { specifier: { $case: 'inlineString', value } } } } });
}

export function xdsResources(partial: Partial<XdsResources>): XdsResources {
  return { listeners: [], clusters: [], endpoints: [], routes: [], secrets: [], ...partial };
}

/**
 * A consistent set with one resource of every type: listener `l-<tag>` -> route `r-<tag>` ->
 * cluster `c-<tag>` (EDS) -> ClusterLoadAssignment `c-<tag>`; secret `s-<tag>`. Every resource's
 * contents depend on `gen`, so bumping it changes all five types and keeps the names.
 */
export function oneOfEach(tag: string, gen = 1): XdsResources {
  return xdsResources({
    listeners: [httpListener(`l-${tag}`, 10000 + gen, `r-${tag}`)],
    routes: [routeConfig(`r-${tag}`, `${tag}-${gen}.test`, `c-${tag}`)],
    clusters: [edsCluster(`c-${tag}`, { connectTimeoutSeconds: gen })],
    endpoints: [loadAssignment(`c-${tag}`, [8000 + gen])],
    secrets: [genericSecret(`s-${tag}`, `secret-${tag}-${gen}`)],
  });
}

/** Merges resource sets (no dedupe). */
export function merge(...sets: XdsResources[]): XdsResources {
  return xdsResources({
    listeners: sets.flatMap((s) => s.listeners),
    clusters: sets.flatMap((s) => s.clusters),
    endpoints: sets.flatMap((s) => s.endpoints),
    routes: sets.flatMap((s) => s.routes),
    secrets: sets.flatMap((s) => s.secrets),
  });
}
