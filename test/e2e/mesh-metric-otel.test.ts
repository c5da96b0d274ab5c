/**
 * MeshMetric OpenTelemetry backend on a real Envoy sidecar of one zone CP: kuma-dp pushes Envoy's
 * stats and the application's metrics as OTLP/gRPC to its unix socket, Envoy's
 * `_kuma:metrics:opentelemetry:<backend>` listener forwards them through the collector cluster to
 * a MetricsService this test runs on loopback (@grpc/grpc-js with the vendored OTLP proto, so
 * what arrives is decoded from the real protobuf). Deleting the policy stops the pushes.
 * Without an Envoy the suite fails (envoyBinary throws), it is not skipped.
 */
import * as grpc from '@grpc/grpc-js';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExportMetricsServiceRequest, MetricsServiceService } from '../../proto/gen/opentelemetry/proto/collector/metrics/v1/metrics_service';
import type { KeyValue } from '../../proto/gen/opentelemetry/proto/common/v1/common';
import type { Metric } from '../../proto/gen/opentelemetry/proto/metrics/v1/metrics';
import { envoyBinary } from '../support/envoy';
import { type ControlPlane, type Proc, type Proxy, eventually, freePort, kumactlHome, removeDir, runKuma, spawnKuma, startCp, startProxy } from './harness';

const NAME = 'mo-backend-1';
const APP_METRICS = '# TYPE my_app_requests_total counter\nmy_app_requests_total{route="/"} 42\n';
/** Short, so the test sees several pushes; Kuma's default is 1m. */
const REFRESH_S = 1;

const POLICY = (collector: string, appPort: number) => `type: MeshMetric
mesh: default
name: metrics-otel
spec:
  targetRef: { kind: Mesh }
  default:
    applications:
    - { name: app, path: /app-metrics, port: ${appPort} }
    backends:
    - type: OpenTelemetry
      openTelemetry: { endpoint: "${collector}", refreshInterval: ${REFRESH_S}s }
`;

interface Received {
  resource: Record<string, unknown>;
  scope: string;
  metrics: Metric[];
}

const attrs = (kvs: readonly KeyValue[]): Record<string, unknown> => Object.fromEntries(kvs.map((kv) => [kv.key, kv.value?.value?.value]));

function points(m: Metric): { attributes: KeyValue[]; value?: { value: unknown } }[] {
  return ((m.data?.value as { dataPoints?: { attributes: KeyValue[]; value?: { value: unknown } }[] } | undefined)?.dataPoints ?? []);
}

describe('MeshMetric OpenTelemetry backend on real Envoy', () => {
  let cp: ControlPlane;
  let home: string;
  let collector: grpc.Server;
  let appMetrics: http.Server | undefined;
  let proxy: Proxy | undefined;
  const received: Received[] = [];
  const procs: Proc[] = [];
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    envoyBinary();
    for (const k of ['dp', 'in', 'app']) ports[k] = await freePort();
    collector = new grpc.Server();
    collector.addService(MetricsServiceService, {
      export: (call: grpc.ServerUnaryCall<ExportMetricsServiceRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        for (const rm of call.request.resourceMetrics) {
          for (const sm of rm.scopeMetrics) received.push({ resource: attrs(rm.resource?.attributes ?? []), scope: sm.scope?.name ?? '', metrics: sm.metrics });
        }
        cb(null, {});
      },
    });
    const collectorPort = await new Promise<number>((resolve, reject) =>
      collector.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    appMetrics = http.createServer((req, res) => {
      if (req.url === '/app-metrics') res.writeHead(200, { 'content-type': 'text/plain' }).end(APP_METRICS);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => appMetrics!.listen(0, '127.0.0.1', r));
    ports.appMetrics = (appMetrics.address() as net.AddressInfo).port;

    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_PORT: String(ports.dp) } });
    home = await kumactlHome(cp);
    const file = join(home, 'policy.yaml');
    writeFileSync(file, POLICY(`127.0.0.1:${collectorPort}`, ports.appMetrics));
    const applied = await runKuma(['apply', '-f', file], { home });
    expect(applied.code, applied.stderr).toBe(0);

    procs.push(spawnKuma(['demo-app', 'http', '--port', String(ports.app), '--service', 'backend', '--instance', NAME], { home }));
    const tok = await runKuma(['generate', 'dataplane-token', '--mesh', 'default', '--name', NAME, '--valid-for', '1h'], { home });
    expect(tok.code, tok.stderr).toBe(0);
    const tokenFile = join(home, 'backend.token');
    writeFileSync(tokenFile, tok.stdout.trim());
    const yaml = `type: Dataplane
mesh: default
name: ${NAME}
networking:
  address: 127.0.0.1
  inbound:
  - port: ${ports.in}
    servicePort: ${ports.app}
    tags: { kuma.io/service: backend, kuma.io/protocol: http, version: v1 }
`;
    proxy = await startProxy({ cp, home, name: NAME, yaml, tokenFile });
  }, 90_000);

  afterAll(async () => {
    await proxy?.dp.stop('SIGKILL');
    for (const p of procs) await p.stop('SIGKILL');
    appMetrics?.close();
    collector?.forceShutdown();
    await cp?.kill9();
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('pushes Envoy stats and the application metrics with the proxy attributes', { timeout: 60_000 }, async () => {
    // A request through the inbound, so its cluster's upstream_rq_total is "used" (Kuma pushes usedonly).
    await eventually(async () => expect((await fetch(`http://127.0.0.1:${ports.in}/otel-metrics`)).status).toBe(200), 20_000);
    const { push, rq } = await eventually(() => {
      const push = received.find((r) => r.metrics.some((m) => m.name === 'envoy_cluster_upstream_rq_total'));
      expect(push).toBeDefined();
      const rq = push!.metrics.find((m) => m.name === 'envoy_cluster_upstream_rq_total')!;
      return { push: push!, rq };
    }, 30_000);
    expect(push.resource).toEqual({ 'service.name': 'backend' });
    expect(push.scope).toBe('kuma');
    expect(rq.data?.$case).toBe('sum');
    const inbound = points(rq).map((p) => attrs(p.attributes)).find((a) => String(a.envoy_cluster_name).startsWith('localhost'));
    expect(inbound).toMatchObject({ mesh: 'default', dataplane: NAME, service: 'backend', kuma_io_service: 'backend', version: 'v1', versions: ',v1,' });
    // The application's counter arrives in the same push, with the same attributes.
    const app = push.metrics.find((m) => m.name === 'my_app_requests_total');
    expect(app).toBeDefined();
    expect(points(app!).map((p) => [attrs(p.attributes), p.value?.value])).toEqual([[expect.objectContaining({ route: '/', dataplane: NAME, mesh: 'default' }), 42]]);
  });

  it('stops pushing once the MeshMetric is deleted', { timeout: 60_000 }, async () => {
    const r = await runKuma(['delete', 'meshmetric', 'metrics-otel', '--mesh', 'default'], { home });
    expect(r.code, r.stderr).toBe(0);
    await eventually(() => expect(proxy!.dp.logs()).toMatch(/stopped the OpenTelemetry metrics exporter[^\n]*no longer in the MeshMetric|no longer in the MeshMetric[^\n]*stopped the OpenTelemetry metrics exporter/), 30_000);
    const after = received.length;
    // Several refresh intervals go by without a push.
    await new Promise((res) => setTimeout(res, 4 * REFRESH_S * 1000));
    expect(received.length).toBe(after);
  });
});
