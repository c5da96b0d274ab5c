/**
 * MeshFaultInjection, MeshRateLimit and MeshAccessLog on real Envoy sidecars of one zone CP:
 *
 * - a 503 abort for 50 % of the requests to `backend` answers about half of 200 requests with the
 *   fault filter's 503 and the rest with the app's 200; a 418 for clients of service `frontend`
 *   hits the frontend sidecar's requests (its outbound adds `x-kuma-tags`), not the client's even
 *   when the client's app forges the header;
 * - 5 requests per 10s to `limited`: five quick requests pass, the sixth gets 429;
 * - a MeshAccessLog on the client's outbound to `backend` writes lines in Kuma's default HTTP
 *   format with the mesh, source and destination values filled in, to a File backend and to a Tcp
 *   backend (through kuma-dp's pipe to a TCP collector in this test);
 * - a MeshTimeout whose top-level targetRef is the MeshHTTPRoute `slow-paths` (rule `/slow`) cuts
 *   that route's requests to `slow` at its 1s with Envoy's 504, while another path to `slow`, on
 *   the catch-all route, keeps the service-level 10s and gets the app's 200 after 2s. The `slow` app
 *   is a loopback HTTP server in this test that answers every request after 2s.
 *
 * Faults and limits sit on the destination's inbound listener, so the requests go to that listener
 * directly: through the client's outbound the mesh's default MeshRetry would retry the 503s.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, type Proc, type Proxy, eventually, freePort, kumactlHome, removeDir, runKuma, spawnKuma, startCp, startProxy } from './harness';

const POLICIES = (accessLog: string, collector: string) => `type: MeshFaultInjection
mesh: default
name: backend-aborts
spec:
  targetRef: { kind: MeshService, name: backend }
  from:
  - targetRef: { kind: Mesh }
    default:
      http:
      - abort: { httpStatus: 503, percentage: 50 }
  - targetRef: { kind: MeshService, name: frontend }
    default:
      http:
      - abort: { httpStatus: 418, percentage: 100 }
---
type: MeshRateLimit
mesh: default
name: limited-rate
spec:
  targetRef: { kind: MeshService, name: limited }
  from:
  - targetRef: { kind: Mesh }
    default:
      local:
        http:
          requestRate: { num: 5, interval: 10s }
---
type: MeshAccessLog
mesh: default
name: client-to-backend
spec:
  targetRef: { kind: MeshService, name: client }
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      backends:
      - type: File
        file: { path: ${accessLog} }
      - type: Tcp
        tcp: { address: "${collector}" }
---
type: MeshHTTPRoute
mesh: default
name: slow-paths
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: slow }
    rules:
    - matches:
      - path: { type: PathPrefix, value: /slow }
      default:
        backendRefs:
        - { kind: MeshService, name: slow }
---
type: MeshTimeout
mesh: default
name: slow-service
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: slow }
    default:
      http: { requestTimeout: 10s }
---
type: MeshTimeout
mesh: default
name: slow-paths-timeout
spec:
  targetRef: { kind: MeshHTTPRoute, name: slow-paths }
  to:
  - targetRef: { kind: Mesh }
    default:
      http: { requestTimeout: 1s }
`;

/** How long the `slow` app takes to answer: past the route's timeout, within the service's. */
const SLOW_APP_DELAY_MS = 2000;

/** An HTTP filter (or access logger) of this name is in the Envoy's dynamic listeners. */
async function hasInConfig(admin: number, name: string): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${admin}/config_dump?resource=dynamic_listeners`);
  expect(r.status).toBe(200);
  expect(await r.text()).toContain(name);
}

describe('MeshFaultInjection, MeshRateLimit and MeshAccessLog on real Envoy', () => {
  let cp: ControlPlane;
  let home: string;
  let accessLog: string;
  let collector: net.Server | undefined;
  let collected = '';
  let slowApp: http.Server | undefined;
  const procs: Proc[] = [];
  const proxies: Record<string, Proxy> = {};
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    for (const k of ['dp', 'backendIn', 'backendApp', 'limitedIn', 'limitedApp', 'clientIn', 'clientApp', 'outBackend', 'frontendIn', 'frontendApp', 'frontendOut', 'slowIn', 'slowApp', 'outSlow']) ports[k] = await freePort();
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_PORT: String(ports.dp) } });
    home = await kumactlHome(cp);
    accessLog = join(home, 'client-to-backend.log');
    const file = join(home, 'policies.yaml');
    collector = net.createServer((sock) => sock.on('data', (d) => (collected += d.toString())));
    await new Promise<void>((r) => collector!.listen(0, '127.0.0.1', r));
    writeFileSync(file, POLICIES(accessLog, `127.0.0.1:${(collector.address() as net.AddressInfo).port}`));
    const applied = await runKuma(['apply', '-f', file], { home });
    expect(applied.code, applied.stderr).toBe(0);

    const dataplane = (svc: string, extra = '') => `type: Dataplane
mesh: default
name: mf-${svc}-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${ports[`${svc}In`]}
    servicePort: ${ports[`${svc}App`]}
    tags: { kuma.io/service: ${svc}, kuma.io/protocol: http }
${extra}`;
    const client = dataplane('client', `  outbound:\n  - port: ${ports.outBackend}\n    tags: { kuma.io/service: backend }\n  - port: ${ports.outSlow}\n    tags: { kuma.io/service: slow }\n`);
    slowApp = http.createServer((req, res) => {
      setTimeout(() => res.end(JSON.stringify({ service: 'slow', path: req.url })), SLOW_APP_DELAY_MS);
    });
    await new Promise<void>((r) => slowApp!.listen(ports.slowApp, '127.0.0.1', r));
    const frontend = dataplane('frontend', `  outbound:\n  - port: ${ports.frontendOut}\n    tags: { kuma.io/service: backend }\n`);
    await Promise.all(
      [['backend', dataplane('backend')], ['limited', dataplane('limited')], ['client', client], ['frontend', frontend], ['slow', dataplane('slow')]].map(async ([svc, yaml]) => {
        if (svc !== 'slow') procs.push(spawnKuma(['demo-app', 'http', '--port', String(ports[`${svc}App`]), '--service', svc!, '--instance', `mf-${svc}-1`], { home }));
        const tok = await runKuma(['generate', 'dataplane-token', '--mesh', 'default', '--name', `mf-${svc}-1`, '--valid-for', '1h'], { home });
        expect(tok.code, tok.stderr).toBe(0);
        const tokenFile = join(home, `${svc}.token`);
        writeFileSync(tokenFile, tok.stdout.trim());
        proxies[svc!] = await startProxy({ cp, home, name: `mf-${svc}-1`, yaml: yaml!, tokenFile });
      }),
    );
  }, 90_000);

  afterAll(async () => {
    for (const p of Object.values(proxies)) await p.dp.stop('SIGKILL');
    for (const p of procs) await p.stop('SIGKILL');
    collector?.close();
    slowApp?.closeAllConnections();
    slowApp?.close();
    await cp?.kill9();
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('a 50 % abort with 503 answers about half of 200 requests with the fault, the rest reach the app', async () => {
    await eventually(() => hasInConfig(proxies.backend!.admin, 'envoy.filters.http.fault'), 20_000);
    const url = `http://127.0.0.1:${ports.backendIn}/hello`;
    // The app must be behind the listener before counting: its first 200.
    await eventually(async () => expect((await fetch(url)).status).toBe(200), 20_000);
    const counts: Record<number, number> = {};
    let faultBody = '';
    for (let i = 0; i < 200; i++) {
      const r = await fetch(url);
      const body = await r.text();
      counts[r.status] = (counts[r.status] ?? 0) + 1;
      if (r.status === 503) faultBody = body;
    }
    expect(Object.keys(counts).sort()).toEqual(['200', '503']);
    expect(counts[503]).toBeGreaterThanOrEqual(80);
    expect(counts[503]).toBeLessThanOrEqual(120);
    expect(counts[200]! + counts[503]!).toBe(200);
    expect(faultBody).toBe('fault filter abort');
  });

  it('a fault `from` MeshService frontend hits the frontend sidecar\'s requests (its x-kuma-tags), and only those', async () => {
    await eventually(async () => expect((await fetch(`http://127.0.0.1:${ports.frontendOut}/hello`)).status).toBe(418), 20_000);
    // The client's sidecar overwrites a forged header with its own tags.
    let echoed: { headers?: Record<string, unknown> } | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`http://127.0.0.1:${ports.outBackend}/hello`, { headers: { 'x-kuma-tags': '&kuma.io/service=frontend&' } });
      expect(r.status).not.toBe(418);
      if (r.status === 200) echoed = (await r.json()) as typeof echoed;
    }
    // The backend's inbound strips the header before the app.
    expect(echoed?.headers).toBeDefined();
    expect(echoed?.headers?.['x-kuma-tags']).toBeUndefined();
    // The matcher itself, straight at the inbound: one value among several counts, a longer name does not.
    const url = `http://127.0.0.1:${ports.backendIn}/hello`;
    for (const tags of ['&kuma.io/service=frontend&', '&kuma.io/instance=x&&kuma.io/service=web,frontend&']) {
      expect((await fetch(url, { headers: { 'x-kuma-tags': tags } })).status).toBe(418);
    }
    const others = new Set<number>();
    for (let i = 0; i < 20; i++) others.add((await fetch(url, { headers: { 'x-kuma-tags': '&kuma.io/service=frontend-v2&' } })).status);
    expect(others.has(418)).toBe(false);
  });

  it('5 requests per 10s: five quick requests pass, the sixth gets 429', async () => {
    // Gate on config, not on traffic: every request that reaches the listener takes a token.
    await eventually(() => hasInConfig(proxies.limited!.admin, 'envoy.filters.http.local_ratelimit'), 20_000);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`http://127.0.0.1:${ports.limitedIn}/hello`);
      await r.text();
      statuses.push(r.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it("a File and a Tcp MeshAccessLog backend write Kuma's default HTTP format with mesh, source and destination", { timeout: 60_000 }, async () => {
    await eventually(() => hasInConfig(proxies.client!.admin, accessLog), 20_000);
    await eventually(async () => expect((await fetch(`http://127.0.0.1:${ports.outBackend}/logged`)).status).toBe(200), 20_000);
    const line = await eventually(() => {
      expect(existsSync(accessLog)).toBe(true);
      const l = readFileSync(accessLog, 'utf8').split('\n').find((x) => x.includes('/logged') && / 200 /.test(x));
      expect(l).toBeDefined();
      return l!;
    }, 20_000); // Envoy flushes access log files every 10s (--file-flush-interval-msec)
    // [%START_TIME%] %KUMA_MESH% "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% ... "%KUMA_SOURCE_SERVICE%" "%KUMA_DESTINATION_SERVICE%" "%KUMA_SOURCE_ADDRESS_WITHOUT_PORT%" "%UPSTREAM_HOST%"
    const kumaDefault = new RegExp(
      `^\\[\\d{4}-\\d\\d-\\d\\dT[^\\]]+\\] default "GET /logged HTTP/1\\.1" 200 - \\d+ \\d+ \\d+ \\d+ "-" "[^"]*" "-" "[^"]+" "127\\.0\\.0\\.1:${ports.outBackend}" "client" "backend" "127\\.0\\.0\\.1" "127\\.0\\.0\\.1:${ports.backendIn}"$`,
    );
    expect(line).toMatch(kumaDefault);
    // The Tcp backend: Envoy -> kuma-dp's pipe -> a TCP connection to the collector, same line.
    const sent = await eventually(() => {
      const l = collected.split('\n').find((x) => x.includes('/logged') && / 200 /.test(x));
      expect(l).toBeDefined();
      return l!;
    }, 20_000);
    expect(sent).toMatch(kumaDefault);
  });

  it('a MeshTimeout targeting the MeshHTTPRoute slow-paths times out /slow at 1s (504); another path to slow keeps the service-level 10s', { timeout: 60_000 }, async () => {
    // Gate on config: the route's 1s timeout on the /slow routes of the client's outbound to slow.
    await eventually(async () => {
      const r = await fetch(`http://127.0.0.1:${proxies.client!.admin}/config_dump?resource=dynamic_listeners`);
      const dump = await r.text();
      expect(dump).toContain('"path": "/slow"');
      expect(dump).toContain('"timeout": "1s"');
      expect(dump).toContain('"timeout": "10s"');
    }, 20_000);
    const slow = await fetch(`http://127.0.0.1:${ports.outSlow}/slow/report`);
    expect(slow.status).toBe(504);
    expect(await slow.text()).toBe('upstream request timeout');
    const other = await fetch(`http://127.0.0.1:${ports.outSlow}/other`);
    expect(other.status).toBe(200);
    expect(((await other.json()) as { path: string }).path).toBe('/other');
  });
});
