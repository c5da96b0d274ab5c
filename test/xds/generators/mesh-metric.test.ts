import { describe, expect, it } from 'vitest';
import { meshMetric } from '../../../internal/xds/generators/sidecar/mesh-metric';
import { SIDECAR_PROFILE, runProfile } from '../../../internal/xds/generators/sidecar/profile';
import { createSidecarMemo } from '../../../internal/xds/generators/memo';
import { CASES } from './cases';
import { fixture, goldenCases } from './golden';

describe('MeshMetric golden', () => {
  goldenCases('mesh-metric', meshMetric, CASES['mesh-metric']!);
});

describe('MeshMetric in the whole sidecar profile', () => {
  const profile = (name: string) => {
    const { proxy, ctx } = fixture(CASES['mesh-metric']!.find((c) => c.name === name)!);
    return runProfile(SIDECAR_PROFILE, proxy, ctx, createSidecarMemo());
  };

  it('adds one scrape listener per backend, the hijacker cluster once and the config listener', () => {
    const res = profile('02-profiles-applications-two-backends');
    expect(res.filter((r) => r.kind === 'listener').map((r) => r.name)).toEqual(
      expect.arrayContaining(['_kuma:dynamicconfig', '_kuma:metrics:prometheus:main', '_kuma:metrics:prometheus:second']),
    );
    expect(res.filter((r) => r.name === '_kuma:metrics:hijacker').length).toBe(1);
  });

  it('generates nothing for a proxy no MeshMetric selects', () => {
    expect(profile('04-other-service-only').filter((r) => r.origin === 'mesh-metric')).toEqual([]);
  });
});
