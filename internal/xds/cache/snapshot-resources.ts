/**
 * Turns generated ts-proto messages into snapshot resources: each message is encoded, hashed and
 * packed once.
 *
 * The work is memoized by message identity. Per-service resources that a MeshContext builds once
 * and hands to every proxy of the mesh (a cluster, its ClusterLoadAssignment) are therefore
 * encoded once, however many proxies' snapshots hold them, and all those snapshots share the same
 * bytes. Contract: a message must not be mutated after it has been passed here. Build a new
 * object instead; the memo then encodes that one.
 */
import { createHash } from 'node:crypto';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { Cluster, Cluster_DiscoveryType } from '../../../proto/gen/envoy/config/cluster/v3/cluster';
import { ClusterLoadAssignment } from '../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import { Listener } from '../../../proto/gen/envoy/config/listener/v3/listener';
import type { FilterChain } from '../../../proto/gen/envoy/config/listener/v3/listener_components';
import { RouteConfiguration } from '../../../proto/gen/envoy/config/route/v3/route';
import { HttpConnectionManager, Rds } from '../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import { Secret } from '../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/secret';
import { KumaError } from '../../errors';
import { type Any, isType, toBuffer, typeUrlOf } from '../../proto/any';
import type { XdsResources } from '../context/types';
import { Snapshot, type SnapshotResource } from './snapshot';

/** How to encode, name and follow references of one resource type. */
export interface ResourceKind<T> {
  readonly typeUrl: string;
  readonly fns: { readonly $type: string; encode(message: T, writer?: BinaryWriter): { finish(): Uint8Array }; decode(bytes: Uint8Array): T };
  nameOf(message: T): string;
  referencesOf(message: T): string[];
}

const noReferences = (): string[] => [];

export const CLUSTER_KIND: ResourceKind<Cluster> = {
  typeUrl: typeUrlOf(Cluster),
  fns: Cluster,
  nameOf: (c) => c.name,
  // As go-control-plane's GetResourceReferences: an EDS cluster needs the CLA named by
  // eds_cluster_config.service_name, else by the cluster name.
  referencesOf: (c) =>
    c.clusterDiscoveryType?.$case === 'type' && c.clusterDiscoveryType.value === Cluster_DiscoveryType.EDS
      ? [c.edsClusterConfig?.serviceName || c.name]
      : [],
};

export const ENDPOINT_KIND: ResourceKind<ClusterLoadAssignment> = {
  typeUrl: typeUrlOf(ClusterLoadAssignment),
  fns: ClusterLoadAssignment,
  nameOf: (cla) => cla.clusterName,
  referencesOf: noReferences,
};

export const LISTENER_KIND: ResourceKind<Listener> = {
  typeUrl: typeUrlOf(Listener),
  fns: Listener,
  nameOf: (l) => l.name,
  referencesOf: listenerRouteNames,
};

export const ROUTE_KIND: ResourceKind<RouteConfiguration> = {
  typeUrl: typeUrlOf(RouteConfiguration),
  fns: RouteConfiguration,
  nameOf: (r) => r.name,
  referencesOf: noReferences,
};

export const SECRET_KIND: ResourceKind<Secret> = {
  typeUrl: typeUrlOf(Secret),
  fns: Secret,
  nameOf: (s) => s.name,
  referencesOf: noReferences,
};

const memo = new WeakMap<object, SnapshotResource>();

/**
 * One writer for every encode. A fresh writer starts empty and doubles its buffer until the
 * message fits, which made buffer growth a large part of a push; this one keeps its grown buffer.
 * `finish()` copies the bytes out and resets it (also after a failed encode).
 */
const writer = new BinaryWriter();

/** Encodes, hashes and packs a message once; later calls with the same object return the same resource. */
export function encodeResource<T extends object>(kind: ResourceKind<T>, message: T): SnapshotResource {
  const hit = memo.get(message);
  if (hit) return hit;
  const name = kind.nameOf(message);
  let bytes: Buffer;
  try {
    bytes = toBuffer(kind.fns.encode(message, writer).finish());
  } catch (e) {
    writer.finish();
    throw new KumaError('KUMA_INTERNAL', `cannot encode ${kind.fns.$type} "${name}": ${(e as Error).message}`);
  }
  const resource: SnapshotResource = {
    name,
    version: contentVersion(bytes),
    resource: { typeUrl: kind.typeUrl, value: bytes },
    references: kind.referencesOf(message),
  };
  memo.set(message, resource);
  return resource;
}

/**
 * A Snapshot of what the generators produced for one proxy, unversioned: `setSnapshot` assigns
 * the versions. Messages shared between proxies are encoded only the first time.
 */
export function snapshotFromResources(res: XdsResources): Snapshot {
  const clusters = res.clusters.map((m) => encodeResource(CLUSTER_KIND, m));
  return new Snapshot([
    [CLUSTER_KIND.typeUrl, clusters],
    [ENDPOINT_KIND.typeUrl, withClusterVersions(clusters, res.endpoints.map((m) => encodeResource(ENDPOINT_KIND, m)))],
    [LISTENER_KIND.typeUrl, res.listeners.map((m) => encodeResource(LISTENER_KIND, m))],
    [ROUTE_KIND.typeUrl, res.routes.map((m) => encodeResource(ROUTE_KIND, m))],
    [SECRET_KIND.typeUrl, res.secrets.map((m) => encodeResource(SECRET_KIND, m))],
  ]);
}

/**
 * The messages a snapshot holds, decoded from its bytes, in its order: what `inspect` shows of a
 * proxy's config. Decoding on demand (rare) instead of keeping each proxy's generated messages
 * next to their bytes keeps one copy of the fleet's config in memory, not two.
 */
export function resourcesOfSnapshot(snapshot: Snapshot): XdsResources {
  const decoded = <T>(kind: ResourceKind<T>): T[] => [...snapshot.resources(kind.typeUrl).values()].map((r) => kind.fns.decode(r.resource.value));
  return {
    listeners: decoded(LISTENER_KIND),
    clusters: decoded(CLUSTER_KIND),
    endpoints: decoded(ENDPOINT_KIND),
    routes: decoded(ROUTE_KIND),
    secrets: decoded(SECRET_KIND),
  };
}

/**
 * An updated EDS cluster warms until Envoy receives its ClusterLoadAssignment
 * again, but Delta xDS only sends resources whose version changed. So a CLA's
 * version includes the version of the cluster that references it: a cluster
 * change resends its endpoints even when they are the same.
 */
function withClusterVersions(clusters: readonly SnapshotResource[], endpoints: SnapshotResource[]): SnapshotResource[] {
  const clusterOf = new Map<string, string>();
  for (const c of clusters) for (const ref of c.references) clusterOf.set(ref, c.version);
  return endpoints.map((e) => {
    const cv = clusterOf.get(e.name);
    if (!cv) return e;
    // Memoized too, so proxies sharing a CLA and its cluster keep sharing one resource object.
    let byCluster = claWithCluster.get(e);
    if (!byCluster) claWithCluster.set(e, (byCluster = new Map()));
    let derived = byCluster.get(cv);
    if (!derived) {
      derived = { ...e, version: createHash('sha256').update(e.version).update(cv).digest().subarray(0, 16).toString('base64url') };
      byCluster.set(cv, derived);
    }
    return derived;
  });
}

const claWithCluster = new WeakMap<SnapshotResource, Map<string, SnapshotResource>>();

/** 128 bits of SHA-256 of the encoded bytes, base64url: short, and equal only for equal bytes. */
function contentVersion(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest().subarray(0, 16).toString('base64url');
}

/** RDS names a listener needs: HCMs with `rds` in its filter chains and in its API listener. */
function listenerRouteNames(listener: Listener): string[] {
  const names = new Set<string>();
  const chains: FilterChain[] = [...listener.filterChains];
  if (listener.defaultFilterChain) chains.push(listener.defaultFilterChain);
  for (const chain of chains) {
    for (const filter of chain.filters) {
      if (filter.configType?.$case === 'typedConfig') addRdsName(filter.configType.value, names);
    }
  }
  const api = listener.apiListener?.apiListener;
  if (api) addRdsName(api, names);
  return [...names];
}

/** HttpConnectionManager's `route_specifier` oneof: rds, route_config, scoped_routes. */
const HCM_RDS = 3;
const HCM_ROUTE_CONFIG = 4;
const HCM_SCOPED_ROUTES = 31;

/**
 * Reads only the HCM's route_specifier fields, skipping the rest (inline routes and HTTP filters are
 * most of its bytes): a full decode of every listener's HCM was a visible part of a push. Same
 * result as HttpConnectionManager.decode: the last route_specifier field on the wire wins.
 */
function addRdsName(config: Any, names: Set<string>): void {
  if (!isType(HttpConnectionManager, config)) return;
  const reader = new BinaryReader(config.value);
  let rds: string | undefined;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (wireType === WireType.LengthDelimited && field === HCM_RDS) {
      rds = Rds.decode(reader, reader.uint32()).routeConfigName;
      continue;
    }
    if (wireType === WireType.LengthDelimited && (field === HCM_ROUTE_CONFIG || field === HCM_SCOPED_ROUTES)) rds = undefined;
    reader.skip(wireType, field);
  }
  if (rds !== undefined) names.add(rds);
}
