/**
 * What every generator returns: Envoy resources (plain ts-proto objects) tagged with their kind,
 * name and origin (Kuma pkg/xds/generator/metadata/metadata.go), so that later steps can tell an
 * inbound listener from an outbound one without parsing names.
 */
import type { Cluster } from '../../../proto/gen/envoy/config/cluster/v3/cluster';
import type { ClusterLoadAssignment } from '../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import type { Listener } from '../../../proto/gen/envoy/config/listener/v3/listener';
import type { RouteConfiguration } from '../../../proto/gen/envoy/config/route/v3/route';
import type { Secret } from '../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/secret';
import type { MeshContext, ProxyContext } from '../context/types';
import type { SidecarMemo } from './memo';

export const ORIGIN = {
  inbound: 'inbound',
  outbound: 'outbound',
  admin: 'admin',
  secrets: 'secrets',
  /** MeshTrace collector clusters (Kuma's OriginMeshTrace). */
  meshTrace: 'mesh-trace',
  /** MeshAccessLog OpenTelemetry collector clusters (Kuma's OriginMeshAccessLog). */
  meshAccessLog: 'mesh-access-log',
  /** MeshMetric scrape listener, hijacker cluster and kuma-dp's dynamic config listener. */
  meshMetric: 'mesh-metric',
  /** The passthrough listener and its clusters (Kuma's OriginTransparent). */
  transparent: 'transparent',
  /** Resources a MeshProxyPatch adds (Kuma's OriginProxyTemplateModifications). */
  modifications: 'proxy-template-modifications',
} as const;

export type Origin = (typeof ORIGIN)[keyof typeof ORIGIN];

interface Tagged<K extends string, R> {
  kind: K;
  /** The resource's own name (listener / cluster name, CLA cluster_name, secret name). */
  name: string;
  origin: Origin;
  resource: R;
}

export type TaggedResource =
  | Tagged<'listener', Listener>
  | Tagged<'cluster', Cluster>
  | Tagged<'endpoints', ClusterLoadAssignment>
  | Tagged<'route', RouteConfiguration>
  | Tagged<'secret', Secret>;

export type ResourceKind = TaggedResource['kind'];

/**
 * A generator: pure, no I/O, no clock, no store. It may read (and fill) the per-MeshContext memo
 * tables of `memo` (memo.ts; the process-wide store when omitted); its output never depends on
 * what happens to be memoized.
 */
export type Generator = (proxy: ProxyContext, ctx: MeshContext, memo?: SidecarMemo) => TaggedResource[];

export function listener(name: string, origin: Origin, resource: Listener): TaggedResource {
  return { kind: 'listener', name, origin, resource };
}

export function cluster(name: string, origin: Origin, resource: Cluster): TaggedResource {
  return { kind: 'cluster', name, origin, resource };
}

export function endpoints(name: string, origin: Origin, resource: ClusterLoadAssignment): TaggedResource {
  return { kind: 'endpoints', name, origin, resource };
}

export function secret(name: string, origin: Origin, resource: Secret): TaggedResource {
  return { kind: 'secret', name, origin, resource };
}
