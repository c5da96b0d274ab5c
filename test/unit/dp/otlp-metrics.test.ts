import { describe, expect, it } from 'vitest';
import { AggregationTemporality, type Metric } from '../../../proto/gen/opentelemetry/proto/metrics/v1/metrics';
import { ExportMetricsServiceRequest } from '../../../proto/gen/opentelemetry/proto/collector/metrics/v1/metrics_service';
import type { KeyValue } from '../../../proto/gen/opentelemetry/proto/common/v1/common';
import { otlpExportRequest } from '../../../internal/dp/otlp-metrics';
import { parsePrometheusText } from '../../../internal/dp/prometheus-text';

const TEXT = `# TYPE envoy_cluster_upstream_rq_total counter
envoy_cluster_upstream_rq_total{envoy_cluster_name="backend"} 7
envoy_cluster_upstream_rq_total{envoy_cluster_name="a \\"quoted\\" one, too"} 2
# TYPE envoy_server_live gauge
envoy_server_live{} 1
# HELP envoy_cluster_upstream_cx_connect_ms Connect time.
# TYPE envoy_cluster_upstream_cx_connect_ms histogram
envoy_cluster_upstream_cx_connect_ms_bucket{envoy_cluster_name="backend",le="0.5"} 1
envoy_cluster_upstream_cx_connect_ms_bucket{envoy_cluster_name="backend",le="1"} 3
envoy_cluster_upstream_cx_connect_ms_bucket{envoy_cluster_name="backend",le="+Inf"} 4
envoy_cluster_upstream_cx_connect_ms_sum{envoy_cluster_name="backend"} 2.5
envoy_cluster_upstream_cx_connect_ms_count{envoy_cluster_name="backend"} 4
# TYPE rpc_seconds summary
rpc_seconds{quantile="0.5"} 0.1
rpc_seconds{quantile="0.9"} 0.3
rpc_seconds_sum 12
rpc_seconds_count 40
untyped_thing 5 1700000000000
`;

const ID = { mesh: 'default', dataplane: 'web-01', service: 'web', extraLabels: { kuma_io_zone: 'zone-1', mesh: 'from-tags' }, kumaVersion: '2.14.0' };
const attrs = (kvs: KeyValue[]) => Object.fromEntries(kvs.map((kv) => [kv.key, kv.value?.value?.value]));

function metrics(): Map<string, Metric> {
  const req = otlpExportRequest(parsePrometheusText(TEXT), ID, 1_700_000_000_123);
  // What goes on the wire decodes back to the same request.
  const decoded = ExportMetricsServiceRequest.decode(ExportMetricsServiceRequest.encode(req).finish());
  return new Map(decoded.resourceMetrics[0]!.scopeMetrics[0]!.metrics.map((m) => [m.name, m]));
}

describe('Prometheus text', () => {
  it('reads families, types, labels with escapes, help and timestamps', () => {
    const fams = parsePrometheusText(TEXT);
    expect(fams.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['envoy_cluster_upstream_rq_total', 'counter', 2],
      ['envoy_server_live', 'gauge', 1],
      ['envoy_cluster_upstream_cx_connect_ms', 'histogram', 5],
      ['rpc_seconds', 'summary', 4],
      ['untyped_thing', 'untyped', 1],
    ]);
    expect(fams[0]!.samples[1]!.labels).toEqual([['envoy_cluster_name', 'a "quoted" one, too']]);
    expect(fams[2]!.help).toBe('Connect time.');
    expect(fams[4]!.samples[0]).toMatchObject({ value: 5, timestampMs: 1_700_000_000_000 });
  });

  it('skips lines it cannot read and keeps the rest', () => {
    expect(parsePrometheusText('# TYPE a counter\na{x="1"} nope\na{x="2"} 3\nb{broken 1\n').map((f) => f.samples.map((s) => s.value))).toEqual([[3]]);
  });
});

describe('OTLP metrics as Kuma maps them', () => {
  it('counters are cumulative monotonic sums with the proxy attributes on every point', () => {
    const m = metrics().get('envoy_cluster_upstream_rq_total')!;
    expect(m.data?.$case).toBe('sum');
    const sum = m.data!.value as { aggregationTemporality: number; isMonotonic: boolean; dataPoints: { attributes: KeyValue[]; value?: { value: unknown }; timeUnixNano: string }[] };
    expect(sum.aggregationTemporality).toBe(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    expect(sum.isMonotonic).toBe(true);
    expect(sum.dataPoints.map((p) => p.value?.value)).toEqual([7, 2]);
    // extraLabels win over the built-in mesh attribute, as the last key of a Go attribute set does.
    expect(attrs(sum.dataPoints[0]!.attributes)).toEqual({ envoy_cluster_name: 'backend', mesh: 'from-tags', dataplane: 'web-01', service: 'web', kuma_io_zone: 'zone-1' });
    expect(sum.dataPoints[0]!.timeUnixNano).toBe('1700000000123000000');
  });

  it('gauges stay gauges; untyped families are left out', () => {
    const all = metrics();
    expect(all.get('envoy_server_live')!.data?.$case).toBe('gauge');
    expect(all.has('untyped_thing')).toBe(false);
  });

  it('histograms get per-bucket counts and bounds without +Inf', () => {
    const m = metrics().get('envoy_cluster_upstream_cx_connect_ms')!;
    expect(m.description).toBe('Connect time.');
    const p = (m.data!.value as { dataPoints: { count: string; sum: number; explicitBounds: number[]; bucketCounts: string[]; attributes: KeyValue[] }[] }).dataPoints;
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ count: '4', sum: 2.5, explicitBounds: [0.5, 1], bucketCounts: ['1', '2', '1'] });
    expect(attrs(p[0]!.attributes)).not.toHaveProperty('le');
  });

  it('summaries carry their quantiles, sum and count', () => {
    const p = (metrics().get('rpc_seconds')!.data!.value as { dataPoints: { count: string; sum: number; quantileValues: { quantile: number; value: number }[] }[] }).dataPoints;
    expect(p).toEqual([expect.objectContaining({ count: '40', sum: 12, quantileValues: [{ quantile: 0.5, value: 0.1 }, { quantile: 0.9, value: 0.3 }] })]);
  });

  it('the resource names the service and the scope is kuma at its version', () => {
    const rm = otlpExportRequest([], ID, 0).resourceMetrics[0]!;
    expect(attrs(rm.resource!.attributes)).toEqual({ 'service.name': 'web' });
    expect(rm.scopeMetrics[0]!.scope).toMatchObject({ name: 'kuma', version: '2.14.0' });
    expect(attrs(otlpExportRequest([], { ...ID, service: '' }, 0).resourceMetrics[0]!.resource!.attributes)).toEqual({ 'service.name': 'unknown_service:kuma-dp' });
  });
});
