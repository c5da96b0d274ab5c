/**
 * Pure computation of MeshInsight and ServiceInsight (`all-services-<mesh>`)
 * from a consistent read of the store, as Kuma's insight resyncer does.
 */
import { effectiveInsight, isOnline } from '../core/insight-status';
import type { Resource, Spec } from '../resources/model';
import type { Registry } from '../resources/registry';
import type { ResourceStore } from '../store/resource-store';
import { meshInsightForm } from './mesh-insight-form';

type Inbound = { tags?: Record<string, string>; state?: string; health?: { ready?: boolean } };

function inbounds(dp: Resource): Inbound[] {
  return ((dp.spec.networking as { inbound?: Inbound[] } | undefined)?.inbound ?? []) as Inbound[];
}

function dataplaneStatus(dp: Resource, insight: Spec | undefined): 'online' | 'offline' | 'partially_degraded' {
  if (!isOnline(insight)) return 'offline';
  const ins = inbounds(dp);
  const notReady = ins.filter((i) => i.state === 'NotReady' || i.health?.ready === false).length;
  if (ins.length > 0 && notReady === ins.length) return 'offline';
  return notReady > 0 ? 'partially_degraded' : 'online';
}

export function computeMeshInsight(store: ResourceStore, registry: Registry, mesh: string): Spec {
  const dps = store.list('Dataplane', { mesh }).items;
  let online = 0;
  let degraded = 0;
  const kumaDp: Record<string, { total: number; online: number; offline: number }> = {};
  const envoy: Record<string, { total: number; online: number; offline: number }> = {};
  const issued: Record<string, { total: number; online: number; offline: number }> = {};
  const byType = { standard: stat(), gateway: stat(), gatewayBuiltin: stat(), gatewayDelegated: stat() };
  for (const dp of dps) {
    const insight = effectiveInsight(store, dp.labels, store.get({ type: 'DataplaneInsight', mesh, name: dp.name })?.spec);
    const st = dataplaneStatus(dp, insight);
    if (st === 'online') online++;
    if (st === 'partially_degraded') degraded++;
    const gw = (dp.spec.networking as { gateway?: { type?: string } } | undefined)?.gateway;
    const kinds = !gw ? [byType.standard] : [byType.gateway, gw.type === 'BUILTIN' ? byType.gatewayBuiltin : byType.gatewayDelegated];
    for (const k of kinds) count(k, st);
    const subs = (insight?.subscriptions ?? []) as { version?: { kumaDp?: { version?: string }; envoy?: { version?: string } } }[];
    const last = subs[subs.length - 1];
    const bump = (m: typeof kumaDp, k: string | undefined) => {
      const e = (m[k ?? 'unknown'] ??= { total: 0, online: 0, offline: 0 });
      e.total++;
      if (st === 'offline') e.offline++;
      else e.online++;
    };
    bump(kumaDp, last?.version?.kumaDp?.version);
    bump(envoy, last?.version?.envoy?.version);
    const backend = (insight?.mTLS as { issuedBackend?: string } | undefined)?.issuedBackend;
    if (backend) bump(issued, backend);
  }
  const policies: Record<string, { total: number }> = {};
  const resources: Record<string, { total: number }> = {};
  for (const d of registry.all()) {
    if (d.scope !== 'Mesh' || d.readOnly) continue;
    const total = store.count(d.name, mesh);
    if (total === 0) continue;
    resources[d.name] = { total };
    if (d.policy) policies[d.name] = { total };
  }
  const services = new Set(dps.flatMap((dp) => inbounds(dp).map((i) => i.tags?.['kuma.io/service']).filter(Boolean)));
  const external = store.count('ExternalService', mesh);
  // Stored (and served) in protojson's form of Kuma's MeshInsight, as Kuma prints it: zero counters
  // left out, every dataplanesByType key present.
  return meshInsightForm({
    dataplanes: { total: dps.length, online: online + degraded, offline: dps.length - online - degraded, partiallyDegraded: degraded },
    policies,
    resources,
    dpVersions: { kumaDp, envoy },
    mTLS: { issuedBackends: issued, supportedBackends: {} },
    services: { total: services.size + external, internal: services.size, external },
    dataplanesByType: byType,
  });
}

function stat(): { total: number; online: number; offline: number; partiallyDegraded: number } {
  return { total: 0, online: 0, offline: 0, partiallyDegraded: 0 };
}

/** Kuma's DataplaneStat: a partially degraded proxy counts as online and as partially degraded. */
function count(s: ReturnType<typeof stat>, status: string): void {
  s.total++;
  if (status === 'offline') s.offline++;
  else s.online++;
  if (status === 'partially_degraded') s.partiallyDegraded++;
}

export function computeServiceInsight(store: ResourceStore, mesh: string): Spec {
  const services: Record<string, { online: number; offline: number; zones: Set<string>; issued: Record<string, number> }> = {};
  for (const dp of store.list('Dataplane', { mesh }).items) {
    const insight = effectiveInsight(store, dp.labels, store.get({ type: 'DataplaneInsight', mesh, name: dp.name })?.spec);
    const st = dataplaneStatus(dp, insight);
    const backend = (insight?.mTLS as { issuedBackend?: string } | undefined)?.issuedBackend;
    const seen = new Set<string>();
    for (const i of inbounds(dp)) {
      const svc = i.tags?.['kuma.io/service'];
      if (!svc || seen.has(svc)) continue;
      seen.add(svc);
      const s = (services[svc] ??= { online: 0, offline: 0, zones: new Set(), issued: {} });
      if (st === 'offline') s.offline++;
      else s.online++;
      if (i.tags?.['kuma.io/zone']) s.zones.add(i.tags['kuma.io/zone']);
      if (backend) s.issued[backend] = (s.issued[backend] ?? 0) + 1;
    }
  }
  const out: Record<string, Spec> = {};
  for (const [svc, s] of Object.entries(services)) {
    const total = s.online + s.offline;
    const status = s.offline === 0 ? 'online' : s.online === 0 ? 'offline' : 'partially_degraded';
    const entry: Spec = { status, dataplanes: { total, online: s.online, offline: s.offline }, issuedBackends: s.issued };
    if (s.zones.size) entry.zones = [...s.zones].sort();
    out[svc] = entry;
  }
  for (const es of store.list('ExternalService', { mesh }).items) {
    const svc = (es.spec.tags as Record<string, string> | undefined)?.['kuma.io/service'];
    if (svc && !out[svc]) out[svc] = { serviceType: 'external', status: 'not_available', dataplanes: {}, issuedBackends: {} };
  }
  return { services: out };
}
