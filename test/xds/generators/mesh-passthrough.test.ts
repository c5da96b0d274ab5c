import { describe, expect, it } from 'vitest';
import { createSidecarMemo } from '../../../internal/xds/generators/memo';
import { passthrough } from '../../../internal/xds/generators/sidecar/passthrough';
import { SIDECAR_PROFILE, runProfile } from '../../../internal/xds/generators/sidecar/profile';
import { CASES } from './cases';
import { fixture, goldenCases } from './golden';

describe('MeshPassthrough golden', () => {
  goldenCases('mesh-passthrough', passthrough, CASES['mesh-passthrough']!);
});

describe('passthrough in the whole sidecar profile', () => {
  const names = (name: string) => {
    const { proxy, ctx } = fixture(CASES['mesh-passthrough']!.find((c) => c.name === name)!);
    return runProfile(SIDECAR_PROFILE, proxy, ctx, createSidecarMemo()).map((r) => `${r.kind}/${r.name}`);
  };

  it('adds the listeners and ORIGINAL_DST clusters under transparent proxying only', () => {
    expect(names('01-default-all').filter((n) => n.includes('passthrough'))).toEqual([
      'listener/outbound:passthrough:ipv4',
      'cluster/outbound:passthrough:ipv4',
      'listener/inbound:passthrough:ipv4',
      'cluster/inbound:passthrough:ipv4',
    ]);
    expect(names('02-no-transparent-proxying').filter((n) => n.includes('passthrough'))).toEqual([]);
  });

  it('adds the IPv6 listeners under DualStack; a domain both families send to is one cluster', () => {
    expect(names('08-dual-stack-all').filter((n) => n.includes('passthrough:ipv6'))).toEqual([
      'listener/outbound:passthrough:ipv6',
      'cluster/outbound:passthrough:ipv6',
      'listener/inbound:passthrough:ipv6',
      'cluster/inbound:passthrough:ipv6',
    ]);
    const matched = names('09-dual-stack-matched');
    expect(matched.filter((n) => n === 'cluster/meshpassthrough_grpc_otel.example.com_4317')).toHaveLength(1);
    expect(matched).toEqual(expect.arrayContaining(['cluster/meshpassthrough_tcp_fd00::1_8888', 'cluster/meshpassthrough_tcp_10.240.15.39_8888']));
  });

  it('keeps the listener for None, closing the rest through the blackhole (Mesh flag or policy)', () => {
    const want = ['listener/outbound:passthrough:ipv4', 'cluster/outbound:passthrough:blackhole', 'listener/inbound:passthrough:ipv4', 'cluster/inbound:passthrough:ipv4'];
    expect(names('03-mesh-passthrough-off').filter((n) => n.includes('passthrough'))).toEqual(want);
    expect(names('05-policy-none').filter((n) => n.includes('passthrough'))).toEqual(want);
  });

  it('inbound listeners leave their port to the application under a transparent proxy', () => {
    const bind = (name: string) => {
      const { proxy, ctx } = fixture(CASES['mesh-passthrough']!.find((c) => c.name === name)!);
      const l = runProfile(SIDECAR_PROFILE, proxy, ctx, createSidecarMemo()).find((r) => r.kind === 'listener' && r.origin === 'inbound');
      return (l?.resource as { bindToPort?: boolean }).bindToPort;
    };
    expect(bind('01-default-all')).toBe(false);
    expect(bind('02-no-transparent-proxying')).toBeUndefined();
  });
});
