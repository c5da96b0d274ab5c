/**
 * Envoy's admin API as seen from the mesh (spec kuma-kds-xds.md §3.2; Kuma
 * pkg/xds/generator/admin_proxy_generator.go).
 *
 * - Cluster `kuma:envoy:admin` -> 127.0.0.1:<adminPort>: always (Envoy's own admin bind address
 *   defaults to 127.0.0.1, `kuma dp run` bootstraps it there).
 * - Listener `kuma:envoy:admin` on <networking.address>:<adminPort> exposing only `GET /ready`
 *   (read-only readiness for probes from outside the host). Kuma also serves `/stats/prometheus`
 *   and a TLS-only full admin there; we expose readiness only.
 *   It is generated only when it cannot clash with Envoy's own admin socket: never when the
 *   Dataplane address is a loopback or wildcard address, because Envoy already binds
 *   127.0.0.1:<adminPort> (a second bind of the same address:port makes Envoy reject the whole
 *   listener update). An admin bound elsewhere than 127.0.0.1 by a custom bootstrap is not known
 *   here; such setups should use a loopback Dataplane address or a distinct admin port.
 */
import { Cluster, Cluster_DiscoveryType } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import { TrafficDirection } from '../../../../proto/gen/envoy/config/core/v3/base';
import { Listener } from '../../../../proto/gen/envoy/config/listener/v3/listener';
import type { Filter } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { HttpConnectionManager } from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import { dataplaneView } from '../../context/dataplane-view';
import type { MeshContext, ProxyContext } from '../../context/types';
import { networkFilter, routerFilter, socketAddress } from '../envoy/common';
import { ADMIN_NAME, statName } from '../envoy/names';
import { SECOND_MS, duration } from '../envoy/values';
import { ORIGIN, type TaggedResource, cluster, listener } from '../types';

const ADMIN_ADDRESS = '127.0.0.1';
const CONNECT_TIMEOUT_MS = 5 * SECOND_MS;

/** Addresses whose <address>:<adminPort> would collide with Envoy's admin socket on 127.0.0.1. */
export function clashesWithAdminBind(address: string): boolean {
  const a = address.toLowerCase();
  return a === '' || a === 'localhost' || a.startsWith('127.') || a === '::1' || a === '0.0.0.0' || a === '::' || a === '[::]';
}

/** The readiness-only HCM of the admin listener: the same for every proxy, so packed once. */
let readyOnlyHcm: DeepPartial<Filter> | undefined;
function readyOnly(): DeepPartial<Filter> {
  return (readyOnlyHcm ??= networkFilter('envoy.filters.network.http_connection_manager', HttpConnectionManager, {
    statPrefix: statName(ADMIN_NAME),
    routeSpecifier: {
      $case: 'routeConfig',
      value: {
        name: ADMIN_NAME,
        validateClusters: false,
        virtualHosts: [
          {
            name: ADMIN_NAME,
            domains: ['*'],
            routes: [
              {
                match: {
                  pathSpecifier: { $case: 'path', value: '/ready' },
                  headers: [{ name: ':method', headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'exact', value: 'GET' } } } }],
                },
                action: { $case: 'route', value: { clusterSpecifier: { $case: 'cluster', value: ADMIN_NAME } } },
              },
            ],
          },
        ],
      },
    },
    httpFilters: [routerFilter()],
  }));
}

/** The admin cluster depends on the admin port alone: one per port, shared by every proxy. */
const adminClusters = new Map<number, Cluster>();
function adminCluster(port: number): Cluster {
  let c = adminClusters.get(port);
  if (!c) {
    c = Cluster.fromPartial({
      name: ADMIN_NAME,
      altStatName: statName(ADMIN_NAME),
      clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.STATIC },
      connectTimeout: duration(CONNECT_TIMEOUT_MS),
      loadAssignment: {
        clusterName: ADMIN_NAME,
        endpoints: [{ lbEndpoints: [{ hostIdentifier: { $case: 'endpoint', value: { address: socketAddress(ADMIN_ADDRESS, port) } } }] }],
      },
    });
    // Admin ports are few (usually one); a bound keeps a fleet of odd ports from piling up.
    if (adminClusters.size >= 64) adminClusters.clear();
    adminClusters.set(port, c);
  }
  return c;
}

export function admin(proxy: ProxyContext, _ctx: MeshContext): TaggedResource[] {
  const port = proxy.adminPort;
  const out: TaggedResource[] = [cluster(ADMIN_NAME, ORIGIN.admin, adminCluster(port))];
  const address = dataplaneView(proxy.dataplane).address;
  if (clashesWithAdminBind(address)) return out;
  const l = Listener.fromPartial({
    name: ADMIN_NAME,
    address: socketAddress(address, port),
    trafficDirection: TrafficDirection.INBOUND,
    filterChains: [{ filters: [readyOnly()] }],
  });
  out.push(listener(ADMIN_NAME, ORIGIN.admin, l));
  return out;
}
