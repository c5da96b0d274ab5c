/**
 * kuma-dp's metrics hijacker (Kuma's app/kuma-dp/pkg/dataplane/metrics): the scrape listener the
 * control plane generates for a MeshMetric Prometheus backend ends here, on a unix socket. A scrape
 * gets Envoy's `/stats/prometheus` trimmed by the sidecar profiles, followed by each application's
 * metrics as they are. The MeshMetric conf comes from Envoy itself: the `_kuma:dynamicconfig`
 * listener answers it on another unix socket, polled every second, so a policy change is picked up
 * without restarting anything; `onConfig` hears every change (the OpenTelemetry pusher follows it).
 * The policy is gone when Envoy answers its admin but no longer the config socket: the conf is
 * then dropped, while an Envoy that does not answer at all (starting, restarting) keeps it.
 * An application that does not answer is left out of that scrape.
 */
import { unlinkSync } from 'node:fs';
import http from 'node:http';
import { METRICS_CONFIG_PATH, type MeshMetricDpConfig } from '../core/metrics-sockets';
import { type AdminAddress, getAdmin } from './envoy-admin';
import { filterPrometheusText } from './metrics-filter';
import { scrapeApplication } from './app-metrics';

export const CONFIG_POLL_INTERVAL_MS = 1_000;
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface HijackerLog {
  warn(o: object, msg: string): void;
}

export interface HijackerOptions {
  socketPath: string;
  configSocketPath: string;
  admin: AdminAddress;
  log?: HijackerLog;
  pollIntervalMs?: number;
  /** Called with each new conf, and with undefined once no MeshMetric selects the proxy any more. */
  onConfig?: (config: MeshMetricDpConfig | undefined) => void;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* absent */
  }
}

export class MetricsHijacker {
  readonly #o: HijackerOptions;
  #server: http.Server | undefined;
  #timer: NodeJS.Timeout | undefined;
  #config: MeshMetricDpConfig | undefined;
  #rawConfig = '';

  constructor(o: HijackerOptions) {
    this.#o = o;
  }

  /** The conf last read from Envoy; undefined until a MeshMetric selects the proxy. */
  get config(): MeshMetricDpConfig | undefined {
    return this.#config;
  }

  async start(): Promise<void> {
    // A socket left by a killed kuma-dp of the same name would make listen fail.
    unlinkQuietly(this.#o.socketPath);
    const server = http.createServer((req, res) => {
      this.#scrape()
        .then((body) => {
          res.writeHead(200, { 'content-type': CONTENT_TYPE });
          res.end(body);
        })
        .catch((e: Error) => {
          res.writeHead(503, { 'content-type': 'text/plain' });
          res.end(`could not read Envoy's stats: ${e.message}\n`);
        });
      req.resume();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#o.socketPath, () => resolve());
    });
    this.#server = server;
    const tick = () => {
      void this.refreshConfig().finally(() => {
        if (this.#server) this.#timer = setTimeout(tick, this.#o.pollIntervalMs ?? CONFIG_POLL_INTERVAL_MS);
      });
    };
    tick();
  }

  /** Reads the conf Envoy serves; keeps the last one while Envoy is not up yet. */
  async refreshConfig(): Promise<void> {
    let res: { status: number; body: string };
    try {
      res = await getAdmin({ socketPath: this.#o.configSocketPath }, METRICS_CONFIG_PATH);
    } catch {
      // No listener on the socket: no MeshMetric, or Envoy is not serving yet.
      if (this.#config && (await this.#envoyAnswers())) this.#set(undefined, '');
      return;
    }
    if (res.status !== 200 || res.body === this.#rawConfig) return;
    try {
      this.#set(JSON.parse(res.body) as MeshMetricDpConfig, res.body);
    } catch (e) {
      this.#o.log?.warn({ err: (e as Error).message }, 'could not read the MeshMetric conf Envoy serves; keeping the previous one');
    }
  }

  async #envoyAnswers(): Promise<boolean> {
    try {
      await getAdmin(this.#o.admin, '/ready');
      return true;
    } catch {
      return false;
    }
  }

  #set(config: MeshMetricDpConfig | undefined, raw: string): void {
    this.#config = config;
    this.#rawConfig = raw;
    this.#o.onConfig?.(config);
  }

  async #scrape(): Promise<string> {
    const conf = this.#config;
    const usedOnly = conf?.sidecar.includeUnused === true ? '' : '?usedonly';
    const envoy = await getAdmin(this.#o.admin, `/stats/prometheus${usedOnly}`);
    if (envoy.status !== 200) throw new Error(`status ${envoy.status}`);
    const parts = [conf ? filterPrometheusText(envoy.body, conf.sidecar.profiles) : envoy.body];
    const apps = await Promise.all((conf?.applications ?? []).map((a) => scrapeApplication(a, this.#o.log)));
    for (const a of apps) if (a) parts.push(a.endsWith('\n') ? a : `${a}\n`);
    return parts.join('');
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    const s = this.#server;
    this.#server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    unlinkQuietly(this.#o.socketPath);
  }
}
