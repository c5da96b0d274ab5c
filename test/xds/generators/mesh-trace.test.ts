import { describe, expect, it } from 'vitest';
import { inboundListeners } from '../../../internal/xds/generators/sidecar/inbound-listeners';
import { meshTraceClusters } from '../../../internal/xds/generators/sidecar/mesh-trace-clusters';
import { outboundListeners } from '../../../internal/xds/generators/sidecar/outbound-listeners';
import { SIDECAR_PROFILE, runProfile } from '../../../internal/xds/generators/sidecar/profile';
import type { Generator } from '../../../internal/xds/generators/types';
import { createSidecarMemo } from '../../../internal/xds/generators/memo';
import { CASES } from './cases';
import { fixture, goldenCases, render } from './golden';

/** Tracing lands on both directions' HCMs, and the collector cluster comes with it. */
const traced: Generator = (proxy, ctx) => [...inboundListeners(proxy, ctx), ...outboundListeners(proxy, ctx), ...meshTraceClusters(proxy, ctx)];

describe('MeshTrace golden', () => {
  goldenCases('mesh-trace', traced, CASES['mesh-trace']!);
});

describe('MeshTrace in the whole sidecar profile', () => {
  const byName = (name: string) => CASES['mesh-trace']!.find((c) => c.name === name)!;

  const profile = (name: string) => {
    const { proxy, ctx } = fixture(byName(name));
    return runProfile(SIDECAR_PROFILE, proxy, ctx, createSidecarMemo());
  };

  it('adds the collector cluster next to the other clusters, once, and traces every HTTP listener', () => {
    const res = profile('01-zipkin-http');
    expect(res.filter((r) => r.kind === 'cluster').map((r) => r.name)).toEqual(['localhost:8081', 'backend', 'meshtrace:zipkin', 'kuma:envoy:admin']);
    const traced = res.filter((r) => r.kind === 'listener' && /^(in|out)bound:/.test(r.name));
    expect(traced.map((r) => r.name)).toEqual(['inbound:192.168.0.1:8080', 'outbound:127.0.0.1:10001']);
    for (const l of traced) expect(render([l]), l.name).toContain('collectorCluster: meshtrace:zipkin');
  });

  it('generates nothing when the most specific MeshTrace has no backend', () => {
    const out = render(profile('07-service-turns-it-off'));
    expect(out).not.toContain('meshtrace:');
    expect(out).not.toContain('tracing:');
  });
});
