import { describe, expect, it } from 'vitest';
import { meshMetric } from '../../../internal/xds/generators/sidecar/mesh-metric';
import { SIDECAR_PROFILE, runProfile } from '../../../internal/xds/generators/sidecar/profile';
import { createSidecarMemo } from '../../../internal/xds/generators/memo';
import type { MeshMetricDpConfig } from '../../../internal/core/metrics-sockets';
import { CASES } from './cases';
import { fixture, goldenCases, resourceJson } from './golden';

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

  it('an OpenTelemetry backend gets its pipe listener and collector cluster, and no scrape listener', () => {
    const res = profile('07-opentelemetry-only').filter((r) => r.origin === 'mesh-metric');
    expect(res.map((r) => `${r.kind} ${r.name}`).sort()).toEqual([
      'cluster _kuma:metrics:opentelemetry:127.0.0.1-4317',
      'listener _kuma:dynamicconfig',
      'listener _kuma:metrics:opentelemetry:127.0.0.1-4317',
    ]);
  });

  it('tells kuma-dp the socket of each OpenTelemetry backend, its interval and the proxy\'s labels', () => {
    const { proxy, ctx } = fixture(CASES['mesh-metric']!.find((c) => c.name === '06-opentelemetry-two-collectors-and-prometheus')!);
    const res = meshMetric(proxy, ctx);
    const config = res.find((r) => r.name === '_kuma:dynamicconfig')!;
    const body = JSON.stringify(resourceJson(config)).match(/"inlineString":"((?:[^"\\]|\\.)*)"/)![1]!;
    const conf = JSON.parse(JSON.parse(`"${body}"`) as string) as MeshMetricDpConfig;
    const pipes = new Map(res.filter((r) => r.kind === 'listener' && r.name.startsWith('_kuma:metrics:opentelemetry:')).map((r) => [r.name, JSON.stringify(resourceJson(r))]));
    expect(conf.backends.map((b) => [b.name, b.openTelemetry.refreshInterval])).toEqual([
      ['otel-collector.observability.svc-4317', '1m0s'],
      ['10.0.0.9', '10s'],
    ]);
    for (const b of conf.backends) expect(pipes.get(`_kuma:metrics:opentelemetry:${b.name}`)).toContain(b.openTelemetry.endpoint);
    expect(conf.extraLabels).toMatchObject({ kuma_io_service: 'web', kuma_io_zone: 'zone-1', version: 'v2', versions: ',v2,' });
  });

  it('generates nothing for a proxy no MeshMetric selects', () => {
    expect(profile('04-other-service-only').filter((r) => r.origin === 'mesh-metric')).toEqual([]);
  });
});
