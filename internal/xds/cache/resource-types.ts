/**
 * The xDS resource types the cache serves, as data: their type URLs and the ADS send order.
 *
 * The order is go-control-plane's `ResponseType` enum (pkg/cache/types/types.go: Cluster, Endpoint,
 * LbEndpoint, Listener, Route, ScopedRoute, VirtualHost, Secret, ...), restricted to the types we
 * generate: CDS, EDS, LDS, RDS, SDS. It follows the xDS protocol's eventual-consistency rules
 * (https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#eventual-consistency-considerations):
 * CDS first, EDS after the clusters that use it, LDS after CDS/EDS, RDS after the listeners that
 * name it.
 *
 * Secrets come last, as in go-control-plane. The protocol gives them no place, and none is needed:
 * Envoy asks for an SDS secret only once a cluster or listener that names it has arrived, and
 * that cluster or listener stays warming (not used) until the secret is delivered. So sending
 * secrets after CDS/LDS never makes Envoy use a missing secret, and sending them first would not
 * help because the request for them does not exist yet.
 *
 * This file imports nothing so the server and tests can use the constants cheaply.
 */

export const CLUSTER_TYPE_URL = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
export const ENDPOINT_TYPE_URL = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';
export const LISTENER_TYPE_URL = 'type.googleapis.com/envoy.config.listener.v3.Listener';
export const ROUTE_TYPE_URL = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
export const SECRET_TYPE_URL = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';

/** The ADS send order: responses that become due together are sent in this order. */
export const ADS_ORDER = [
  CLUSTER_TYPE_URL,
  ENDPOINT_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_TYPE_URL,
  SECRET_TYPE_URL,
] as const;

export type KnownTypeUrl = (typeof ADS_ORDER)[number];

const SHORT_NAMES: Record<KnownTypeUrl, string> = {
  [CLUSTER_TYPE_URL]: 'CDS',
  [ENDPOINT_TYPE_URL]: 'EDS',
  [LISTENER_TYPE_URL]: 'LDS',
  [ROUTE_TYPE_URL]: 'RDS',
  [SECRET_TYPE_URL]: 'SDS',
};

const ORDER_INDEX = new Map<string, number>(ADS_ORDER.map((url, i) => [url, i]));

export function isKnownTypeUrl(typeUrl: string): typeUrl is KnownTypeUrl {
  return ORDER_INDEX.has(typeUrl);
}

/** Position in the ADS send order; types we do not know sort after every known one. */
export function adsOrderOf(typeUrl: string): number {
  return ORDER_INDEX.get(typeUrl) ?? ADS_ORDER.length;
}

/** "CDS", "EDS", ... for logs; the type URL itself for unknown types. */
export function shortTypeName(typeUrl: string): string {
  return isKnownTypeUrl(typeUrl) ? SHORT_NAMES[typeUrl] : typeUrl;
}

/**
 * The resource name that subscribes to every resource of a type.
 * https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#how-the-client-specifies-what-resources-to-return
 */
export const WILDCARD = '*';
