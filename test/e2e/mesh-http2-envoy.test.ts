/**
 * HTTP/2 and gRPC-style traffic sidecar to sidecar over mesh mTLS on real Envoy: the client speaks
 * h2c to its outbound, the two Envoys speak HTTP/2 inside mTLS (whose ALPN is "kuma", so the
 * server side's codec must be named, not detected), and the backend application sees HTTP/2.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, freePort, kumactlHome, removeDir, startCp, startProxy, type ControlPlane, type Proxy } from './harness';

const MESH = { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
const ALLOW_ALL = { type: 'MeshTrafficPermission', mesh: 'default', name: 'allow-all', spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] } };

/** One h2c request to 127.0.0.1:port: the status and the body. */
function h2Get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const req = session.request({ ':path': path });
    let body = '';
    let status = 0;
    req.setEncoding('utf8');
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      session.close();
      resolve({ status, body });
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.close(http2.constants.NGHTTP2_CANCEL));
    req.end();
  });
}

describe('HTTP/2 across the mesh (mTLS) on real Envoy', () => {
  let cp: ControlPlane;
  let home: string;
  const proxies: Proxy[] = [];
  let server: http2.Http2Server;
  let outbound = 0;

  beforeAll(async () => {
    // The backend application: h2c only, it answers with the HTTP version it was spoken to in.
    server = http2.createServer((req, res) => res.end(`http ${req.httpVersion} ${req.url}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const appPort = (server.address() as AddressInfo).port;
    const dpPort = await freePort();
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_PORT: String(dpPort), KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none' } });
    home = await kumactlHome(cp);
    for (const [path, body] of [['/meshes/default', MESH], ['/meshes/default/meshtrafficpermissions/allow-all', ALLOW_ALL]] as const) {
      const r = await api(cp, 'PUT', path, body);
      expect([200, 201], r.text).toContain(r.status);
    }
    const [backendIn, clientIn, clientApp] = [await freePort(), await freePort(), await freePort()];
    outbound = await freePort();
    proxies.push(
      await startProxy({
        cp,
        home,
        name: 'backend-1',
        yaml: `type: Dataplane\nmesh: default\nname: backend-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: ${backendIn}\n    servicePort: ${appPort}\n    tags: { kuma.io/service: backend, kuma.io/protocol: http2 }\n`,
      }),
    );
    proxies.push(
      await startProxy({
        cp,
        home,
        name: 'client-1',
        yaml: `type: Dataplane\nmesh: default\nname: client-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: ${clientIn}\n    servicePort: ${clientApp}\n    tags: { kuma.io/service: client, kuma.io/protocol: http2 }\n  outbound:\n  - port: ${outbound}\n    tags: { kuma.io/service: backend }\n`,
      }),
    );
  }, 90_000);

  afterAll(async () => {
    for (const p of proxies.reverse()) await p.dp.stop('SIGKILL');
    await cp?.kill9();
    server?.close();
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('the client reaches an http2 backend through both sidecars and the backend sees HTTP/2', async () => {
    const r = await eventually(async () => {
      const x = await h2Get(outbound, '/hello');
      expect(x.status).toBe(200);
      return x;
    }, 30_000, 300);
    expect(r.body).toBe('http 2.0 /hello');
    for (let i = 0; i < 20; i++) expect(await h2Get(outbound, `/n${i}`)).toEqual({ status: 200, body: `http 2.0 /n${i}` });
  }, 60_000);

  it('the traffic between the sidecars is mTLS', async () => {
    const stats = await (await fetch(`http://127.0.0.1:${proxies[0]!.admin}/stats?filter=ssl.handshake`)).text();
    expect(Number(/listener\.[^\n]*ssl\.handshake: (\d+)/.exec(stats)?.[1] ?? 0)).toBeGreaterThan(0);
  });
});
