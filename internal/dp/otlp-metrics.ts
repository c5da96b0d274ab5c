/**
 * Prometheus metric families as an OTLP ExportMetricsServiceRequest (pure), the way Kuma's kuma-dp
 * maps them (app/kuma-dp/pkg/dataplane/metrics/metrics_format_mapper.go):
 * - names stay as Prometheus spells them (`envoy_cluster_upstream_rq_total`);
 * - counter -> cumulative monotonic Sum, gauge -> Gauge, histogram -> cumulative Histogram (the
 *   cumulative `le` buckets turned into per-bucket counts, +Inf not a bound), summary -> Summary;
 *   untyped families are left out (Kuma logs "unsupported metric type" and skips them);
 * - every data point carries its labels plus `mesh`, `dataplane`, `service` and the Dataplane's
 *   extraLabels, which win over a label of the same name (Go's attribute.NewSet keeps the last);
 * - the time of a point is its sample's timestamp, else the scrape's; no start time (Kuma's zero);
 * - one scope, `kuma` at kuma-dp's version (Kuma's scope for metrics that name none).
 * The resource is ours: Kuma's Go SDK sends its default (`service.name: unknown_service:kuma-dp`);
 * here `service.name` is the proxy's service, so a collector can tell proxies apart by resource.
 */
import {
  AggregationTemporality,
  type HistogramDataPoint,
  type Metric,
  type NumberDataPoint,
  type SummaryDataPoint,
} from '../../proto/gen/opentelemetry/proto/metrics/v1/metrics';
import type { ExportMetricsServiceRequest } from '../../proto/gen/opentelemetry/proto/collector/metrics/v1/metrics_service';
import type { KeyValue } from '../../proto/gen/opentelemetry/proto/common/v1/common';
import type { MetricFamily, Sample } from './prometheus-text';

export const OTEL_SCOPE = 'kuma';
const FALLBACK_SERVICE_NAME = 'unknown_service:kuma-dp';

export interface PushIdentity {
  mesh: string;
  dataplane: string;
  /** kuma.io/service of the proxy ("" when unknown). */
  service: string;
  extraLabels: Record<string, string>;
  kumaVersion: string;
}

const str = (key: string, value: string): KeyValue => ({ key, value: { value: { $case: 'stringValue', value } } });

function nanos(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

/** Labels then extras, later keys winning, sorted by key as an attribute set is. */
function attributesOf(labels: readonly [string, string][], extras: Record<string, string>, drop?: string): KeyValue[] {
  const m = new Map<string, string>();
  for (const [k, v] of labels) if (k !== drop) m.set(k, v);
  for (const [k, v] of Object.entries(extras)) m.set(k, v);
  return [...m.keys()].sort().map((k) => str(k, m.get(k)!));
}

function extrasOf(id: PushIdentity): Record<string, string> {
  const e: Record<string, string> = {};
  if (id.mesh) e.mesh = id.mesh;
  if (id.dataplane) e.dataplane = id.dataplane;
  if (id.service) e.service = id.service;
  return { ...e, ...id.extraLabels };
}

const timeOf = (s: Sample, scrapedAtMs: number): string => nanos(s.timestampMs ?? scrapedAtMs);

function numberPoints(f: MetricFamily, extras: Record<string, string>, at: number): NumberDataPoint[] {
  return f.samples
    .filter((s) => s.name === f.name)
    .map((s) => ({ attributes: attributesOf(s.labels, extras), startTimeUnixNano: '0', timeUnixNano: timeOf(s, at), value: { $case: 'asDouble', value: s.value }, exemplars: [], flags: 0 }));
}

/** The samples of one series of a histogram or summary: those whose labels, but `drop`, are equal. */
function series(f: MetricFamily, drop: string): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const key = JSON.stringify(s.labels.filter(([k]) => k !== drop).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(s);
  }
  return out;
}

/** An `le` label: Prometheus writes the last bucket as "+Inf", which Number() does not read. */
function boundOf(le: string | undefined): number {
  if (le === '+Inf' || le === 'Inf') return Infinity;
  return le === undefined || le === '' ? NaN : Number(le);
}

function histogramPoints(f: MetricFamily, extras: Record<string, string>, at: number): HistogramDataPoint[] {
  const out: HistogramDataPoint[] = [];
  for (const samples of series(f, 'le').values()) {
    const buckets = samples
      .filter((s) => s.name === `${f.name}_bucket`)
      .map((s) => ({ le: boundOf(s.labels.find(([k]) => k === 'le')?.[1]), count: s.value }))
      .filter((b) => !Number.isNaN(b.le))
      .sort((a, b) => a.le - b.le);
    const sum = samples.find((s) => s.name === `${f.name}_sum`);
    const count = samples.find((s) => s.name === `${f.name}_count`);
    const first = samples[0]!;
    out.push({
      attributes: attributesOf(first.labels, extras, 'le'),
      startTimeUnixNano: '0',
      timeUnixNano: timeOf(first, at),
      count: String(Math.round(count?.value ?? buckets.at(-1)?.count ?? 0)),
      sum: sum?.value ?? 0,
      explicitBounds: buckets.filter((b) => b.le !== Infinity).map((b) => b.le),
      // Prometheus buckets are cumulative; OTLP counts each bucket on its own.
      bucketCounts: buckets.map((b, i) => String(Math.round(b.count - (i > 0 ? buckets[i - 1]!.count : 0)))),
      exemplars: [],
      flags: 0,
    });
  }
  return out;
}

function summaryPoints(f: MetricFamily, extras: Record<string, string>, at: number): SummaryDataPoint[] {
  const out: SummaryDataPoint[] = [];
  for (const samples of series(f, 'quantile').values()) {
    const first = samples[0]!;
    out.push({
      attributes: attributesOf(first.labels, extras, 'quantile'),
      startTimeUnixNano: '0',
      timeUnixNano: timeOf(first, at),
      count: String(Math.round(samples.find((s) => s.name === `${f.name}_count`)?.value ?? 0)),
      sum: samples.find((s) => s.name === `${f.name}_sum`)?.value ?? 0,
      quantileValues: samples
        .filter((s) => s.name === f.name)
        .map((s) => ({ quantile: Number(s.labels.find(([k]) => k === 'quantile')?.[1] ?? NaN), value: s.value }))
        .filter((q) => !Number.isNaN(q.quantile)),
      flags: 0,
    });
  }
  return out;
}

function metricOf(f: MetricFamily, extras: Record<string, string>, at: number): Metric | undefined {
  const base = { name: f.name, description: f.help, unit: '', metadata: [] };
  switch (f.type) {
    case 'counter':
      return { ...base, data: { $case: 'sum', value: { dataPoints: numberPoints(f, extras, at), aggregationTemporality: AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, isMonotonic: true } } };
    case 'gauge':
      return { ...base, data: { $case: 'gauge', value: { dataPoints: numberPoints(f, extras, at) } } };
    case 'histogram':
      return { ...base, data: { $case: 'histogram', value: { dataPoints: histogramPoints(f, extras, at), aggregationTemporality: AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE } } };
    case 'summary':
      return { ...base, data: { $case: 'summary', value: { dataPoints: summaryPoints(f, extras, at) } } };
    case 'untyped':
      return undefined;
  }
}

export function otlpExportRequest(families: readonly MetricFamily[], id: PushIdentity, scrapedAtMs: number): ExportMetricsServiceRequest {
  const extras = extrasOf(id);
  const metrics = families.map((f) => metricOf(f, extras, scrapedAtMs)).filter((m): m is Metric => m !== undefined && m.data !== undefined);
  return {
    resourceMetrics: [
      {
        resource: { attributes: [str('service.name', id.service || FALLBACK_SERVICE_NAME)], droppedAttributesCount: 0 },
        scopeMetrics: [{ scope: { name: OTEL_SCOPE, version: id.kumaVersion, attributes: [], droppedAttributesCount: 0 }, metrics, schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}
