/**
 * MeshMetric on a real Envoy sidecar of one zone CP:
 * - a Prometheus backend opens the scrape listener on the Dataplane address; a scrape returns
 *   Envoy's stats through kuma-dp's hijacker, trimmed by the profile (an excluded family is gone,
 *   an included one stays), followed by the application's own metrics (`applications[]`);
 * - a new port moves the listener (the old port stops answering), no restart involved;
 * - deleting the policy removes it.
 * The app's metrics endpoint is a small HTTP server of the test.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, type Proc, type Proxy, eventually, freePort, kumactlHome, removeDir, runKuma, spawnKuma, startCp, startProxy } from './harness';

const APP_METRICS = '# TYPE my_app_requests_total counter\nmy_app_requests_total{route="/"} 42\n';

const MESH_METRIC = (port: number, appPort: number) => `type: MeshMetric
mesh: default
name: metrics-all
spec:
  targetRef: { kind: Mesh }
  default:
    sidecar:
      includeUnused: true
      profiles:
        exclude: [{ type: Prefix, match: envoy_cluster_ }]
        include: [{ type: Contains, match: upstream_rq_total }]
    applications:
    - { name: app, path: /app-metrics, port: ${appPort} }
    backends:
    - type: Prometheus
      prometheus: { port: ${port}, path: /metrics }
`;

async function scrape(port: number): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
  return { status: r.status, body: await r.text() };
}

async function refused(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) });
    return false;
  } catch {
    return true;
  }
}

describe('MeshMetric Prometheus backend on real Envoy', () => {
  let cp: ControlPlane;
  let home: string;
  let appMetrics: http.Server | undefined;
  let proxy: Proxy | undefined;
  const procs: Proc[] = [];
  const ports: Record<string, number> = {};

  const apply = async (yaml: string) => {
    const file = join(home, 'mesh-metric.yaml');
    writeFileSync(file, yaml);
    const r = await runKuma(['apply', '-f', file], { home });
    expect(r.code, r.stderr).toBe(0);
  };

  beforeAll(async () => {
    for (const k of ['dp', 'in', 'app', 'scrape1', 'scrape2']) ports[k] = await freePort();
    appMetrics = http.createServer((req, res) => {
      if (req.url === '/app-metrics') res.writeHead(200, { 'content-type': 'text/plain' }).end(APP_METRICS);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => appMetrics!.listen(0, '127.0.0.1', r));
    ports.appMetrics = (appMetrics.address() as net.AddressInfo).port;

    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_PORT: String(ports.dp) } });
    home = await kumactlHome(cp);
    procs.push(spawnKuma(['demo-app', 'http', '--port', String(ports.app), '--service', 'backend', '--instance', 'mm-backend-1'], { home }));
    const tok = await runKuma(['generate', 'dataplane-token', '--mesh', 'default', '--name', 'mm-backend-1', '--valid-for', '1h'], { home });
    expect(tok.code, tok.stderr).toBe(0);
    const tokenFile = join(home, 'backend.token');
    writeFileSync(tokenFile, tok.stdout.trim());
    const yaml = `type: Dataplane
mesh: default
name: mm-backend-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${ports.in}
    servicePort: ${ports.app}
    tags: { kuma.io/service: backend, kuma.io/protocol: http }
`;
    proxy = await startProxy({ cp, home, name: 'mm-backend-1', yaml, tokenFile });
  }, 90_000);

  afterAll(async () => {
    await proxy?.dp.stop('SIGKILL');
    for (const p of procs) await p.stop('SIGKILL');
    appMetrics?.close();
    await cp?.kill9();
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('a scrape returns the trimmed Envoy stats and the application metrics', { timeout: 60_000 }, async () => {
    await apply(MESH_METRIC(ports.scrape1!, ports.appMetrics!));
    const body = await eventually(async () => {
      const r = await scrape(ports.scrape1!);
      expect(r.status).toBe(200);
      // The app's part shows once kuma-dp has read the conf from Envoy's dynamic config listener.
      expect(r.body).toContain('my_app_requests_total{route="/"} 42');
      return r.body;
    }, 30_000);
    expect(body).toMatch(/^envoy_cluster_upstream_rq_total\{/m); // included back
    expect(body).not.toMatch(/^envoy_cluster_bind_errors/m); // excluded by the prefix
    expect(body).toMatch(/^envoy_server_live/m); // outside the exclude: the default profile (All) keeps it
    expect(body).toContain('# TYPE envoy_server_live gauge');
  });

  it('a new port moves the scrape listener', { timeout: 60_000 }, async () => {
    await apply(MESH_METRIC(ports.scrape2!, ports.appMetrics!));
    await eventually(async () => expect((await scrape(ports.scrape2!)).body).toContain('my_app_requests_total'), 30_000);
    await eventually(async () => expect(await refused(ports.scrape1!)).toBe(true), 30_000);
  });

  it('deleting the policy removes the listener', { timeout: 60_000 }, async () => {
    const r = await runKuma(['delete', 'meshmetric', 'metrics-all', '--mesh', 'default'], { home });
    expect(r.code, r.stderr).toBe(0);
    await eventually(async () => expect(await refused(ports.scrape2!)).toBe(true), 30_000);
  });
});
