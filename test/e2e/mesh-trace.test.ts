/**
 * MeshTrace backends on real Envoy sidecars of one zone CP. The test's collector is a small HTTP
 * server on loopback: Zipkin v2 JSON spans POSTed to /api/v2/spans, and the other tracers' exports.
 *
 * - Requests from `client` through its outbound to `backend` produce a CLIENT span from the client
 *   sidecar and a SERVER span from the backend sidecar, in one trace, each named by its proxy's
 *   kuma.io/service and carrying the configured literal tag and the header tag (its default when
 *   the request has no such header).
 * - With `sampling.overall: 0` the same traffic produces no span: after the sidecars run the new
 *   config, the collector gets nothing for those requests past Envoy's Zipkin flush interval.
 * - The same policy switched to an OpenTelemetry backend with an http URL (OTLP/HTTP), a `host:port`
 *   one (OTLP/gRPC over the HTTP/2 collector cluster, to a plaintext HTTP/2 server here) and a
 *   Datadog agent URL: the same server gets each tracer's export (protobuf, msgpack), and the
 *   payloads name the services and carry the tag. The payloads are not decoded; the service fields
 *   are matched as their encoded bytes (an OTLP resource attribute `service.name`, a msgpack
 *   `service` key), so a service named only in another tag does not count.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, type Proc, type Proxy, eventually, freePort, kumactlHome, removeDir, runKuma, spawnKuma, startCp, startProxy } from './harness';

/** Envoy's Zipkin tracer flushes buffered spans every 5 s (runtime tracing.zipkin.flush_interval_ms). */
const ZIPKIN_FLUSH_MS = 5_000;

interface ZipkinSpan {
  traceId: string;
  id: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

const ZIPKIN = (url: string) => `type: Zipkin
      zipkin: { url: "${url}" }`;

const MESH_TRACE = (backend: string, sampling = '') => `type: MeshTrace
mesh: default
name: trace-all
spec:
  targetRef: { kind: Mesh }
  default:
    backends:
    - ${backend}
    tags:
    - { name: team, literal: core }
    - name: env
      header: { name: x-env, default: prod }
${sampling}`;

/** OTLP: KeyValue{key: "service.name", value: AnyValue{string_value: name}} as protobuf bytes. */
function otlpServiceName(name: string): Buffer {
  const key = Buffer.from('service.name');
  const value = Buffer.from(name);
  return Buffer.concat([Buffer.from([0x0a, key.length]), key, Buffer.from([0x12, value.length + 2, 0x0a, value.length]), value]);
}

/** Datadog's msgpack span: the `service` key and its value, as str32 (what Envoy's dd-trace-cpp writes). */
function msgpackServiceName(name: string): Buffer {
  const str32 = (x: string) => {
    const b = Buffer.alloc(5);
    b[0] = 0xdb;
    b.writeUInt32BE(Buffer.byteLength(x), 1);
    return Buffer.concat([b, Buffer.from(x)]);
  };
  return Buffer.concat([str32('service'), str32(name)]);
}

async function configDump(admin: number): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${admin}/config_dump?resource=dynamic_listeners`);
  expect(r.status).toBe(200);
  return r.text();
}

describe('MeshTrace backends on real Envoy', () => {
  let cp: ControlPlane;
  let home: string;
  let collector: http.Server | undefined;
  let grpcCollector: http2.Http2Server | undefined;
  let grpcAddress = '';
  let collectorUrl = '';
  let collectorBase = '';
  const spans: ZipkinSpan[] = [];
  const badPosts: string[] = [];
  /** Every other request the collector got: OTLP/HTTP and Datadog agent traffic. */
  const received: { method: string; path: string; contentType: string; body: Buffer }[] = [];
  const procs: Proc[] = [];
  const proxies: Record<string, Proxy> = {};
  const ports: Record<string, number> = {};

  const apply = async (yaml: string) => {
    const file = join(home, 'mesh-trace.yaml');
    writeFileSync(file, yaml);
    const r = await runKuma(['apply', '-f', file], { home });
    expect(r.code, r.stderr).toBe(0);
  };
  const spansFor = (path: string) => spans.filter((s) => (s.tags?.['http.url'] ?? '').includes(path));

  beforeAll(async () => {
    for (const k of ['dp', 'backendIn', 'backendApp', 'clientIn', 'clientApp', 'outBackend']) ports[k] = await freePort();
    collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.method === 'POST' && req.url === '/api/v2/spans') {
          try {
            spans.push(...(JSON.parse(body.toString()) as ZipkinSpan[]));
          } catch {
            badPosts.push(body.toString());
          }
        } else {
          received.push({ method: req.method ?? '', path: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), body });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector!.listen(0, '127.0.0.1', r));
    collectorBase = `http://127.0.0.1:${(collector.address() as net.AddressInfo).port}`;
    // OTLP/gRPC: each Export call is answered with an empty ExportTraceServiceResponse and grpc-status 0.
    grpcCollector = http2.createServer();
    grpcCollector.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('end', () => {
        received.push({ method: String(headers[':method']), path: String(headers[':path']), contentType: String(headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.alloc(5));
      });
    });
    await new Promise<void>((r) => grpcCollector!.listen(0, '127.0.0.1', r));
    grpcAddress = `127.0.0.1:${(grpcCollector.address() as net.AddressInfo).port}`;
    collectorUrl = `${collectorBase}/api/v2/spans`;

    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_PORT: String(ports.dp) } });
    home = await kumactlHome(cp);
    await apply(MESH_TRACE(ZIPKIN(collectorUrl)));

    const dataplane = (svc: string, extra = '') => `type: Dataplane
mesh: default
name: mt-${svc}-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${ports[`${svc}In`]}
    servicePort: ${ports[`${svc}App`]}
    tags: { kuma.io/service: ${svc}, kuma.io/protocol: http }
${extra}`;
    const client = dataplane('client', `  outbound:\n  - port: ${ports.outBackend}\n    tags: { kuma.io/service: backend }\n`);
    await Promise.all(
      [['backend', dataplane('backend')], ['client', client]].map(async ([svc, yaml]) => {
        procs.push(spawnKuma(['demo-app', 'http', '--port', String(ports[`${svc}App`]), '--service', svc!, '--instance', `mt-${svc}-1`], { home }));
        const tok = await runKuma(['generate', 'dataplane-token', '--mesh', 'default', '--name', `mt-${svc}-1`, '--valid-for', '1h'], { home });
        expect(tok.code, tok.stderr).toBe(0);
        const tokenFile = join(home, `${svc}.token`);
        writeFileSync(tokenFile, tok.stdout.trim());
        proxies[svc!] = await startProxy({ cp, home, name: `mt-${svc}-1`, yaml: yaml!, tokenFile });
      }),
    );
  }, 90_000);

  afterAll(async () => {
    for (const p of Object.values(proxies)) await p.dp.stop('SIGKILL');
    for (const p of procs) await p.stop('SIGKILL');
    collector?.close();
    grpcCollector?.close();
    await cp?.kill9();
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('client and server spans reach the Zipkin collector with the services and the configured tags', { timeout: 60_000 }, async () => {
    for (const p of Object.values(proxies)) await eventually(async () => expect(await configDump(p.admin)).toContain('envoy.tracers.zipkin'), 20_000);
    const url = `http://127.0.0.1:${ports.outBackend}/traced`;
    await eventually(async () => expect((await fetch(url)).status).toBe(200), 20_000);
    for (let i = 0; i < 3; i++) expect((await fetch(url, { headers: { 'x-env': 'staging' } })).status).toBe(200);

    const traced = await eventually(() => {
      const got = spansFor('/traced');
      expect(got.some((s) => s.localEndpoint?.serviceName === 'client' && s.kind === 'CLIENT')).toBe(true);
      expect(got.some((s) => s.localEndpoint?.serviceName === 'backend' && s.kind === 'SERVER')).toBe(true);
      return got;
    }, 3 * ZIPKIN_FLUSH_MS);
    expect(badPosts).toEqual([]);
    for (const s of traced) expect(s.tags?.team, JSON.stringify(s)).toBe('core');
    // The header tag: the request's value, else its default.
    expect(traced.some((s) => s.tags?.env === 'staging')).toBe(true);
    expect(traced.some((s) => s.tags?.env === 'prod')).toBe(true);
    // Both sidecars' spans of a request belong to one trace (the client's headers reach the backend).
    const clientTraces = new Set(traced.filter((s) => s.localEndpoint?.serviceName === 'client').map((s) => s.traceId));
    expect(traced.some((s) => s.localEndpoint?.serviceName === 'backend' && clientTraces.has(s.traceId))).toBe(true);
  });

  it('sampling.overall 0 sends no span for the same traffic', { timeout: 60_000 }, async () => {
    await apply(MESH_TRACE(ZIPKIN(collectorUrl), '    sampling: { overall: 0 }\n'));
    for (const p of Object.values(proxies)) await eventually(async () => expect(await configDump(p.admin)).toContain('"overall_sampling"'), 20_000);
    const url = `http://127.0.0.1:${ports.outBackend}/unsampled`;
    for (let i = 0; i < 10; i++) expect((await fetch(url)).status).toBe(200);
    // Spans are buffered up to a flush interval: watch the collector past one, and a bit more.
    const deadline = Date.now() + ZIPKIN_FLUSH_MS + 2_000;
    while (Date.now() < deadline) {
      expect(spansFor('/unsampled')).toEqual([]);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(spansFor('/unsampled')).toEqual([]);
    expect(badPosts).toEqual([]);
  });

  /** Applies `backend`, waits for both sidecars to run `tracer`, sends traffic and returns the exports on `path`. */
  async function exportsOf(backend: string, tracer: string, path: string, marker: string, serviceField: (name: string) => Buffer) {
    await apply(MESH_TRACE(backend));
    for (const p of Object.values(proxies)) await eventually(async () => expect(await configDump(p.admin)).toContain(tracer), 20_000);
    return eventually(async () => {
      expect((await fetch(`http://127.0.0.1:${ports.outBackend}${marker}`, { headers: { 'x-env': 'otel-or-dd' } })).status).toBe(200);
      const got = received.filter((r) => r.path === path && r.body.includes(marker));
      const all = Buffer.concat(got.map((r) => r.body));
      for (const svc of ['client', 'backend']) expect(all.includes(serviceField(svc)), `service ${svc} in ${path} exports`).toBe(true);
      for (const tag of ['core', 'otel-or-dd']) expect(all.includes(tag), `${tag} in ${path} exports`).toBe(true);
      return got;
    }, 30_000, 1_000);
  }

  it('an OpenTelemetry http endpoint gets OTLP/HTTP protobuf exports naming both services', { timeout: 60_000 }, async () => {
    const got = await exportsOf(`type: OpenTelemetry
      openTelemetry: { endpoint: "${collectorBase}/v1/traces" }`, 'envoy.tracers.opentelemetry', '/v1/traces', '/otlp', otlpServiceName);
    expect(got.every((r) => r.method === 'POST' && r.contentType === 'application/x-protobuf')).toBe(true);
  });

  it('an OpenTelemetry host:port endpoint gets OTLP/gRPC Export calls naming both services', { timeout: 60_000 }, async () => {
    const got = await exportsOf(`type: OpenTelemetry
      openTelemetry: { endpoint: "${grpcAddress}" }`, 'envoy.tracers.opentelemetry', '/opentelemetry.proto.collector.trace.v1.TraceService/Export', '/otlp-grpc', otlpServiceName);
    expect(got.every((r) => r.method === 'POST' && r.contentType === 'application/grpc')).toBe(true);
  });

  it('a Datadog agent gets msgpack traces naming both services', { timeout: 60_000 }, async () => {
    const got = await exportsOf(`type: Datadog
      datadog: { url: "${collectorBase}" }`, 'envoy.tracers.datadog', '/v0.4/traces', '/datadog', msgpackServiceName);
    expect(got.every((r) => r.contentType === 'application/msgpack')).toBe(true);
  });
});
