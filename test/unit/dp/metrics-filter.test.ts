import { describe, expect, it } from 'vitest';
import { filterPrometheusText, keepsFamily } from '../../../internal/dp/metrics-filter';

const TEXT = `# TYPE envoy_cluster_upstream_rq_total counter
envoy_cluster_upstream_rq_total{envoy_cluster_name="backend"} 7
# TYPE envoy_cluster_bind_errors counter
envoy_cluster_bind_errors{envoy_cluster_name="backend"} 0
# TYPE envoy_server_live gauge
envoy_server_live{} 1
# TYPE envoy_cluster_upstream_cx_connect_ms histogram
envoy_cluster_upstream_cx_connect_ms_bucket{envoy_cluster_name="backend",le="0.5"} 1
envoy_cluster_upstream_cx_connect_ms_sum{envoy_cluster_name="backend"} 0.3
envoy_cluster_upstream_cx_connect_ms_count{envoy_cluster_name="backend"} 1
# TYPE envoy_runtime_load_success counter
envoy_runtime_load_success{} 1
`;

const names = (text: string) => [...new Set(text.split('\n').filter((l) => l.startsWith('# TYPE')).map((l) => l.split(' ')[2]))];
const p = (o: Partial<{ appendProfiles: string[]; include: { type: 'Prefix' | 'Regex' | 'Exact' | 'Contains'; match: string }[]; exclude: { type: 'Prefix' | 'Regex' | 'Exact' | 'Contains'; match: string }[] }>) => ({
  appendProfiles: [],
  include: [],
  exclude: [],
  ...o,
});

describe('MeshMetric sidecar profiles on Envoy stats', () => {
  it('passes everything when nothing is configured (All)', () => {
    expect(filterPrometheusText(TEXT, p({}))).toBe(TEXT);
    expect(names(filterPrometheusText(TEXT, p({ appendProfiles: ['All'] })))).toHaveLength(5);
  });

  it('None drops everything, include adds families back', () => {
    expect(filterPrometheusText(TEXT, p({ appendProfiles: ['None'] }))).toBe('');
    expect(names(filterPrometheusText(TEXT, p({ appendProfiles: ['None'], include: [{ type: 'Exact', match: 'envoy_server_live' }] })))).toEqual(['envoy_server_live']);
  });

  it('Basic keeps request/connection families and a histogram with all its samples', () => {
    const out = filterPrometheusText(TEXT, p({ appendProfiles: ['Basic'] }));
    expect(names(out)).toEqual(['envoy_cluster_upstream_rq_total', 'envoy_server_live', 'envoy_cluster_upstream_cx_connect_ms']);
    expect(out).toContain('envoy_cluster_upstream_cx_connect_ms_count{envoy_cluster_name="backend"} 1');
    expect(out).not.toContain('bind_errors');
  });

  it('exclude drops, include wins over exclude, regexes match the whole name', () => {
    const conf = p({ exclude: [{ type: 'Prefix', match: 'envoy_cluster_' }], include: [{ type: 'Contains', match: 'upstream_rq' }] });
    expect(names(filterPrometheusText(TEXT, conf))).toEqual(['envoy_cluster_upstream_rq_total', 'envoy_server_live', 'envoy_runtime_load_success']);
    expect(keepsFamily('envoy_server_live', p({ appendProfiles: ['None'], include: [{ type: 'Regex', match: 'envoy_server' }] }))).toBe(false);
    expect(keepsFamily('envoy_server_live', p({ appendProfiles: ['None'], include: [{ type: 'Regex', match: 'envoy_server.*' }] }))).toBe(true);
  });
});
