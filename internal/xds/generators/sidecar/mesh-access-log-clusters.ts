/**
 * The collector clusters of a proxy's MeshAccessLog OpenTelemetry backends, one per distinct
 * endpoint, named `meshaccesslog:opentelemetry:<index>` as Kuma names them. The access loggers
 * that send through them are added by listener-policies/mesh-access-log.ts, which looks the names
 * up here.
 *
 * Kuma numbers endpoints in the order its listeners meet them; here they are numbered over the
 * backends of every MeshAccessLog selecting the proxy, in policy order, so the listener
 * contributor and this generator agree without sharing state. A backend whose conf loses the merge
 * on every listener still gets its (unused) cluster.
 */
import type { MeshContext, ProxyContext } from '../../context/types';
import { type ProxyPolicies, proxyPolicies } from '../../policies/proxy-policies';
import { comparePolicies, selectsProxy, targetRefOf } from '../../policies/target-ref';
import { type OtelEndpoint, otelClusterName, otelCollectorCluster, parseOtelEndpoint } from '../envoy/otel-access-log';
import { ORIGIN, type TaggedResource, cluster } from '../types';

type Obj = Record<string, unknown>;

export interface OtelCollector {
  name: string;
  endpoint: OtelEndpoint;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function* otelEndpointsOf(spec: Obj): Generator<string> {
  for (const section of ['to', 'from', 'rules']) {
    const items = spec[section];
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      const backends = isObj(item) && isObj(item.default) ? item.default.backends : undefined;
      if (!Array.isArray(backends)) continue;
      for (const b of backends) {
        if (isObj(b) && b.type === 'OpenTelemetry' && isObj(b.openTelemetry) && typeof b.openTelemetry.endpoint === 'string') yield b.openTelemetry.endpoint;
      }
    }
  }
}

const memo = new WeakMap<ProxyPolicies, Map<string, OtelCollector>>();

/** Endpoint string (as written in the policy) -> its collector cluster, for this proxy. */
export function otelCollectors(pp: ProxyPolicies): Map<string, OtelCollector> {
  let byEndpoint = memo.get(pp);
  if (byEndpoint) return byEndpoint;
  byEndpoint = new Map();
  const byAddress = new Map<string, OtelCollector>();
  const policies = pp
    .all('MeshAccessLog')
    .filter((p) => selectsProxy(targetRefOf(p.spec.targetRef), pp.dp))
    .sort(comparePolicies);
  for (const p of policies) {
    for (const raw of otelEndpointsOf(p.spec)) {
      if (byEndpoint.has(raw)) continue;
      const endpoint = parseOtelEndpoint(raw);
      if (!endpoint) continue;
      // `collector` and `collector:4317` are one endpoint, one cluster.
      const address = `${endpoint.host}:${endpoint.port}`;
      let c = byAddress.get(address);
      if (!c) byAddress.set(address, (c = { name: otelClusterName(byAddress.size), endpoint }));
      byEndpoint.set(raw, c);
    }
  }
  memo.set(pp, byEndpoint);
  return byEndpoint;
}

export function meshAccessLogClusters(proxy: ProxyContext, ctx: MeshContext): TaggedResource[] {
  const collectors = new Map<string, OtelCollector>();
  for (const c of otelCollectors(proxyPolicies(proxy.dataplane, ctx)).values()) collectors.set(c.name, c);
  return [...collectors.values()].map((c) => cluster(c.name, ORIGIN.meshAccessLog, otelCollectorCluster(c.name, c.endpoint)));
}
