/**
 * MeshTrace on a sidecar's listeners (Kuma pkg/plugins/policies/meshtrace): the proxy's one conf
 * (a single-item policy: the `default`s of the MeshTraces selecting the proxy, merged) turns on
 * HCM tracing on every HTTP inbound and outbound; tcp_proxy listeners are not traced.
 *
 * Spans carry the proxy's service: Zipkin takes it from the node's cluster, which the bootstrap
 * sets to the kuma.io/service of the first inbound; Datadog and OpenTelemetry are told it here.
 * A sidecar and its application are one hop, so no separate upstream span is spawned (Kuma sets
 * spawn_upstream_span only on builtin gateways): the outbound HCM records the client span and the
 * inbound HCM the server span, as the listeners' traffic_direction says.
 *
 * Sampling fields are set only when given; Envoy's default for each is 100%.
 */
import type { HttpConnectionManager_Tracing } from '../../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import type { CustomTag } from '../../../../../proto/gen/envoy/type/tracing/v3/custom_tag';
import type { DeepPartial } from '../../../../../proto/gen/typeRegistry';
import { samplingPercent } from '../../../../resources/types/mesh-trace';
import type { ProxyPolicies } from '../../../policies/proxy-policies';
import { type SpanSite, type TraceBackend, traceBackend, traceProvider } from '../../envoy/trace-backend';
import { type Obj, field, listAt, objAt, strAt } from '../../envoy/values';
import type { ListenerPolicy } from '../listener-policies';

export const MESH_TRACE = 'MeshTrace';
const UNKNOWN_SERVICE = 'unknown';

/** The proxy's MeshTrace conf and its backend; undefined when no MeshTrace gives it a backend. */
export function proxyTrace(pp: ProxyPolicies): { conf: Obj; backend: TraceBackend } | undefined {
  const conf = pp.single(MESH_TRACE);
  const backend = traceBackend(conf);
  return conf && backend ? { conf, backend } : undefined;
}

function customTags(conf: Obj): DeepPartial<CustomTag>[] {
  const out: DeepPartial<CustomTag>[] = [];
  for (const t of listAt(conf, 'tags')) {
    const tag = strAt(t, 'name');
    if (!tag) continue;
    const header = objAt(t, 'header');
    if (header) {
      const def = strAt(header, 'default');
      out.push({ tag, type: { $case: 'requestHeader', value: { name: strAt(header, 'name') ?? '', ...(def ? { defaultValue: def } : {}) } } });
    } else {
      out.push({ tag, type: { $case: 'literal', value: { value: strAt(t, 'literal') ?? '' } } });
    }
  }
  return out;
}

function tracing(conf: Obj, backend: TraceBackend, site: SpanSite): DeepPartial<HttpConnectionManager_Tracing> {
  const t: DeepPartial<HttpConnectionManager_Tracing> = { spawnUpstreamSpan: false, provider: traceProvider(backend, site) };
  const sampling = objAt(conf, 'sampling');
  const percent = (k: string) => {
    const n = samplingPercent(field(sampling, k));
    return n === undefined ? undefined : { value: n };
  };
  const overall = percent('overall');
  const client = percent('client');
  const random = percent('random');
  if (overall) t.overallSampling = overall;
  if (client) t.clientSampling = client;
  if (random) t.randomSampling = random;
  const tags = customTags(conf);
  if (tags.length > 0) t.customTags = tags;
  return t;
}

function service(pp: ProxyPolicies): string {
  return pp.dp.inbounds[0]?.service ?? UNKNOWN_SERVICE;
}

export const meshTracePolicy: ListenerPolicy = {
  type: MESH_TRACE,
  inbound({ pp, http }, add) {
    const trace = http ? proxyTrace(pp) : undefined;
    if (trace) add.tracing = tracing(trace.conf, trace.backend, { service: service(pp), direction: 'INBOUND' });
  },
  outbound({ pp, plan, http }, add) {
    const trace = http ? proxyTrace(pp) : undefined;
    if (trace) add.tracing = tracing(trace.conf, trace.backend, { service: service(pp), direction: 'OUTBOUND', destination: plan.service });
  },
};
