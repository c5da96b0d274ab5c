/**
 * HTTP MeshExternalServices through a zone egress on real Envoy: one standalone CP, a mesh with
 * mTLS (no default policies, so only the test's own apply), a zone egress and a client sidecar
 * whose outbounds name MeshExternalServices by backendRef. Loopback servers play the external
 * services: an HTTP/1.1 one and an h2c (HTTP/2 without TLS) one.
 *
 * - The egress speaks HTTP on these chains: its MES cluster counts requests, the upstream sees
 *   HTTP/2 for protocol http2 and HTTP/1.1 for http, and the client's x-kuma-tags stay in the mesh.
 * - MeshRetry and MeshTimeout targeting a MeshExternalService act on the client's sidecar (Kuma
 *   MADR 056): a 503 is retried numRetries times, a failing-twice endpoint answers 200 through the
 *   retries, and a slow endpoint answers 504 once requestTimeout is shorter than its delay.
 * - MeshCircuitBreaker targeting a MeshExternalService acts on the egress's cluster of the real
 *   endpoints (MADR 056): two consecutive 5xx eject the endpoint there.
 * - The egress takes such a policy whatever its top-level targetRef (Kuma's egress resource
 *   rules): a MeshHealthCheck selecting the client Dataplane by name still makes the egress
 *   health-check the real endpoint.
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, freePort, removeDir, startCp, startProxy, tempDir, type ControlPlane, type Proc, type Proxy } from './harness';

const CP_ENV = { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none', KUMA_XDS_SERVER_DATAPLANE_DEREGISTRATION_DELAY_MS: '200' };
const SLOW_MS = 3_000;
/** A mesh of its own, created without Kuma's default policies (the CP's `default` mesh has them). */
const MESH = 'mes-http';

const procs: Proc[] = [];

describe('HTTP MeshExternalService through a zone egress: HTTP chain, upstream protocol, MeshRetry and MeshTimeout', () => {
  let cp: ControlPlane;
  const home = tempDir('kuma-mes-http-home-');
  const proxies: Record<string, Proxy> = {};
  const closers: (() => void)[] = [];
  /** Requests per path the HTTP/1.1 server received. */
  const hits = new Map<string, number>();
  const outbound = { h1: 0, h2: 0, flaky: 0, slow: 0, breaker: 0, checked: 0 };

  const echo = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ httpVersion: req.httpVersion, kumaTags: req.headers['x-kuma-tags'] ?? null }));
  };

  const h1Server = async (): Promise<number> => {
    const s = http.createServer((req, res) => {
      const path = req.url ?? '/';
      const n = (hits.get(path) ?? 0) + 1;
      hits.set(path, n);
      if (path.startsWith('/always-503')) {
        res.statusCode = 503;
        return res.end('unavailable');
      }
      // Fails the first two attempts of each path, then answers.
      if (path.startsWith('/fails-twice') && n <= 2) {
        res.statusCode = 503;
        return res.end('not yet');
      }
      if (path.startsWith('/slow')) {
        const t = setTimeout(() => echo(req, res), SLOW_MS);
        req.socket.once('close', () => clearTimeout(t));
        return;
      }
      echo(req, res);
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    closers.push(() => s.close());
    return (s.address() as AddressInfo).port;
  };

  const h2cServer = async (): Promise<number> => {
    const s = http2.createServer((req, res) => echo(req, res));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    closers.push(() => s.close());
    return (s.address() as AddressInfo).port;
  };

  const put = async (path: string, body: Record<string, unknown>) => {
    const r = await api(cp, 'PUT', path, body);
    expect([200, 201], r.text).toContain(r.status);
  };
  const mes = (name: string, port: number, protocol: string, upstream: number) =>
    put(`/meshes/${MESH}/meshexternalservices/${name}`, {
      type: 'MeshExternalService',
      mesh: MESH,
      name,
      spec: { match: { type: 'HostnameGenerator', port, protocol }, endpoints: [{ address: '127.0.0.1', port: upstream }] },
    });

  /**
   * A GET on a new connection each time: a policy change replaces the sidecar's listener, and a
   * kept-alive connection would stay on the old one, draining, with the old routes.
   */
  const call = (port: number, path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    });

  const egressStats = async (): Promise<Record<string, number>> => {
    const text = await (await fetch(`http://127.0.0.1:${proxies['ze-1']!.admin}/stats`)).text();
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const m = /^([^:]+): (\d+)$/.exec(line);
      if (m) out[m[1]!] = Number(m[2]);
    }
    return out;
  };
  /** The egress counter `cluster.<the MES cluster>.<suffix>` (the cluster name ends in `_<mes>__…_extsvc_<port>`). */
  const mesStat = (s: Record<string, number>, name: string, suffix: string) => {
    const k = Object.keys(s).find((n) => new RegExp(`^cluster\\.${MESH}_${name}_.*_extsvc_\\d+\\.${suffix.replace(/\./g, '\\.')}$`).test(n));
    return k ? s[k]! : 0;
  };

  beforeAll(async () => {
    cp = await startCp({ env: CP_ENV });
    const mesh = { type: 'Mesh', name: MESH, skipCreatingInitialPolicies: ['*'], mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
    await put(`/meshes/${MESH}`, mesh);
    await eventually(async () => expect((await api(cp, 'GET', `/meshes/${MESH}/secrets`)).json.items.map((s: { name: string }) => s.name)).toContain(`${MESH}.ca-builtin-cert-ca-1`), 15_000);
    expect((await api(cp, 'GET', `/meshes/${MESH}/meshretries`)).json.items).toEqual([]);

    const h1 = await h1Server();
    const h2 = await h2cServer();
    await mes('ext-h1', 80, 'http', h1);
    await mes('ext-h2', 8080, 'http2', h2);
    await mes('flaky', 80, 'http', h1);
    await mes('slow', 80, 'http', h1);
    await mes('breaker', 80, 'http', h1);
    await mes('checked', 80, 'http', h1);

    const egressPort = await freePort();
    const ze = `type: ZoneEgress\nname: ze-1\nnetworking:\n  address: 127.0.0.1\n  port: ${egressPort}\n`;
    proxies['ze-1'] = await startProxy({ cp, home, name: 'ze-1', yaml: ze, kind: 'egress', waitReady: false });
    procs.push(proxies['ze-1'].dp);

    for (const k of Object.keys(outbound) as (keyof typeof outbound)[]) outbound[k] = await freePort();
    const ob = (port: number, name: string) => `  - port: ${port}\n    backendRef:\n      kind: MeshExternalService\n      name: ${name}\n`;
    const web = `type: Dataplane
mesh: ${MESH}
name: web-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${await freePort()}
    servicePort: ${await freePort()}
    tags: { kuma.io/service: web, kuma.io/protocol: http }
  outbound:
${ob(outbound.h1, 'ext-h1')}${ob(outbound.h2, 'ext-h2')}${ob(outbound.flaky, 'flaky')}${ob(outbound.slow, 'slow')}${ob(outbound.breaker, 'breaker')}${ob(outbound.checked, 'checked')}`;
    proxies['web-1'] = await startProxy({ cp, home, name: 'web-1', yaml: web });
    procs.push(proxies['web-1'].dp);
  }, 120_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    for (const c of closers) c();
    if (cp) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
    removeDir(home);
  });

  it('the egress routes requests to the MES cluster over HTTP/1.1 for http, and the client\'s x-kuma-tags do not leave the mesh', async () => {
    const r = await eventually(async () => {
      const x = await call(outbound.h1, '/echo');
      expect(x.status, x.body).toBe(200);
      return x;
    }, 30_000, 200);
    expect(JSON.parse(r.body)).toEqual({ httpVersion: '1.1', kumaTags: null });
    const s = await egressStats();
    // Request counters exist on the MES cluster only when the egress proxies HTTP, not bytes.
    expect(mesStat(s, 'ext-h1', 'upstream_rq_total')).toBeGreaterThan(0);
    expect(mesStat(s, 'ext-h1', 'upstream_rq_200')).toBeGreaterThan(0);
  });

  it('protocol http2: the egress speaks HTTP/2 to the external service', async () => {
    const r = await eventually(async () => {
      const x = await call(outbound.h2, '/echo');
      expect(x.status, x.body).toBe(200);
      return x;
    }, 30_000, 200);
    expect(JSON.parse(r.body)).toEqual({ httpVersion: '2.0', kumaTags: null });
    expect(mesStat(await egressStats(), 'ext-h2', 'upstream_rq_total')).toBeGreaterThan(0);
  });

  it('MeshRetry targeting the MeshExternalService: a 503 is tried 1 + numRetries times; a path failing twice answers 200', async () => {
    await eventually(async () => expect((await call(outbound.flaky, '/echo')).status).toBe(200), 30_000, 200);
    // No MeshRetry yet (no default policies): one attempt, the 503 reaches the client.
    expect(await call(outbound.flaky, '/always-503/before')).toMatchObject({ status: 503 });
    expect(hits.get('/always-503/before')).toBe(1);

    await put(`/meshes/${MESH}/meshretries/flaky-retry`, {
      type: 'MeshRetry',
      mesh: MESH,
      name: 'flaky-retry',
      spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'MeshExternalService', name: 'flaky' }, default: { http: { numRetries: 2, retryOn: ['5xx'], backOff: { baseInterval: '10ms', maxInterval: '20ms' } } } }] },
    });
    let probe = 0;
    await eventually(async () => {
      const path = `/always-503/probe-${probe++}`;
      expect((await call(outbound.flaky, path)).status).toBe(503);
      expect(hits.get(path)).toBe(3);
    }, 30_000, 300);
    expect(await call(outbound.flaky, '/fails-twice/a')).toMatchObject({ status: 200 });
    expect(hits.get('/fails-twice/a')).toBe(3);
    // The egress saw every attempt as a request of its own.
    expect(mesStat(await egressStats(), 'flaky', 'upstream_rq_503')).toBeGreaterThanOrEqual(5);
    // Only the targeted MeshExternalService retries.
    expect(await call(outbound.h1, '/always-503/other')).toMatchObject({ status: 503 });
    expect(hits.get('/always-503/other')).toBe(1);
  });

  it('MeshTimeout targeting the MeshExternalService: a request slower than requestTimeout gets 504 from the sidecar', async () => {
    await eventually(async () => expect((await call(outbound.slow, '/echo')).status).toBe(200), 30_000, 200);
    // The egress adds no timeout of its own: without a MeshTimeout the slow answer arrives.
    expect(await call(outbound.slow, '/slow/before')).toMatchObject({ status: 200 });

    await put(`/meshes/${MESH}/meshtimeouts/slow-timeout`, {
      type: 'MeshTimeout',
      mesh: MESH,
      name: 'slow-timeout',
      spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'MeshExternalService', name: 'slow' }, default: { http: { requestTimeout: '1s' } } }] },
    });
    let probe = 0;
    const r = await eventually(async () => {
      const x = await call(outbound.slow, `/slow/probe-${probe++}`);
      expect(x.status).toBe(504);
      return x;
    }, 30_000, 300);
    expect(r.body).toBe('upstream request timeout');
    // Only the targeted MeshExternalService: the same endpoint behind ext-h1 still answers slowly.
    expect(await call(outbound.h1, '/slow/other')).toMatchObject({ status: 200 });
  });

  it('MeshCircuitBreaker targeting the MeshExternalService: the egress ejects its endpoint after consecutive 5xx', async () => {
    await eventually(async () => expect((await call(outbound.breaker, '/echo')).status).toBe(200), 30_000, 200);
    await put(`/meshes/${MESH}/meshcircuitbreakers/breaker-cb`, {
      type: 'MeshCircuitBreaker',
      mesh: MESH,
      name: 'breaker-cb',
      spec: {
        targetRef: { kind: 'Mesh' },
        to: [
          {
            targetRef: { kind: 'MeshExternalService', name: 'breaker' },
            default: { outlierDetection: { disabled: false, healthyPanicThreshold: 0, maxEjectionPercent: 100, baseEjectionTime: '1m', detectors: { totalFailures: { consecutive: 2 } } } },
          },
        ],
      },
    });
    const ejections = () => egressStats().then((s) => mesStat(s, 'breaker', 'outlier_detection.ejections_enforced_consecutive_5xx'));
    let probe = 0;
    await eventually(async () => {
      const n = probe++;
      for (const i of [0, 1]) await call(outbound.breaker, `/always-503/cb-${n}-${i}`);
      expect(await ejections()).toBeGreaterThan(0);
    }, 30_000, 300);
    // Ejected, with no panic routing: a request that would succeed never reaches the server.
    const r = await call(outbound.breaker, '/echo-after-ejection');
    expect(r.status).toBe(503);
    expect(hits.get('/echo-after-ejection')).toBeUndefined();
    // The other MeshExternalServices on the same server are unaffected.
    expect((await call(outbound.h1, '/echo')).status).toBe(200);
  });

  it('MeshHealthCheck with a Dataplane top-level targetRef: the egress health-checks the real endpoint all the same', async () => {
    await eventually(async () => expect((await call(outbound.checked, '/echo')).status).toBe(200), 30_000, 200);
    const attempts = () => egressStats().then((s) => mesStat(s, 'checked', 'health_check.attempt'));
    expect(await attempts()).toBe(0);
    await put(`/meshes/${MESH}/meshhealthchecks/web-checks`, {
      type: 'MeshHealthCheck',
      mesh: MESH,
      name: 'web-checks',
      spec: {
        targetRef: { kind: 'Dataplane', name: 'web-1' },
        to: [{ targetRef: { kind: 'MeshExternalService', name: 'checked' }, default: { interval: '1s', timeout: '1s', unhealthyThreshold: 3, healthyThreshold: 1, http: { path: '/hc-probe' } } }],
      },
    });
    // The egress's own checker (its cluster counters), not the client's checks passing through it.
    await eventually(async () => {
      const s = await egressStats();
      expect(mesStat(s, 'checked', 'health_check.attempt')).toBeGreaterThan(0);
      expect(mesStat(s, 'checked', 'health_check.success')).toBeGreaterThan(0);
    }, 30_000, 300);
    expect(hits.get('/hc-probe') ?? 0).toBeGreaterThan(0);
    // Only the MeshExternalService the to[] names.
    expect(mesStat(await egressStats(), 'ext-h1', 'health_check.attempt')).toBe(0);
    expect((await call(outbound.checked, '/echo')).status).toBe(200);
  });
});
