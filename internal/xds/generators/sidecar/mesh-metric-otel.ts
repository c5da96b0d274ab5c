/**
 * MeshMetric OpenTelemetry backends on a sidecar (Kuma meshmetric plugin, configureOpenTelemetry +
 * plugin/xds/open_telemetry_configurer.go). kuma-dp does not dial the collector itself: it exports
 * OTLP/gRPC to a unix socket where Envoy's `_kuma:metrics:opentelemetry:<backend>` listener takes
 * it and routes every request to the cluster of the same name, an HTTP/2 cluster to the
 * collector. Envoy therefore resolves the collector's name and its stats count the exports.
 *
 * One backend per distinct name (`host:port` with ":" as "-"): two backends with one endpoint
 * would be two listeners with one name, which validation refuses.
 */
import { Listener } from '../../../../proto/gen/envoy/config/listener/v3/listener';
import { FilterConfig as GrpcStatsConfig } from '../../../../proto/gen/envoy/extensions/filters/http/grpc_stats/v3/config';
import { HttpConnectionManager } from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import { type OtelMetricBackend, metricsOtelSocketPath } from '../../../core/metrics-sockets';
import type { Resource } from '../../../resources/model';
import { otelMetricBackendName } from '../../../resources/types/mesh-metric';
import { httpFilter, networkFilter, routerFilter } from '../envoy/common';
import { statName } from '../envoy/names';
import { type OtelEndpoint, otelCollectorCluster, parseOtelEndpoint } from '../envoy/otel-access-log';
import { SECOND_MS } from '../envoy/values';
import { ORIGIN, type TaggedResource, cluster, listener } from '../types';

type Obj = Record<string, unknown>;

export const OTEL_METRICS_PREFIX = '_kuma:metrics:opentelemetry';
/** Kuma's DefaultRefreshInterval (1m), spelled as Go marshals a k8s Duration. */
export const DEFAULT_REFRESH_INTERVAL = '1m0s';
/** Kuma's DefaultTimeout() of the collector cluster. */
const CONNECT_TIMEOUT_MS = 5 * SECOND_MS;

export interface OtelMetricTarget {
  name: string;
  collector: OtelEndpoint;
  socketPath: string;
  refreshInterval: string;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The OpenTelemetry backends of a merged MeshMetric conf, first one per name winning. */
export function otelMetricTargets(conf: Obj, dp: Resource): OtelMetricTarget[] {
  const out = new Map<string, OtelMetricTarget>();
  for (const b of Array.isArray(conf.backends) ? conf.backends : []) {
    if (!isObj(b) || b.type !== 'OpenTelemetry' || !isObj(b.openTelemetry)) continue;
    const endpoint = b.openTelemetry.endpoint;
    const collector = typeof endpoint === 'string' ? parseOtelEndpoint(endpoint) : undefined;
    if (!collector) continue;
    const name = otelMetricBackendName(endpoint as string);
    if (out.has(name)) continue;
    const interval = b.openTelemetry.refreshInterval;
    out.set(name, {
      name,
      collector,
      socketPath: metricsOtelSocketPath(dp.name, dp.mesh, name),
      refreshInterval: typeof interval === 'string' && interval !== '' ? interval : DEFAULT_REFRESH_INTERVAL,
    });
  }
  return [...out.values()];
}

/** What kuma-dp reads for one backend from the dynamic config: where to export, how often. */
export function otelMetricDpBackend(t: OtelMetricTarget): OtelMetricBackend {
  return { type: 'OpenTelemetry', name: t.name, openTelemetry: { endpoint: t.socketPath, refreshInterval: t.refreshInterval } };
}

/** The pipe listener kuma-dp exports to and the collector cluster it forwards to. */
export function otelMetricResources(t: OtelMetricTarget): TaggedResource[] {
  const name = `${OTEL_METRICS_PREFIX}:${t.name}`;
  const l = Listener.fromPartial({
    name,
    address: { address: { $case: 'pipe', value: { path: t.socketPath, mode: 0o600 } } },
    filterChains: [
      {
        filters: [
          networkFilter('envoy.filters.network.http_connection_manager', HttpConnectionManager, {
            statPrefix: statName(name),
            routeSpecifier: {
              $case: 'routeConfig',
              value: {
                name,
                validateClusters: false,
                virtualHosts: [
                  {
                    name,
                    domains: ['*'],
                    routes: [
                      {
                        match: { pathSpecifier: { $case: 'prefix', value: '/' } },
                        action: { $case: 'route', value: { clusterSpecifier: { $case: 'cluster', value: name } } },
                      },
                    ],
                  },
                ],
              },
            },
            // Kuma's GrpcStats(): per-method counts of the exports in the cluster's stats.
            httpFilters: [httpFilter('envoy.filters.http.grpc_stats', GrpcStatsConfig, { emitFilterState: true }), routerFilter()],
          }),
        ],
      },
    ],
  });
  return [listener(name, ORIGIN.meshMetric, l), cluster(name, ORIGIN.meshMetric, otelCollectorCluster(name, t.collector, CONNECT_TIMEOUT_MS))];
}
