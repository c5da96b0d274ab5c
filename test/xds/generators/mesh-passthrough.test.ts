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

  it('adds the listener and ORIGINAL_DST cluster under transparent proxying only', () => {
    expect(names('01-default-all')).toEqual(expect.arrayContaining(['listener/outbound:passthrough:ipv4', 'cluster/outbound:passthrough:ipv4']));
    expect(names('02-no-transparent-proxying').filter((n) => n.includes('passthrough'))).toEqual([]);
  });

  it('keeps the listener for None, closing the rest through the blackhole (Mesh flag or policy)', () => {
    const want = ['listener/outbound:passthrough:ipv4', 'cluster/outbound:passthrough:blackhole'];
    expect(names('03-mesh-passthrough-off').filter((n) => n.includes('passthrough'))).toEqual(want);
    expect(names('05-policy-none').filter((n) => n.includes('passthrough'))).toEqual(want);
  });
});
