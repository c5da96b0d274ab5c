/**
 * The HTTP side of a legacy ExternalService chain on the zone egress (kuma.io/protocol http, http2
 * or grpc), as Kuma 2.14's egress builds it (pkg/xds/generator/egress/external_services_generator.go
 * and the policy plugins' applyToEgress): once the mesh mTLS is terminated an
 * http_connection_manager (stat prefix and vhost = the service, route config
 * `outbound:<service>`) routes every request to the cluster `<mesh>:<service>` with no timeout and
 * the host rewritten to the external host. On it, in Kuma's order:
 *
 * - legacy FaultInjection: one fault filter per policy whose destinations select the service;
 * - legacy RateLimit: the local_ratelimit filter plus one route per policy, ahead of the catch-all,
 *   matching its sources on x-kuma-tags and carrying its bucket;
 * - MeshFaultInjection `from` rules (http and http2 only, as Kuma), one fault filter per entry,
 *   clients told apart on x-kuma-tags;
 * - MeshRateLimit and MeshAccessLog `from` of kind Mesh (the conf for every client): a
 *   local_ratelimit filter, and File access logs in Kuma's HTTP format, source `egress` and
 *   destination the service.
 *
 * Which targetRef policies select the ExternalService: policies/egress-from-rules.ts.
 *
 * The downstream codec is fixed by the protocol (HTTP/2 for http2/grpc, HTTP/1.1 for http): the
 * sidecar's cluster speaks that inside mesh mTLS whose ALPN is "kuma", which AUTO would read as
 * HTTP/1 (Kuma leaves AUTO). `x-kuma-tags` is removed before the request leaves the mesh, as on
 * MeshExternalService chains (mesh-external-http.ts).
 *
 * Pure.
 */
import type { AccessLog } from '../../../../proto/gen/envoy/config/accesslog/v3/accesslog';
import type { Filter } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import type { Route } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import {
  HttpConnectionManager,
  HttpConnectionManager_CodecType,
  type HttpFilter,
} from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { ExternalServiceView } from '../../context/external-services';
import { type Protocol, isHttp2 } from '../../context/protocol';
import type { MeshContext } from '../../context/types';
import { egressFromMesh, egressFromRules } from '../../policies/egress-from-rules';
import { selectInboundMatchingPolicies } from '../../policies/selectors';
import { networkFilter, routerFilter } from '../envoy/common';
import { KUMA_TAGS_HEADER } from '../envoy/kuma-tags-header';
import { type Obj, duration, listAt, objAt, strAt } from '../envoy/values';
import { type KumaValues, addBackends } from '../sidecar/listener-policies/mesh-access-log';
import { meshFaultFilters } from '../sidecar/listener-policies/mesh-fault-injection';
import { meshHttpRateLimitFilter } from '../sidecar/listener-policies/mesh-rate-limit';
import { legacyFaultFilter } from './legacy-fault-injection';
import { httpRateLimits, legacyRateLimitFilter, legacyRateLimitRoute } from './legacy-rate-limit';

/** Kuma's source service for what its egress logs. */
const EGRESS_SOURCE = 'egress';

export interface ExternalServiceHttpInput {
  ctx: MeshContext;
  /** The ExternalServices of the chain's kuma.io/service; the first one's tags select policies. */
  services: readonly ExternalServiceView[];
  protocol: Protocol;
  /** The cluster `<mesh>:<service>`. */
  cluster: string;
  /** The egress's own address, for %KUMA_SOURCE_ADDRESS_WITHOUT_PORT%. */
  egressAddress: string;
}

/** MeshAccessLog backends the egress can write: File only (no kuma-dp pipe reader or OTel collector cluster on it). */
function fileBackendsOnly(conf: Obj | undefined): Obj | undefined {
  const backends = listAt(conf, 'backends').filter((b) => strAt(b, 'type') === 'File' && objAt(b, 'file'));
  return backends.length > 0 ? { backends } : undefined;
}

function accessLogs(input: ExternalServiceHttpInput, tags: Readonly<Record<string, string>>, service: string): DeepPartial<AccessLog>[] {
  const conf = fileBackendsOnly(egressFromMesh(input.ctx, 'MeshAccessLog', tags));
  if (!conf) return [];
  const values: KumaValues = { mesh: input.ctx.meshName, sourceService: EGRESS_SOURCE, sourceIp: input.egressAddress, destinationService: service, direction: 'OUTBOUND' };
  const add = { httpFilters: [], networkFilters: [], accessLogs: [] as DeepPartial<AccessLog>[] };
  addBackends(conf, true, values, '', new Map(), add);
  return add.accessLogs;
}

export function externalServiceHttpFilter(input: ExternalServiceHttpInput): DeepPartial<Filter> {
  const { ctx, protocol, cluster } = input;
  const first = input.services[0]!;
  const service = first.service;
  const tags = first.tags;

  const faults = selectInboundMatchingPolicies(ctx.resources.get('FaultInjection') ?? [], tags);
  const rateLimits = httpRateLimits(selectInboundMatchingPolicies(ctx.resources.get('RateLimit') ?? [], tags));
  const httpFilters: DeepPartial<HttpFilter>[] = faults.map(legacyFaultFilter);
  if (rateLimits.length > 0) httpFilters.push(legacyRateLimitFilter());
  if (protocol === 'http' || protocol === 'http2') httpFilters.push(...meshFaultFilters(egressFromRules(ctx, 'MeshFaultInjection', tags) ?? []));
  const mrl = objAt(egressFromMesh(ctx, 'MeshRateLimit', tags), 'local');
  const mrlFilter = mrl ? meshHttpRateLimitFilter(mrl) : undefined;
  if (mrlFilter) httpFilters.push(mrlFilter);
  httpFilters.push(routerFilter());

  const action = { $case: 'route' as const, value: { clusterSpecifier: { $case: 'cluster' as const, value: cluster }, timeout: duration(0), hostRewriteSpecifier: { $case: 'autoHostRewrite' as const, value: true } } };
  const routes: DeepPartial<Route>[] = [
    ...rateLimits.map((rl) => {
      const { headers, typedPerFilterConfig } = legacyRateLimitRoute(rl);
      return { match: { pathSpecifier: { $case: 'prefix' as const, value: '/' }, headers }, action, typedPerFilterConfig };
    }),
    { match: { pathSpecifier: { $case: 'prefix', value: '/' } }, action },
  ];
  const logs = accessLogs(input, tags, service);

  return networkFilter('envoy.filters.network.http_connection_manager', HttpConnectionManager, {
    statPrefix: service,
    codecType: isHttp2(protocol) ? HttpConnectionManager_CodecType.HTTP2 : HttpConnectionManager_CodecType.HTTP1,
    routeSpecifier: {
      $case: 'routeConfig',
      value: {
        name: `outbound:${service}`,
        validateClusters: false,
        virtualHosts: [{ name: service, domains: ['*'], routes }],
        requestHeadersToRemove: [KUMA_TAGS_HEADER],
      },
    },
    httpFilters,
    ...(logs.length > 0 ? { accessLog: logs } : {}),
  });
}
