/**
 * MeshTrace backends as Envoy sees them (Kuma 2.14 meshtrace plugin + plugin/xds/configurer.go):
 * where the collector is, the cluster Envoy sends spans through (`meshtrace:<provider>`, one per
 * proxy: a MeshTrace conf has at most one backend) and the tracer provider of the HCM.
 *
 * - Zipkin: `url` gives host, port, path (collector_endpoint) and Host header; https adds TLS.
 * - Datadog: `http://host:port` of the agent; the span service is the proxy's service, split by
 *   direction and destination with `splitService`.
 * - OpenTelemetry: `host[:port]` (default 4317) is OTLP/gRPC over an HTTP/2 cluster; an http(s)
 *   URL is OTLP/HTTP posted to that URI.
 */
import { Cluster, Cluster_DiscoveryType, Cluster_DnsLookupFamily } from '../../../../proto/gen/envoy/config/cluster/v3/cluster';
import { DatadogConfig } from '../../../../proto/gen/envoy/config/trace/v3/datadog';
import type { Tracing_Http } from '../../../../proto/gen/envoy/config/trace/v3/http_tracer';
import { OpenTelemetryConfig } from '../../../../proto/gen/envoy/config/trace/v3/opentelemetry';
import { ZipkinConfig, ZipkinConfig_CollectorEndpointVersion } from '../../../../proto/gen/envoy/config/trace/v3/zipkin';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { parseRequestUri, portOrDefault } from '../../../resources/request-uri';
import { isIP } from '../../../resources/validation';
import { pack } from '../../../proto/any';
import { httpProtocolOptions, socketAddress } from './common';
import { externalTlsSocket } from './external-tls';
import { statName } from './names';
import { SECOND_MS, type Obj, boolAt, duration, listAt, objAt, strAt } from './values';

const OTLP_GRPC_PORT = 4317;
const CONNECT_TIMEOUT_MS = 5 * SECOND_MS;
/** Kuma's timeout of an OTLP/HTTP export. */
const OTLP_HTTP_TIMEOUT_MS = 10 * SECOND_MS;

interface Collector {
  host: string;
  port: number;
  tls: boolean;
  /** OTLP/gRPC needs an HTTP/2 upstream. */
  http2: boolean;
}

export type TraceBackend =
  | { type: 'Zipkin'; cluster: string; collector: Collector; path: string; hostHeader: string; proto: boolean; traceId128bit: boolean; sharedSpanContext: boolean }
  | { type: 'Datadog'; cluster: string; collector: Collector; splitService: boolean }
  | { type: 'OpenTelemetry'; cluster: string; collector: Collector; httpUri?: string };

export function traceClusterName(provider: 'zipkin' | 'datadog' | 'opentelemetry'): string {
  return `meshtrace:${provider}`;
}

/** The backend of a merged MeshTrace conf; undefined when it has none (tracing off). */
export function traceBackend(conf: Obj | undefined): TraceBackend | undefined {
  const b = listAt(conf, 'backends')[0];
  switch (strAt(b, 'type')) {
    case 'Zipkin': {
      const z = objAt(b, 'zipkin');
      const raw = strAt(z, 'url') ?? '';
      const u = parseRequestUri(raw.includes('://') ? raw : `http://${raw}`);
      if (!u) return undefined;
      return {
        type: 'Zipkin',
        cluster: traceClusterName('zipkin'),
        collector: { host: u.hostname, port: portOrDefault(u), tls: u.scheme === 'https', http2: false },
        path: u.path,
        hostHeader: u.host,
        proto: strAt(z, 'apiVersion') === 'httpProto',
        traceId128bit: boolAt(z, 'traceId128bit') ?? false,
        sharedSpanContext: boolAt(z, 'sharedSpanContext') ?? true,
      };
    }
    case 'Datadog': {
      const d = objAt(b, 'datadog');
      const u = parseRequestUri(strAt(d, 'url') ?? '');
      if (!u) return undefined;
      return {
        type: 'Datadog',
        cluster: traceClusterName('datadog'),
        collector: { host: u.hostname, port: portOrDefault(u), tls: false, http2: false },
        splitService: boolAt(d, 'splitService') ?? false,
      };
    }
    case 'OpenTelemetry': {
      const endpoint = strAt(objAt(b, 'openTelemetry'), 'endpoint') ?? '';
      const u = parseRequestUri(endpoint);
      const cluster = traceClusterName('opentelemetry');
      if (u && u.host !== '') {
        return { type: 'OpenTelemetry', cluster, collector: { host: u.hostname, port: portOrDefault(u), tls: u.scheme === 'https', http2: false }, httpUri: endpoint };
      }
      const [host, port] = endpoint.split(':');
      if (!host) return undefined;
      return { type: 'OpenTelemetry', cluster, collector: { host, port: port ? Number(port) : OTLP_GRPC_PORT, tls: false, http2: true } };
    }
    default:
      return undefined;
  }
}

/** The cluster spans are sent through: STRICT_DNS for a name, STATIC for an IP (ProvidedEndpointCluster). */
export function collectorCluster(b: TraceBackend): Cluster {
  const { host, port, tls, http2 } = b.collector;
  const dns = !isIP(host);
  return Cluster.fromPartial({
    name: b.cluster,
    altStatName: statName(b.cluster),
    clusterDiscoveryType: { $case: 'type', value: dns ? Cluster_DiscoveryType.STRICT_DNS : Cluster_DiscoveryType.STATIC },
    ...(dns ? { dnsLookupFamily: Cluster_DnsLookupFamily.V4_ONLY } : {}),
    connectTimeout: duration(CONNECT_TIMEOUT_MS),
    loadAssignment: {
      clusterName: b.cluster,
      endpoints: [{ lbEndpoints: [{ hostIdentifier: { $case: 'endpoint', value: { address: socketAddress(host, port) } } }] }],
    },
    ...(http2 ? { typedExtensionProtocolOptions: httpProtocolOptions(true) } : {}),
    ...(tls ? { transportSocket: externalTlsSocket({ ...(dns ? { sni: host } : {}), allowRenegotiation: true }) } : {}),
  });
}

/** Where a span is recorded: the Datadog service name of a split service depends on it. */
export interface SpanSite {
  /** The proxy's service (kuma.io/service of its first inbound). */
  service: string;
  direction: 'INBOUND' | 'OUTBOUND';
  /** The outbound's destination service. */
  destination?: string;
}

function datadogService(b: TraceBackend & { type: 'Datadog' }, site: SpanSite): string {
  if (!b.splitService) return site.service;
  return site.direction === 'INBOUND' ? `${site.service}_INBOUND` : `${site.service}_OUTBOUND_${site.destination ?? ''}`;
}

/** The HCM tracer provider of a backend. */
export function traceProvider(b: TraceBackend, site: SpanSite): DeepPartial<Tracing_Http> {
  switch (b.type) {
    case 'Zipkin':
      return {
        name: 'envoy.tracers.zipkin',
        configType: {
          $case: 'typedConfig',
          value: pack(ZipkinConfig, {
            collectorCluster: b.cluster,
            collectorEndpoint: b.path,
            traceId128bit: b.traceId128bit,
            sharedSpanContext: b.sharedSpanContext,
            collectorEndpointVersion: b.proto ? ZipkinConfig_CollectorEndpointVersion.HTTP_PROTO : ZipkinConfig_CollectorEndpointVersion.HTTP_JSON,
            collectorHostname: b.hostHeader,
          }),
        },
      };
    case 'Datadog':
      return {
        name: 'envoy.tracers.datadog',
        configType: { $case: 'typedConfig', value: pack(DatadogConfig, { collectorCluster: b.cluster, serviceName: datadogService(b, site) }) },
      };
    case 'OpenTelemetry':
      return {
        name: 'envoy.tracers.opentelemetry',
        configType: {
          $case: 'typedConfig',
          value: pack(OpenTelemetryConfig, {
            serviceName: site.service,
            ...(b.httpUri
              ? { httpService: { httpUri: { uri: b.httpUri, httpUpstreamType: { $case: 'cluster', value: b.cluster }, timeout: duration(OTLP_HTTP_TIMEOUT_MS) } } }
              : { grpcService: { targetSpecifier: { $case: 'envoyGrpc', value: { clusterName: b.cluster } } } }),
          }),
        },
      };
  }
}
