/** Index, config, type catalogue and the computed global insight (spec §2.2, §2.6, §1.8). */
import { hostname } from 'node:os';
import { effectiveInsight, isOnline } from '../core/insight-status';
import { API_INDEX_VERSION, PRODUCT, VERSION } from '../version';
import type { ApiDeps } from './deps';
import { sendJson } from './http-util';
import type { Router } from './router';

export function registerSystemEndpoints(router: Router, deps: ApiDeps): void {
  const { registry, store, manager, config } = deps;

  router.add('GET', '/', (c) =>
    sendJson(c.res, 200, {
      hostname: hostname(),
      // kumactl <= 2.8 checks `tagline`, >= 2.9 checks `product`: emit both.
      tagline: PRODUCT,
      product: PRODUCT,
      version: API_INDEX_VERSION,
      instanceId: deps.instanceId,
      clusterId: deps.clusterId(),
      // Every CP serves the web UI (internal/gui).
      gui: '/gui',
      // Ours: which instance of a PostgreSQL-backed CP cluster runs the singleton work.
      leader: deps.isLeader?.() ?? true,
    }),
  );

  router.add('GET', '/config', (c) => sendJson(c.res, 200, maskSecrets(config)));

  router.add('GET', '/versions', (c) => sendJson(c.res, 200, { kumaDp: { [VERSION]: { envoy: '~1.40.0' } } }));

  router.add('GET', '/who-am-i', (c) => sendJson(c.res, 200, { name: c.user.name, groups: c.user.groups }));

  router.add('GET', '/_resources', (c) => {
    const resources = registry
      .all()
      .filter((d) => !d.readOnly || d.name.endsWith('Insight'))
      .map((d) => {
        let writable = true;
        try {
          manager.assertWritable(d);
        } catch {
          writable = false;
        }
        const entry: Record<string, unknown> = {
          name: d.name,
          scope: d.scope,
          readOnly: !writable,
          path: d.path,
          singularDisplayName: d.singularDisplayName,
          pluralDisplayName: d.pluralDisplayName,
          includeInFederation: d.providedByGlobal && !d.readOnly,
        };
        if (d.shortName) entry.shortName = d.shortName;
        if (d.policy) entry.policy = { hasToTargetRef: d.policy.hasToTargetRef, hasFromTargetRef: d.policy.hasFromTargetRef, isTargetRef: d.policy.isTargetRef, isFromAsRules: d.policy.isFromAsRules };
        return entry;
      })
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    sendJson(c.res, 200, { resources });
  });

  router.add('GET', '/policies', (c) => {
    const policies = registry
      .all()
      .filter((d) => d.policy)
      .map((d) => ({
        name: d.name,
        readOnly: false,
        path: d.path,
        singularDisplayName: d.singularDisplayName,
        pluralDisplayName: d.pluralDisplayName,
        isExperimental: false,
        isTargetRefBased: d.policy!.isTargetRef,
        isInbound: d.policy!.hasFromTargetRef,
        isOutbound: d.policy!.hasToTargetRef,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    sendJson(c.res, 200, { policies });
  });

  router.add('GET', '/status/zones', (c) => {
    const zones = store.list('Zone').items.map((z) => ({
      name: z.name,
      active: z.spec.enabled !== false && isOnline(store.get({ type: 'ZoneInsight', mesh: '', name: z.name })?.spec),
    }));
    sendJson(c.res, 200, zones);
  });

  const globalInsights = (c: Parameters<Parameters<Router['add']>[2]>[0]) => {
    const resources: Record<string, { total: number }> = {};
    for (const d of registry.all()) {
      if (d.scope !== 'Global' || d.readOnly) continue;
      resources[d.name] = { total: store.count(d.name) };
    }
    sendJson(c.res, 200, { type: 'GlobalInsights', creationTime: new Date().toISOString(), resources });
  };
  router.add('GET', '/global-insights', globalInsights);

  router.add('GET', '/global-insight', (c) => {
    const online = (type: string, insight: string) => {
      const items = store.list(type).items;
      return { online: items.filter((r) => isOnline(effectiveInsight(store, r.labels, store.get({ type: insight, mesh: r.mesh, name: r.name })?.spec))).length, total: items.length };
    };
    const resources: Record<string, { total: number }> = {};
    let policies = 0;
    for (const d of registry.all()) {
      if (d.readOnly) continue;
      const n = store.count(d.name);
      resources[d.name] = { total: n };
      if (d.policy) policies += n;
    }
    // Kuma's GlobalInsight (an OpenAPI type): every key present, zero counters printed.
    const zero = () => ({ total: 0, online: 0, offline: 0, partiallyDegraded: 0 });
    const dataplanes = { standard: zero(), gatewayBuiltin: zero(), gatewayDelegated: zero() };
    for (const r of store.list('Dataplane').items) {
      const gw = (r.spec.networking as { gateway?: { type?: string } } | undefined)?.gateway;
      const s = !gw ? dataplanes.standard : gw.type === 'BUILTIN' ? dataplanes.gatewayBuiltin : dataplanes.gatewayDelegated;
      s.total++;
      if (isOnline(effectiveInsight(store, r.labels, store.get({ type: 'DataplaneInsight', mesh: r.mesh, name: r.name })?.spec))) s.online++;
      else s.offline++;
    }
    let internal = 0;
    const external = store.count('ExternalService');
    for (const si of store.list('ServiceInsight').items) internal += Object.keys((si.spec.services ?? {}) as object).length;
    sendJson(c.res, 200, {
      createdAt: new Date().toISOString(),
      services: { total: internal + external, internal: { ...zero(), total: internal }, external: { total: external }, gatewayBuiltin: zero(), gatewayDelegated: zero() },
      zones: { controlPlanes: online('Zone', 'ZoneInsight'), zoneIngresses: online('ZoneIngress', 'ZoneIngressInsight'), zoneEgresses: online('ZoneEgress', 'ZoneEgressInsight') },
      dataplanes,
      policies: { total: policies },
      meshes: { total: store.count('Mesh') },
      resources,
    });
  });
}

/** `/config` must never leak key material (Kuma replaces secrets with *****). */
function maskSecrets(cfg: unknown): unknown {
  return JSON.parse(JSON.stringify(cfg), (k, v) => (/key|password|token/i.test(k) && typeof v === 'string' && v !== '' && !/file/i.test(k) ? '*****' : v));
}
