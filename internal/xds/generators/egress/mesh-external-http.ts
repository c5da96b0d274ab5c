/**
 * The HTTP side of a MeshExternalService chain on the zone egress (match.protocol http, http2 or
 * grpc): once the mesh mTLS is terminated the egress speaks HTTP, as Kuma's egress does for
 * HTTP-family external services, so requests (not connections) are what its cluster balances and
 * counts, and the upstream protocol is chosen by the cluster (HTTP/2 for http2/grpc).
 *
 * Per Kuma's MADR 056 (MeshExternalService and ZoneEgress) MeshTimeout, MeshRetry and
 * MeshHTTPRoute towards a MeshExternalService act on the client's sidecar, not here. So the egress
 * route has no timeout of its own (Envoy's 15 s default would cut a request the sidecar's
 * MeshTimeout allows) and never retries (retries on both hops would multiply).
 */
import { HttpConnectionManager, HttpConnectionManager_CodecType } from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import type { RouteAction_HashPolicy } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import type { Filter } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { MeshServiceDestination } from '../../context/mesh-services';
import { isHttp2 } from '../../context/protocol';
import { networkFilter, routerFilter } from '../envoy/common';
import { KUMA_TAGS_HEADER } from '../envoy/kuma-tags-header';
import { statName } from '../envoy/names';
import { duration } from '../envoy/values';

/** `hashPolicies`: a MeshLoadBalancingStrategy's (egress/mesh-external-policies.ts), for the egress's own balancing. */
export function meshExternalHttpFilter(dest: MeshServiceDestination, hashPolicies?: DeepPartial<RouteAction_HashPolicy>[]): DeepPartial<Filter> {
  return networkFilter('envoy.filters.network.http_connection_manager', HttpConnectionManager, {
    statPrefix: statName(dest.key),
    // The sidecar dials this chain over HTTP/2 for http2/grpc and HTTP/1.1 for http (its cluster),
    // inside mesh mTLS whose ALPN is "kuma": AUTO would read that ALPN as HTTP/1 and fail HTTP/2.
    codecType: isHttp2(dest.protocol) ? HttpConnectionManager_CodecType.HTTP2 : HttpConnectionManager_CodecType.HTTP1,
    routeSpecifier: {
      $case: 'routeConfig',
      value: {
        name: dest.key,
        validateClusters: false,
        virtualHosts: [
          {
            name: dest.key,
            domains: ['*'],
            routes: [{ match: { pathSpecifier: { $case: 'prefix', value: '/' } }, action: { $case: 'route', value: { clusterSpecifier: { $case: 'cluster', value: dest.key }, timeout: duration(0), ...(hashPolicies?.length ? { hashPolicy: hashPolicies } : {}) } } }],
          },
        ],
        // The client sidecar's tags are for mesh destinations; they do not leave the mesh.
        requestHeadersToRemove: [KUMA_TAGS_HEADER],
      },
    },
    httpFilters: [routerFilter()],
  });
}
