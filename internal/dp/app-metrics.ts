/**
 * One scrape of an application's metrics endpoint (MeshMetric `applications[]`), shared by the
 * hijacker (Prometheus) and the OpenTelemetry pusher. An application that does not answer is left
 * out of that round, with a warning, so the proxy's own metrics still go out.
 */
import type { MeshMetricDpConfig } from '../core/metrics-sockets';

export const APP_SCRAPE_TIMEOUT_MS = 5_000;

export interface AppScrapeLog {
  warn(o: object, msg: string): void;
}

export type Application = MeshMetricDpConfig['applications'][number];

export async function scrapeApplication(a: Application, log?: AppScrapeLog): Promise<string | undefined> {
  const host = a.address.includes(':') ? `[${a.address}]` : a.address;
  try {
    const res = await fetch(`http://${host}:${a.port}${a.path}`, { signal: AbortSignal.timeout(APP_SCRAPE_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`status ${res.status}`);
    return await res.text();
  } catch (e) {
    log?.warn({ app: a.name, address: a.address, port: a.port, path: a.path, err: (e as Error).message }, 'could not scrape application metrics');
    return undefined;
  }
}
