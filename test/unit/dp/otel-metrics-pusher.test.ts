/**
 * The pusher's lifecycle against a real OTLP/gRPC MetricsService on a unix socket (where Envoy's
 * pipe listener would be) and an HTTP server serving Prometheus text where Envoy's admin would be:
 * exports start with the conf, follow interval changes, and stop, their state freed, when the
 * backend leaves the conf or the pusher stops.
 */
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import type net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExportMetricsServiceRequest, MetricsServiceService } from '../../../proto/gen/opentelemetry/proto/collector/metrics/v1/metrics_service';
import type { MeshMetricDpConfig } from '../../../internal/core/metrics-sockets';
import { OtelMetricsPusher } from '../../../internal/dp/otel-metrics-pusher';

const STATS = '# TYPE envoy_server_live gauge\nenvoy_server_live{} 1\n';

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('OpenTelemetry metrics pusher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kuma-otel-pusher-'));
  const socket = join(dir, 'otel.sock');
  const received: ExportMetricsServiceRequest[] = [];
  let server: grpc.Server;
  let admin: http.Server;
  let adminPort: number;

  const conf = (backends: { name: string; interval: string }[]): MeshMetricDpConfig => ({
    sidecar: { includeUnused: false, profiles: { appendProfiles: [], include: [], exclude: [] } },
    applications: [],
    backends: backends.map((b) => ({ type: 'OpenTelemetry', name: b.name, openTelemetry: { endpoint: socket, refreshInterval: b.interval } })),
    extraLabels: { kuma_io_service: 'web' },
  });

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(MetricsServiceService, {
      export: (call: grpc.ServerUnaryCall<ExportMetricsServiceRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        received.push(call.request);
        cb(null, {});
      },
    });
    await new Promise<void>((resolve, reject) => server.bindAsync(`unix:${socket}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
    admin = http.createServer((req, res) => res.writeHead(req.url?.startsWith('/stats/prometheus') ? 200 : 404).end(STATS));
    await new Promise<void>((r) => admin.listen(0, '127.0.0.1', r));
    adminPort = (admin.address() as net.AddressInfo).port;
  });

  afterAll(() => {
    server.forceShutdown();
    admin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes while the backend is in the conf and forgets it when it leaves', async () => {
    const p = new OtelMetricsPusher({ admin: { host: '127.0.0.1', port: adminPort }, mesh: 'default', dataplane: 'web-01' });
    p.setConfig(conf([{ name: 'collector-4317', interval: '50ms' }]));
    expect(p.backends).toEqual(['collector-4317']);
    await until(() => received.length >= 2);
    const req = received[0]!;
    expect(req.resourceMetrics[0]!.scopeMetrics[0]!.metrics.map((m) => m.name)).toEqual(['envoy_server_live']);

    p.setConfig(conf([]));
    expect(p.backends).toEqual([]);
    p.setConfig(undefined);
    expect(p.backends).toEqual([]);
    p.stop();
  });

  it('restarts an exporter whose interval changed, keeps one that did not, and starts nothing after stop', () => {
    const log: string[] = [];
    const q = new OtelMetricsPusher({
      admin: { host: '127.0.0.1', port: adminPort },
      mesh: 'default',
      dataplane: 'web-01',
      log: { info: (o, msg) => log.push(`${msg} ${JSON.stringify(o)}`), warn: () => {} },
    });
    q.setConfig(conf([{ name: 'a', interval: '1h' }]));
    q.setConfig(conf([{ name: 'a', interval: '1h' }]));
    q.setConfig(conf([{ name: 'a', interval: '2h' }]));
    expect(log.filter((l) => l.startsWith('starting'))).toHaveLength(2);
    expect(log.filter((l) => l.includes('"why":"reconfigured"'))).toHaveLength(1);
    q.stop();
    expect(q.backends).toEqual([]);
    q.setConfig(conf([{ name: 'a', interval: '1h' }]));
    expect(q.backends).toEqual([]);
  });
});
