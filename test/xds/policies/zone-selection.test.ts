/**
 * A policy a zone created applies to that zone's proxies only (Kuma matchers dppSelectedByZone):
 * what the global sees when it inspects proxies of several zones, with every zone's policies
 * synced up. Global policies, producer policies and global-created proxies are not bounded.
 */
import { describe, expect, it } from 'vitest';
import { topLevelSelects } from '../../../internal/xds/policies/dataplane-inspect';
import { proxyPolicies } from '../../../internal/xds/policies/proxy-policies';
import { backends, dataplane, docs } from '../generators/fixtures';
import { fixture } from '../generators/golden';

/** A Dataplane as the global holds it once zone `zone` synced it (labels), or unlabelled. */
function dpOf(name: string, labels?: Record<string, string>): string {
  const yaml = dataplane({ name, protocol: 'http', outbounds: [{ service: 'backend', port: 10001 }] });
  if (!labels) return yaml;
  const block = `labels:\n${Object.entries(labels).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`;
  return yaml.replace(`name: ${name}\n`, `name: ${name}\n${block}\n`);
}
const fromZone = (zone: string) => ({ 'kuma.io/origin': 'zone', 'kuma.io/zone': zone });

function timeout(name: string, seconds: number, labels: Record<string, string> = {}): string {
  const block = Object.keys(labels).length ? `labels:\n${Object.entries(labels).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n` : '';
  return `
type: MeshTimeout
mesh: default
name: ${name}
${block}spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: Mesh }
    default:
      connectionTimeout: ${seconds}s
`;
}

const POLICIES = [timeout('global-timeout', 5), timeout('z1-timeout', 11, fromZone('zone-1')), timeout('z2-timeout', 22, fromZone('zone-2'))];
const PROXIES = [dpOf('web-z1', fromZone('zone-1')), dpOf('web-z2', fromZone('zone-2')), dpOf('web-global')];

function connectTimeout(dp: string, ...extra: string[]): unknown {
  const { proxy, ctx } = fixture({ name: 'x', dataplane: dp, resources: docs(...PROXIES, backends('http'), ...POLICIES, ...extra) });
  return proxyPolicies(proxy.dataplane, ctx).to('MeshTimeout', 'backend')?.connectionTimeout;
}

describe('zone-originated policies select their own zone\'s proxies only', () => {
  it('each zone\'s proxy gets its zone\'s policy over the global one, never the other zone\'s', () => {
    expect(connectTimeout('web-z1')).toBe('11s');
    expect(connectTimeout('web-z2')).toBe('22s');
  });

  it('a proxy without a zone origin is selectable by every policy (Kuma: true once the proxy has no origin)', () => {
    // Both zone policies match; same kind and origin, so the smaller name wins.
    expect(connectTimeout('web-global')).toBe('11s');
  });

  it('a producer policy crosses zones (and its role ranks above system)', () => {
    const producer = timeout('a-producer', 33, { ...fromZone('zone-2'), 'kuma.io/policy-role': 'producer' });
    expect(connectTimeout('web-z1', producer)).toBe('33s');
  });

  it('a global policy without an origin label ranks between global-labelled and zone ones (Kuma ResourceOrigin.Compare)', () => {
    const labelled = timeout('a-labelled-global', 44, { 'kuma.io/origin': 'global' });
    expect(connectTimeout('web-z1', labelled)).toBe('11s');
    const { proxy, ctx } = fixture({ name: 'x', dataplane: 'web-z1', resources: docs(...PROXIES, backends('http'), timeout('z-unlabelled', 6), labelled) });
    expect(proxyPolicies(proxy.dataplane, ctx).to('MeshTimeout', 'backend')?.connectionTimeout).toBe('6s');
  });

  it('the policy -> proxies view (_resources/dataplanes) follows the same rule', () => {
    const { ctx } = fixture({ name: 'x', dataplane: 'web-z1', resources: docs(...PROXIES, backends('http'), ...POLICIES) });
    const z1Policy = ctx.resources.get('MeshTimeout')!.find((p) => p.name === 'z1-timeout')!;
    const dp = (name: string) => ctx.resources.get('Dataplane')!.find((d) => d.name === name)!;
    expect(['web-z1', 'web-z2', 'web-global'].filter((n) => topLevelSelects(z1Policy, dp(n), ctx))).toEqual(['web-z1', 'web-global']);
  });
});
