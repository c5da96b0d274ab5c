/** Diagnostics (:5680): /ready once every component started, /healthy while the process serves, /metrics for Prometheus. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logger } from '../log/logger';

/** What /metrics serves: the Prometheus text exposition (internal/metrics CpMetrics). */
export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

export async function startDiagnosticsServer(port: number, iface: string, isReady: () => boolean, metrics?: MetricsSource): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthy') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('');
    }
    if (path === '/ready') {
      const ok = isReady();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      return res.end(ok ? '' : 'not ready');
    }
    if (path === '/metrics' && metrics) {
      metrics.text().then(
        (body) => {
          res.writeHead(200, { 'content-type': metrics.contentType });
          res.end(body);
        },
        (e: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`collecting metrics failed: ${e.message}`);
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`not found; try /ready, /healthy${metrics ? ' or /metrics' : ''}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, iface, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  logger('diagnostics').info({ port: bound }, 'diagnostics server listening');
  return { server, port: bound };
}
