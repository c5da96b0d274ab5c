/**
 * kuma-dp's MeshMetric OpenTelemetry pusher (Kuma app/kuma-dp/pkg/dataplane/meshmetrics/manager.go):
 * one exporter per OpenTelemetry backend of the conf Envoy serves. Every `refreshInterval` (Kuma's
 * periodic reader: the first push one interval after the start) it reads Envoy's Prometheus stats
 * (`usedonly` unless `includeUnused`, trimmed by the sidecar profiles) and each application's
 * metrics, maps them to OTLP (otlp-metrics.ts) and calls
 * `opentelemetry.proto.collector.metrics.v1.MetricsService/Export` on the backend's unix socket,
 * where Envoy forwards the call to the collector. A backend that leaves the conf is stopped and its
 * channel closed; one whose socket or interval changes is restarted, as Kuma's manager does.
 *
 * OTLP is encoded with the ts-proto messages generated from the vendored opentelemetry-proto and
 * sent with @grpc/grpc-js, which the CP already uses: the OpenTelemetry JS SDK would add a meter
 * pipeline built for instruments, while here the data is already aggregated by Envoy.
 */
import * as grpc from '@grpc/grpc-js';
import { MetricsServiceClient } from '../../proto/gen/opentelemetry/proto/collector/metrics/v1/metrics_service';
import type { MeshMetricDpConfig, OtelMetricBackend } from '../core/metrics-sockets';
import { durationMs } from '../resources/validation';
import { VERSION } from '../version';
import { scrapeApplication } from './app-metrics';
import { type AdminAddress, getAdmin } from './envoy-admin';
import { filterPrometheusText } from './metrics-filter';
import { otlpExportRequest } from './otlp-metrics';
import { type MetricFamily, parsePrometheusText } from './prometheus-text';

/** Kuma's DefaultRefreshInterval. */
export const DEFAULT_REFRESH_INTERVAL_MS = 60_000;
/** The OTLP exporter's default timeout of one export. */
const EXPORT_TIMEOUT_MS = 10_000;

export interface PusherLog {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
}

export interface PusherOptions {
  admin: AdminAddress;
  mesh: string;
  dataplane: string;
  log?: PusherLog;
}

interface Running {
  backend: OtelMetricBackend;
  client: MetricsServiceClient;
  timer: NodeJS.Timeout | undefined;
  /** Set after a failed export, so a collector that is down is reported once, not every interval. */
  failing: boolean;
}

const sameBackend = (a: OtelMetricBackend, b: OtelMetricBackend): boolean =>
  a.openTelemetry.endpoint === b.openTelemetry.endpoint && a.openTelemetry.refreshInterval === b.openTelemetry.refreshInterval;

export class OtelMetricsPusher {
  readonly #o: PusherOptions;
  /** One entry per backend being pushed to; deleted (timer cleared, channel closed) when it stops. */
  readonly #running = new Map<string, Running>();
  #config: MeshMetricDpConfig | undefined;
  /** After stop() no conf starts anything again (a config poll may still be in flight). */
  #stopped = false;

  constructor(o: PusherOptions) {
    this.#o = o;
  }

  /** The names of the backends being pushed to. */
  get backends(): string[] {
    return [...this.#running.keys()];
  }

  /** Follows a new conf (undefined: no MeshMetric any more): starts, restarts and stops exporters. */
  setConfig(config: MeshMetricDpConfig | undefined): void {
    if (this.#stopped) return;
    this.#config = config;
    const wanted = new Map((config?.backends ?? []).filter((b) => b.type === 'OpenTelemetry').map((b) => [b.name, b]));
    for (const [name, r] of this.#running) {
      const w = wanted.get(name);
      if (!w || !sameBackend(w, r.backend)) this.#stopBackend(name, w ? 'reconfigured' : 'no longer in the MeshMetric');
    }
    for (const [name, b] of wanted) if (!this.#running.has(name)) this.#start(name, b);
  }

  /** Stops every exporter; nothing is pushed afterwards. */
  stop(): void {
    this.#stopped = true;
    for (const name of [...this.#running.keys()]) this.#stopBackend(name, 'kuma-dp is stopping');
  }

  #start(name: string, backend: OtelMetricBackend): void {
    let intervalMs = durationMs(backend.openTelemetry.refreshInterval);
    if (intervalMs === undefined || intervalMs <= 0) {
      this.#o.log?.warn({ backend: name, refreshInterval: backend.openTelemetry.refreshInterval }, 'unusable refreshInterval; pushing every minute');
      intervalMs = DEFAULT_REFRESH_INTERVAL_MS;
    }
    const client = new MetricsServiceClient(`unix:${backend.openTelemetry.endpoint}`, grpc.credentials.createInsecure());
    const r: Running = { backend, client, timer: undefined, failing: false };
    this.#running.set(name, r);
    this.#o.log?.info({ backend: name, socket: backend.openTelemetry.endpoint, intervalMs }, 'starting the OpenTelemetry metrics exporter');
    const tick = () => {
      void this.#push(name, r).finally(() => {
        if (this.#running.get(name) === r) r.timer = setTimeout(tick, intervalMs);
      });
    };
    r.timer = setTimeout(tick, intervalMs);
  }

  #stopBackend(name: string, why: string): void {
    const r = this.#running.get(name);
    if (!r) return;
    this.#running.delete(name);
    clearTimeout(r.timer);
    r.client.close();
    this.#o.log?.info({ backend: name, why }, 'stopped the OpenTelemetry metrics exporter');
  }

  async #push(name: string, r: Running): Promise<void> {
    const at = Date.now();
    const families = await this.#collect();
    // Stopped while scraping: the conf that wanted this push is gone.
    if (this.#running.get(name) !== r) return;
    const conf = this.#config;
    const service = conf?.extraLabels.kuma_io_service ?? '';
    const request = otlpExportRequest(families, { mesh: this.#o.mesh, dataplane: this.#o.dataplane, service, extraLabels: conf?.extraLabels ?? {}, kumaVersion: VERSION }, at);
    try {
      await new Promise<void>((resolve, reject) => {
        r.client.export(request, new grpc.Metadata(), { deadline: Date.now() + EXPORT_TIMEOUT_MS }, (err) => (err ? reject(err) : resolve()));
      });
      if (r.failing) this.#o.log?.info({ backend: name }, 'OpenTelemetry metrics export works again');
      r.failing = false;
    } catch (e) {
      if (!r.failing) this.#o.log?.warn({ backend: name, err: (e as Error).message }, 'OpenTelemetry metrics export failed; retrying at the next interval');
      r.failing = true;
    }
  }

  async #collect(): Promise<MetricFamily[]> {
    const conf = this.#config;
    const out: MetricFamily[] = [];
    try {
      const envoy = await getAdmin(this.#o.admin, `/stats/prometheus${conf?.sidecar.includeUnused === true ? '' : '?usedonly'}`);
      if (envoy.status !== 200) throw new Error(`status ${envoy.status}`);
      out.push(...parsePrometheusText(conf ? filterPrometheusText(envoy.body, conf.sidecar.profiles) : envoy.body));
    } catch (e) {
      this.#o.log?.warn({ err: (e as Error).message }, "could not read Envoy's stats; pushing the applications' metrics only");
    }
    const apps = await Promise.all((conf?.applications ?? []).map((a) => scrapeApplication(a, this.#o.log)));
    for (const text of apps) if (text !== undefined) out.push(...parsePrometheusText(text));
    return out;
  }
}
