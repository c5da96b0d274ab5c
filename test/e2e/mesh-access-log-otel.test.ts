/**
 * MeshAccessLog OpenTelemetry backend on real Envoy sidecars of one zone CP: the sidecars export
 * OTLP/gRPC logs through their `meshaccesslog:opentelemetry:<n>` clusters to a LogsService
 * collector this test runs (@grpc/grpc-js with the vendored OTLP proto).
 *
 * - the client's outbound to `backend` with no body: each request arrives as a log record whose
 *   body is Kuma's default HTTP format with mesh, source and destination filled in, under the
 *   MeshAccessLog log name, with the attributes given;
 * - the backend's inbound with an OTLP kvlist body: the record arrives as that kvlist, Kuma's
 *   placeholders filled in and Envoy's operators evaluated.
 */
import * as grpc from '@grpc/grpc-js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExportLogsServiceRequest, LogsServiceService } from '../../proto/gen/opentelemetry/proto/collector/logs/v1/logs_service';
import type { AnyValue, KeyValue } from '../../proto/gen/opentelemetry/proto/common/v1/common';
import { type ControlPlane, type Proc, type Proxy, eventually, freePort, kumactlHome, removeDir, runKuma, spawnKuma, startCp, startProxy } from './harness';

const POLICY = (collector: string) => `type: MeshAccessLog
mesh: default
name: otel-logs
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      backends:
      - type: OpenTelemetry
        openTelemetry:
          endpoint: "${collector}"
          attributes:
          - { key: route, value: "%KUMA_SOURCE_SERVICE%->%KUMA_DESTINATION_SERVICE%" }
          - { key: status, value: "%RESPONSE_CODE%" }
  from:
  - targetRef: { kind: Mesh }
    default:
      backends:
      - type: OpenTelemetry
        openTelemetry:
          endpoint: "${collector}"
          body:
            kvlistValue:
              values:
              - { key: mesh, value: { stringValue: "%KUMA_MESH%" } }
              - { key: "%KUMA_TRAFFIC_DIRECTION%", value: { stringValue: "%REQ(:PATH)% %RESPONSE_CODE%" } }
`;

interface Record_ {
  resource: Record<string, string>;
  scope: string;
  body?: AnyValue;
  attributes: Record<string, string>;
}

function strings(kvs: KeyValue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of kvs) if (kv.value?.value?.$case === 'stringValue') out[kv.key] = kv.value.value.value;
  return out;
}

function plain(v: AnyValue | undefined): unknown {
  switch (v?.value?.$case) {
    case 'stringValue':
      return v.value.value;
    case 'kvlistValue':
      return Object.fromEntries(v.value.value.values.map((kv) => [kv.key, plain(kv.value)]));
    case 'arrayValue':
      return v.value.value.values.map(plain);
    default:
      return v?.value?.value;
  }
}

describe('MeshAccessLog OpenTelemetry backend on real Envoy', () => {
  let cp: ControlPlane;
  let home: string;
  let collector: grpc.Server;
  const received: Record_[] = [];
  const procs: Proc[] = [];
  const proxies: Record<string, Proxy> = {};
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    for (const k of ['dp', 'backendIn', 'backendApp', 'clientIn', 'clientApp', 'outBackend']) ports[k] = await freePort();
    collector = new grpc.Server();
    collector.addService(LogsServiceService, {
      export: (call: grpc.ServerUnaryCall<ExportLogsServiceRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        for (const rl of call.request.resourceLogs) {
          const resource = strings(rl.resource?.attributes ?? []);
          for (const sl of rl.scopeLogs) for (const lr of sl.logRecords) received.push({ resource, scope: sl.scope?.name ?? '', body: lr.body, attributes: strings(lr.attributes) });
        }
        cb(null, {});
      },
    });
    const collectorPort = await new Promise<number>((resolve, reject) =>
      collector.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );

    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_PORT: String(ports.dp) } });
    home = await kumactlHome(cp);
    const file = join(home, 'policy.yaml');
    writeFileSync(file, POLICY(`127.0.0.1:${collectorPort}`));
    const applied = await runKuma(['apply', '-f', file], { home });
    expect(applied.code, applied.stderr).toBe(0);

    const dataplane = (svc: string, extra = '') => `type: Dataplane
mesh: default
name: ol-${svc}-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${ports[`${svc}In`]}
    servicePort: ${ports[`${svc}App`]}
    tags: { kuma.io/service: ${svc}, kuma.io/protocol: http }
${extra}`;
    const yamls: Record<string, string> = {
      backend: dataplane('backend'),
      client: dataplane('client', `  outbound:\n  - port: ${ports.outBackend}\n    tags: { kuma.io/service: backend }\n`),
    };
    await Promise.all(
      Object.entries(yamls).map(async ([svc, yaml]) => {
        procs.push(spawnKuma(['demo-app', 'http', '--port', String(ports[`${svc}App`]), '--service', svc, '--instance', `ol-${svc}-1`], { home }));
        const tok = await runKuma(['generate', 'dataplane-token', '--mesh', 'default', '--name', `ol-${svc}-1`, '--valid-for', '1h'], { home });
        expect(tok.code, tok.stderr).toBe(0);
        const tokenFile = join(home, `${svc}.token`);
        writeFileSync(tokenFile, tok.stdout.trim());
        proxies[svc] = await startProxy({ cp, home, name: `ol-${svc}-1`, yaml, tokenFile });
      }),
    );
  }, 90_000);

  afterAll(async () => {
    for (const p of Object.values(proxies)) await p.dp.stop('SIGKILL');
    for (const p of procs) await p.stop('SIGKILL');
    collector?.forceShutdown();
    await cp?.kill9();
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('the outbound exports a record with Kuma\'s default HTTP format as its body, and the attributes', async () => {
    await eventually(async () => expect((await fetch(`http://127.0.0.1:${ports.outBackend}/otel-out`)).status).toBe(200), 20_000);
    // Envoy's gRPC logger flushes its buffer every second.
    const record = await eventually(() => {
      const r = received.find((x) => typeof plain(x.body) === 'string' && (plain(x.body) as string).includes('/otel-out'));
      expect(r).toBeDefined();
      return r!;
    }, 15_000);
    const body = plain(record.body) as string;
    // [%START_TIME%] %KUMA_MESH% "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% ... "%KUMA_SOURCE_SERVICE%" "%KUMA_DESTINATION_SERVICE%" "%KUMA_SOURCE_ADDRESS_WITHOUT_PORT%" "%UPSTREAM_HOST%"
    expect(body).toMatch(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] default "GET \/otel-out HTTP\/1\.1" 200 /);
    expect(body).toMatch(/ "client" "backend" "127\.0\.0\.1" "127\.0\.0\.1:\d+"$/);
    expect(body).not.toContain('%');
    expect(record.attributes).toEqual({ route: 'client->backend', status: '200' });
    expect(record.resource.log_name).toBe('MeshAccessLog');
  });

  it('the inbound exports the configured kvlist body with Kuma\'s placeholders and Envoy\'s operators filled in', async () => {
    expect((await fetch(`http://127.0.0.1:${ports.backendIn}/otel-in`)).status).toBe(200);
    const record = await eventually(() => {
      const r = received.find((x) => x.body?.value?.$case === 'kvlistValue' && JSON.stringify(plain(x.body)).includes('/otel-in'));
      expect(r).toBeDefined();
      return r!;
    }, 15_000);
    expect(plain(record.body)).toEqual({ mesh: 'default', INBOUND: '/otel-in 200' });
    expect(record.resource.log_name).toBe('MeshAccessLog');
  });
});
