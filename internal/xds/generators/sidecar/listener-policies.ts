/**
 * The seam where listener-level targetRef policies (MeshFaultInjection, MeshRateLimit,
 * MeshAccessLog, MeshTrace, ...) add to the listeners the inbound and outbound generators build,
 * as Kuma's policy plugins do (pkg/plugins/policies/<policy>/plugin). Each policy lives in its own
 * module under `listener-policies/` and is listed in LISTENER_POLICIES; the listener generators
 * ask once per listener and place what comes back: HTTP filters between RBAC and the router,
 * network filters before the terminal filter, access logs and tracing on the HCM / tcp_proxy.
 * Contributors are pure, like every generator.
 */
import type { AccessLog } from '../../../../proto/gen/envoy/config/accesslog/v3/accesslog';
import type { Filter } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import type {
  HttpConnectionManager_Tracing,
  HttpFilter,
} from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { InboundView } from '../../context/dataplane-view';
import type { MeshContext, ProxyContext } from '../../context/types';
import type { ProxyPolicies } from '../../policies/proxy-policies';
import type { OutboundPlan } from './outbound-plan';
import { meshAccessLogPolicy } from './listener-policies/mesh-access-log';
import { meshFaultInjectionPolicy } from './listener-policies/mesh-fault-injection';
import { meshRateLimitPolicy } from './listener-policies/mesh-rate-limit';
import { meshTracePolicy } from './listener-policies/mesh-trace';

export interface ListenerAdditions {
  /** HTTP filters placed after RBAC and before the router, in LISTENER_POLICIES order. */
  httpFilters: DeepPartial<HttpFilter>[];
  /** Network filters placed before the terminal filter (tcp_proxy or the HCM). */
  networkFilters: DeepPartial<Filter>[];
  /** Access logs of the HCM or the tcp_proxy. */
  accessLogs: DeepPartial<AccessLog>[];
  /** HCM tracing; HTTP listeners only. */
  tracing?: DeepPartial<HttpConnectionManager_Tracing>;
}

interface ListenerInput {
  proxy: ProxyContext;
  ctx: MeshContext;
  pp: ProxyPolicies;
  /** The listener's name (`inbound:<ip>:<port>`, `outbound:<ip>:<port>`). */
  listenerName: string;
  /** Whether the listener carries an HCM (HTTP family) or a tcp_proxy. */
  http: boolean;
}

export interface InboundListenerInput extends ListenerInput {
  inbound: InboundView;
  /** The local application cluster the inbound forwards to. */
  clusterName: string;
}

export interface OutboundListenerInput extends ListenerInput {
  plan: OutboundPlan;
}

export interface ListenerPolicy {
  /** The policy type this contributor reads (for error messages and docs). */
  type: string;
  inbound?(input: InboundListenerInput, add: ListenerAdditions): void;
  outbound?(input: OutboundListenerInput, add: ListenerAdditions): void;
}

/** The contributors, in the order their HTTP filters run (Kuma's plugin order). */
export const LISTENER_POLICIES: readonly ListenerPolicy[] = [
  meshFaultInjectionPolicy,
  meshRateLimitPolicy,
  meshAccessLogPolicy,
  meshTracePolicy,
];

function empty(): ListenerAdditions {
  return { httpFilters: [], networkFilters: [], accessLogs: [] };
}

export function inboundAdditions(input: InboundListenerInput, policies: readonly ListenerPolicy[] = LISTENER_POLICIES): ListenerAdditions {
  const add = empty();
  for (const p of policies) p.inbound?.(input, add);
  return add;
}

export function outboundAdditions(input: OutboundListenerInput, policies: readonly ListenerPolicy[] = LISTENER_POLICIES): ListenerAdditions {
  const add = empty();
  for (const p of policies) p.outbound?.(input, add);
  return add;
}
