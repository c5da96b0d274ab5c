/**
 * MeshMetric on a sidecar (Kuma pkg/plugins/policies/meshmetric): one scrape listener per
 * Prometheus backend, `_kuma:metrics:prometheus[:<clientId>]` on the Dataplane address, whose
 * route sends `<path>` to kuma-dp's metrics hijacker (`_kuma:metrics:hijacker`, a unix socket),
 * which merges Envoy's stats with the applications' metrics and trims them by the sidecar profiles.
 * Each OpenTelemetry backend adds the pipe listener and collector cluster kuma-dp pushes through
 * (mesh-metric-otel.ts).
 * kuma-dp learns that conf from the `_kuma:dynamicconfig` listener, a unix socket where Envoy
 * answers it as a direct response: the policy reaches kuma-dp through the xDS stream it already has.
 */
import { Cluster, Cluster_DiscoveryType } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import type { Address } from '../../../../proto/gen/envoy/config/core/v3/address';
import { TrafficDirection } from '../../../../proto/gen/envoy/config/core/v3/base';
import { Listener } from '../../../../proto/gen/envoy/config/listener/v3/listener';
import type { Route } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import { HttpConnectionManager } from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { METRICS_CONFIG_PATH, type MeshMetricDpConfig, type MetricSelector, metricsConfigSocketPath, metricsHijackerSocketPath } from '../../../core/metrics-sockets';
import { PROMETHEUS_DEFAULT_PATH, PROMETHEUS_DEFAULT_PORT } from '../../../resources/types/mesh-metric';
import { dataplaneView } from '../../context/dataplane-view';
import type { MeshContext, ProxyContext } from '../../context/types';
import { proxyPolicies } from '../../policies/proxy-policies';
import { networkFilter, routerFilter, socketAddress } from '../envoy/common';
import { statName } from '../envoy/names';
import { SECOND_MS, duration } from '../envoy/values';
import { ORIGIN, type TaggedResource, cluster, listener } from '../types';
import { dataplaneMetricLabels } from './mesh-metric-labels';
import { type OtelMetricTarget, otelMetricDpBackend, otelMetricResources, otelMetricTargets } from './mesh-metric-otel';

type Obj = Record<string, unknown>;

export const MESH_METRIC = 'MeshMetric';
export const PROMETHEUS_LISTENER = '_kuma:metrics:prometheus';
export const HIJACKER_CLUSTER = '_kuma:metrics:hijacker';
export const DYNAMIC_CONFIG_LISTENER = '_kuma:dynamicconfig';
const LOOPBACK = '127.0.0.1';
const CONNECT_TIMEOUT_MS = 5 * SECOND_MS;

const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter((x): x is Obj => typeof x === 'object' && x !== null) : []);
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

/** The part of the conf kuma-dp needs, defaults filled in (pure; also what the golden shows). */
export function dpConfigOf(conf: Obj, otel: readonly OtelMetricTarget[] = [], extraLabels: Record<string, string> = {}): MeshMetricDpConfig {
  const sidecar = obj(conf.sidecar);
  const profiles = obj(sidecar.profiles);
  const selectors = (v: unknown): MetricSelector[] => objs(v).map((s) => ({ type: s.type as MetricSelector['type'], match: String(s.match) }));
  return {
    sidecar: {
      includeUnused: sidecar.includeUnused === true,
      profiles: {
        appendProfiles: objs(profiles.appendProfiles).map((p) => String(p.name)),
        include: selectors(profiles.include),
        exclude: selectors(profiles.exclude),
      },
    },
    applications: objs(conf.applications).map((a) => ({
      ...(typeof a.name === 'string' ? { name: a.name } : {}),
      address: typeof a.address === 'string' && a.address !== '' ? a.address : LOOPBACK,
      port: Number(a.port),
      path: typeof a.path === 'string' ? a.path : PROMETHEUS_DEFAULT_PATH,
    })),
    backends: otel.map(otelMetricDpBackend),
    extraLabels,
  };
}

function pipe(path: string): DeepPartial<Address> {
  return { address: { $case: 'pipe', value: { path, mode: 0o600 } } };
}

function httpListener(name: string, address: DeepPartial<Address>, routes: DeepPartial<Route>[]): Listener {
  return Listener.fromPartial({
    name,
    address,
    trafficDirection: TrafficDirection.INBOUND,
    filterChains: [
      {
        filters: [
          networkFilter('envoy.filters.network.http_connection_manager', HttpConnectionManager, {
            statPrefix: statName(name),
            routeSpecifier: { $case: 'routeConfig', value: { name, validateClusters: false, virtualHosts: [{ name, domains: ['*'], routes }] } },
            httpFilters: [routerFilter()],
          }),
        ],
      },
    ],
  });
}

export function meshMetric(proxy: ProxyContext, ctx: MeshContext): TaggedResource[] {
  const conf = proxyPolicies(proxy.dataplane, ctx).single(MESH_METRIC);
  if (!conf) return [];
  const dp = proxy.dataplane;
  const out: TaggedResource[] = [];
  const otel = otelMetricTargets(conf, dp);
  const body = JSON.stringify(dpConfigOf(conf, otel, otel.length > 0 ? dataplaneMetricLabels(dp) : {}));
  out.push(
    listener(
      DYNAMIC_CONFIG_LISTENER,
      ORIGIN.meshMetric,
      httpListener(DYNAMIC_CONFIG_LISTENER, pipe(metricsConfigSocketPath(dp.name, dp.mesh)), [
        {
          match: { pathSpecifier: { $case: 'path', value: METRICS_CONFIG_PATH } },
          action: { $case: 'directResponse', value: { status: 200, body: { specifier: { $case: 'inlineString', value: body } } } },
          responseHeadersToAdd: [{ header: { key: 'content-type', value: 'application/json' } }],
        },
      ]),
    ),
  );
  for (const t of otel) out.push(...otelMetricResources(t));
  const backends = objs(conf.backends).filter((b) => b.type === 'Prometheus');
  if (backends.length === 0) return out;
  const hijacker = Cluster.fromPartial({
    name: HIJACKER_CLUSTER,
    altStatName: statName(HIJACKER_CLUSTER),
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.STATIC },
    connectTimeout: duration(CONNECT_TIMEOUT_MS),
    loadAssignment: {
      clusterName: HIJACKER_CLUSTER,
      endpoints: [{ lbEndpoints: [{ hostIdentifier: { $case: 'endpoint', value: { address: pipe(metricsHijackerSocketPath(dp.name, dp.mesh)) } } }] }],
    },
  });
  out.push(cluster(HIJACKER_CLUSTER, ORIGIN.meshMetric, hijacker));
  const address = dataplaneView(dp).address || LOOPBACK;
  for (const b of backends) {
    const p = obj(b.prometheus);
    const name = typeof p.clientId === 'string' && p.clientId !== '' ? `${PROMETHEUS_LISTENER}:${p.clientId}` : PROMETHEUS_LISTENER;
    const port = typeof p.port === 'number' ? p.port : PROMETHEUS_DEFAULT_PORT;
    const path = typeof p.path === 'string' ? p.path : PROMETHEUS_DEFAULT_PATH;
    out.push(
      listener(
        name,
        ORIGIN.meshMetric,
        httpListener(name, socketAddress(address, port), [
          {
            match: { pathSpecifier: { $case: 'path', value: path } },
            action: { $case: 'route', value: { clusterSpecifier: { $case: 'cluster', value: HIJACKER_CLUSTER } } },
          },
        ]),
      ),
    );
  }
  return out;
}
