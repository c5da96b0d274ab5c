import { describe, expect, it } from 'vitest';
import { Registry } from '../../../internal/resources/registry';
import { mesh } from '../../../internal/resources/types/mesh';
import { registerAll } from '../../../internal/resources/types';

const registry = registerAll();
const all = registry.all();

function duplicates(values: string[]): string[] {
  return values.filter((x, i) => values.indexOf(x) !== i);
}

describe('resource registry', () => {
  it('registers every type once, Mesh first, policies last', () => {
    const names = all.map((d) => d.name);
    expect(names).toEqual([
      'Mesh',
      'MeshInsight',
      'Dataplane',
      'DataplaneInsight',
      'ZoneIngress',
      'ZoneIngressInsight',
      'ZoneEgress',
      'ZoneEgressInsight',
      'Zone',
      'ZoneInsight',
      'ServiceInsight',
      'ExternalService',
      'Secret',
      'GlobalSecret',
      'TrafficPermission',
      'TrafficRoute',
      'HealthCheck',
      'CircuitBreaker',
      'Retry',
      'Timeout',
      'VirtualOutbound',
      'FaultInjection',
      'RateLimit',
      'MeshTrafficPermission',
      'MeshRetry',
      'MeshTimeout',
      'MeshCircuitBreaker',
      'MeshHealthCheck',
      'MeshLoadBalancingStrategy',
      'MeshService',
      'MeshMultiZoneService',
      'MeshExternalService',
      'HostnameGenerator',
      'MeshFaultInjection',
      'MeshRateLimit',
      'MeshAccessLog',
      'MeshHTTPRoute',
      'MeshTCPRoute',
      'MeshTLS',
      'MeshTrace',
      'MeshMetric',
      'MeshPassthrough',
      'MeshProxyPatch',
    ]);
  });

  it('has no duplicate names, REST paths, kumactl names or short names', () => {
    expect(duplicates(all.map((d) => d.name))).toEqual([]);
    expect(duplicates(all.flatMap((d) => [d.path, ...d.altPaths]))).toEqual([]);
    expect(duplicates(all.flatMap((d) => [...new Set([d.cliSingular, d.cliPlural, ...d.cliAliases].filter((x): x is string => !!x))]))).toEqual([]);
    expect(duplicates(all.flatMap((d) => (d.shortName ? [d.shortName] : [])))).toEqual([]);
  });

  it('rejects a second registration of a type', () => {
    const r = new Registry();
    r.register(mesh);
    expect(() => r.register(mesh)).toThrow(/registered twice/);
    // A distinct type reusing a taken path or kumactl name is rejected too.
    expect(() => r.register({ ...mesh, name: 'Other' })).toThrow(/already used by Mesh/);
    expect(() => registerAll(registerAll())).toThrow();
  });

  it('gives kumactl names to every type except the read-only insights (ServiceInsight is readable: kuma get serviceinsight)', () => {
    for (const d of all) {
      if (d.name.endsWith('Insight')) {
        expect(d.readOnly, d.name).toBe(true);
        if (d.name !== 'ServiceInsight') {
          expect(d.cliSingular, d.name).toBeUndefined();
          expect(d.cliPlural, d.name).toBeUndefined();
        }
        expect(d.providedByGlobal || d.providedByZone, d.name).toBe(false);
      } else {
        expect(d.readOnly, d.name).toBe(false);
        expect(d.cliSingular, d.name).toBeTruthy();
        expect(d.cliPlural, d.name).toBeTruthy();
      }
    }
  });

  it('finds types by REST path and alternative path', () => {
    expect(registry.byPath('zoneingresses')?.name).toBe('ZoneIngress');
    expect(registry.byPath('zone-ingresses')?.name).toBe('ZoneIngress');
    expect(registry.byPath('globalsecrets')?.name).toBe('GlobalSecret');
    expect(registry.byPath('global-secrets')?.name).toBe('GlobalSecret');
    expect(registry.byPath('health-checks')?.name).toBe('HealthCheck');
    expect(registry.byPath('meshloadbalancingstrategies')?.name).toBe('MeshLoadBalancingStrategy');
    expect(registry.byPath('zoneegressinsights')?.name).toBe('ZoneEgressInsight');
    expect(registry.byPath('nope')).toBeUndefined();
  });

  it('finds types by kumactl name and alias', () => {
    const cases: Record<string, string> = {
      mesh: 'Mesh',
      dataplanes: 'Dataplane',
      'zone-ingress': 'ZoneIngress',
      'zone-ingresses': 'ZoneIngress',
      zoneingresses: 'ZoneIngress',
      'global-secret': 'GlobalSecret',
      globalsecrets: 'GlobalSecret',
      healthcheck: 'HealthCheck',
      healthchecks: 'HealthCheck',
      'traffic-permission': 'TrafficPermission',
      'traffic-permissions': 'TrafficPermission',
      retries: 'Retry',
      'external-services': 'ExternalService',
      meshtrafficpermission: 'MeshTrafficPermission',
      meshretries: 'MeshRetry',
      meshloadbalancingstrategies: 'MeshLoadBalancingStrategy',
    };
    for (const [cli, name] of Object.entries(cases)) expect(registry.byCliName(cli)?.name, cli).toBe(name);
  });

  it('accepts the spellings kumactl users type: hyphens or none, any case, short names, REST paths', () => {
    const cases: Record<string, string> = {
      'service-insights': 'ServiceInsight',
      serviceinsights: 'ServiceInsight',
      'health-check': 'HealthCheck',
      meshtrafficpermissions: 'MeshTrafficPermission',
      'mesh-traffic-permissions': 'MeshTrafficPermission',
      MeshTrafficPermission: 'MeshTrafficPermission',
      mtp: 'MeshTrafficPermission',
      dp: 'Dataplane',
      trafficpermissions: 'TrafficPermission',
      'zone-egresses': 'ZoneEgress',
      externalservices: 'ExternalService',
    };
    for (const [cli, name] of Object.entries(cases)) expect(registry.byCliName(cli)?.name, cli).toBe(name);
    expect(registry.byCliName('meshtrafficpermissionz')).toBeUndefined();
    // Types kumactl does not name stay unnamed in every spelling.
    for (const d of registry.all().filter((x) => !x.cliSingular && !x.cliPlural)) expect(registry.byCliName(d.name), d.name).toBeUndefined();
  });

  it('states scope, KDS direction and who may provide each type (§1.2, §2.8)', () => {
    const d = (n: string) => registry.mustByName(n);
    expect(d('Dataplane')).toMatchObject({ scope: 'Mesh', providedByGlobal: false, providedByZone: true, proxyType: 'sidecar', shortName: 'dp' });
    expect(d('ZoneIngress')).toMatchObject({
      scope: 'Global',
      kds: { globalToZone: false, zoneToGlobal: true, zoneToOtherZones: true },
      proxyType: 'zoneingress',
      insightType: 'ZoneIngressInsight',
      overview: { type: 'ZoneIngressOverview', resourceField: 'zoneIngress', insightField: 'zoneIngressInsight' },
    });
    expect(d('ZoneEgress')).toMatchObject({ kds: { zoneToGlobal: true, zoneToOtherZones: false }, proxyType: 'zoneegress' });
    expect(d('Zone')).toMatchObject({ kds: { globalToZone: false, zoneToGlobal: false }, providedByGlobal: true, providedByZone: false, readOnlyOnZone: expect.stringMatching(/managed by the global/) });
    expect(d('Secret')).toMatchObject({ adminOnly: true, providedByGlobal: true, providedByZone: true, kds: { globalToZone: true } });
    expect(d('GlobalSecret')).toMatchObject({ scope: 'Global', adminOnly: true });
    expect(d('TrafficRoute')).toMatchObject({ providedByGlobal: true, providedByZone: false, nestedSpec: false });
    expect(d('MeshRetry')).toMatchObject({
      nestedSpec: true,
      providedByGlobal: true,
      providedByZone: true,
      kds: { globalToZone: true, zoneToGlobal: true, zoneToOtherZones: true },
      policy: { isTargetRef: true, hasToTargetRef: true, hasFromTargetRef: false, isFromAsRules: false },
    });
    expect(d('MeshTrafficPermission').policy).toEqual({ isTargetRef: true, hasToTargetRef: false, hasFromTargetRef: true, isFromAsRules: true });
    expect(d('MeshTimeout').policy).toEqual({ isTargetRef: true, hasToTargetRef: true, hasFromTargetRef: true, isFromAsRules: true });
    expect(d('MeshFaultInjection').policy).toEqual({ isTargetRef: true, hasToTargetRef: true, hasFromTargetRef: true, isFromAsRules: true });
    // Kuma 2.14's MeshTrace descriptor: targetRef-based, no to/from/rules (a top-level `default`).
    expect(d('MeshTrace').policy).toEqual({ isTargetRef: true, hasToTargetRef: false, hasFromTargetRef: false, isFromAsRules: false });
    expect(d('Timeout').policy).toEqual({ isTargetRef: false, hasToTargetRef: false, hasFromTargetRef: false, isFromAsRules: false });
    for (const x of all) expect(!!x.policy, x.name).toBe(/Traffic|HealthCheck|CircuitBreaker|Retry|Timeout|VirtualOutbound|Strategy|FaultInjection|RateLimit|AccessLog|Route|TLS|MeshTrace|MeshMetric|MeshPassthrough|ProxyPatch/.test(x.name));
  });

  it('has English display names', () => {
    const names = Object.fromEntries(all.map((d) => [d.name, [d.singularDisplayName, d.pluralDisplayName]]));
    expect(names.Retry).toEqual(['Retry', 'Retries']);
    expect(names.MeshRetry).toEqual(['Mesh Retry', 'Mesh Retries']);
    expect(names.MeshLoadBalancingStrategy).toEqual(['Mesh Load Balancing Strategy', 'Mesh Load Balancing Strategies']);
    expect(names.MeshHTTPRoute).toEqual(['Mesh HTTP Route', 'Mesh HTTP Routes']);
    expect(names.ZoneIngress).toEqual(['Zone Ingress', 'Zone Ingresses']);
    expect(names.ZoneEgress).toEqual(['Zone Egress', 'Zone Egresses']);
    expect(names.HealthCheck).toEqual(['Health Check', 'Health Checks']);
    expect(names.MeshTrafficPermission).toEqual(['Mesh Traffic Permission', 'Mesh Traffic Permissions']);
    // Mesh (types/mesh.ts, not covered here) still gets the default "Meshs"; Kuma says "Meshes".
    for (const d of all.filter((x) => x.name !== 'Mesh')) expect(d.pluralDisplayName, d.name).not.toMatch(/(ss|shs|ys)$/);
  });
});
