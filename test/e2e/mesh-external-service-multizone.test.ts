/**
 * A MeshExternalService authored on the global on real Envoy: 1 global + 1 zone on loopback. The
 * global's MeshExternalService and a MeshRetry targeting it sync down to the zone (KDS), where the
 * copy keeps its display name and `kuma.io/origin: global`; a client sidecar of the zone names it
 * by that display name (backendRef) and reaches the loopback external server through the zone's
 * egress, which counts the requests on the MES cluster, and the synced MeshRetry retries its 503s.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, freePort, removeDir, startGlobal, startProxy, startZone, tempDir, type ControlPlane, type Proc, type Proxy } from './harness';

const ZONE_ENV = { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none' };
const MESH = 'mes-mz';

describe('MeshExternalService created on the global, reached through the zone egress', () => {
  let global: ControlPlane & { kdsPort: number };
  let zone: ControlPlane;
  const home = tempDir('kuma-mes-mz-home-');
  const procs: Proc[] = [];
  const proxies: Record<string, Proxy> = {};
  const hits = new Map<string, number>();
  let server: http.Server | undefined;
  let outboundPort = 0;

  /** A GET on a new connection (a policy change replaces the sidecar's listener; see mesh-external-service-http). */
  const call = (path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: outboundPort, path, agent: false, timeout: 10_000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    });

  const egressStat = async (re: RegExp): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${proxies['ze-1']!.admin}/stats`)).text();
    return text.split('\n').reduce((n, line) => {
      const m = /^([^:]+): (\d+)$/.exec(line);
      return m && re.test(m[1]!) ? n + Number(m[2]) : n;
    }, 0);
  };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const path = req.url ?? '/';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path.startsWith('/always-503')) {
        res.statusCode = 503;
        return res.end('unavailable');
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ served: 'global-mes' }));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const upstream = (server.address() as AddressInfo).port;

    global = await startGlobal({ args: ['--kds-auth=none'], env: { KUMA_STORE_TYPE: 'memory' } });
    zone = await startZone('zone-1', global.kdsPort, { env: ZONE_ENV });
    const mesh = { type: 'Mesh', name: MESH, skipCreatingInitialPolicies: ['*'], mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
    expect([200, 201]).toContain((await api(global, 'PUT', `/meshes/${MESH}`, mesh)).status);
    const mes = { type: 'MeshExternalService', mesh: MESH, name: 'ext-global', spec: { match: { type: 'HostnameGenerator', port: 80, protocol: 'http' }, endpoints: [{ address: '127.0.0.1', port: upstream }] } };
    const put = await api(global, 'PUT', `/meshes/${MESH}/meshexternalservices/ext-global`, mes);
    expect(put.status, put.text).toBe(201);
    await eventually(async () => expect((await api(zone, 'GET', `/meshes/${MESH}/secrets`)).json.items.map((s: { name: string }) => s.name)).toContain(`${MESH}.ca-builtin-cert-ca-1`), 20_000, 200);

    const egressPort = await freePort();
    proxies['ze-1'] = await startProxy({ cp: zone, home, name: 'ze-1', yaml: `type: ZoneEgress\nname: ze-1\nnetworking:\n  address: 127.0.0.1\n  port: ${egressPort}\n`, kind: 'egress', waitReady: false });
    procs.push(proxies['ze-1'].dp);
    outboundPort = await freePort();
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
  - port: ${outboundPort}
    backendRef:
      kind: MeshExternalService
      name: ext-global
`;
    proxies['web-1'] = await startProxy({ cp: zone, home, name: 'web-1', yaml: web });
    procs.push(proxies['web-1'].dp);
  }, 120_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    server?.close();
    for (const cp of [zone, global]) if (cp) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
    removeDir(home);
  });

  it('the zone holds the global\'s MeshExternalService, origin global, under its display name', async () => {
    const copy = await eventually(async () => {
      const items = (await api(zone, 'GET', `/meshes/${MESH}/meshexternalservices`)).json.items as { name: string; labels: Record<string, string> }[];
      const c = items.find((i) => i.labels['kuma.io/display-name'] === 'ext-global');
      expect(c).toBeDefined();
      return c!;
    }, 20_000, 200);
    expect(copy.labels['kuma.io/origin']).toBe('global');
  });

  it('a zone client reaches it by display name through the zone egress', async () => {
    const r = await eventually(async () => {
      const x = await call('/hello');
      expect(x.status, x.body).toBe(200);
      return x;
    }, 45_000, 300);
    expect(JSON.parse(r.body)).toEqual({ served: 'global-mes' });
    expect(await egressStat(new RegExp(`^cluster\\.${MESH}_ext-global.*_extsvc_80\\.upstream_rq_200$`))).toBeGreaterThan(0);
  });

  it('a MeshRetry created on the global for it syncs to the zone and retries its 503s', async () => {
    expect((await call('/always-503/before')).status).toBe(503);
    expect(hits.get('/always-503/before')).toBe(1);
    const retry = {
      type: 'MeshRetry',
      mesh: MESH,
      name: 'ext-global-retry',
      spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'MeshExternalService', name: 'ext-global' }, default: { http: { numRetries: 1, retryOn: ['5xx'] } } }] },
    };
    const put = await api(global, 'PUT', `/meshes/${MESH}/meshretries/ext-global-retry`, retry);
    expect(put.status, put.text).toBe(201);
    let probe = 0;
    await eventually(async () => {
      const path = `/always-503/probe-${probe++}`;
      expect((await call(path)).status).toBe(503);
      expect(hits.get(path)).toBe(2);
    }, 45_000, 300);
  });
});
