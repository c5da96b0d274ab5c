/**
 * MeshExternalService on real Envoy: one standalone CP, a mesh with mTLS (no routing.zoneEgress),
 * a zone egress and a client sidecar whose outbounds name MeshExternalServices by backendRef.
 * Test servers on loopback play the external services: plain HTTP, and HTTPS with a certificate
 * of a test CA. The client's requests reach them only through the egress (its stats count the
 * connections to the MES cluster); TLS origination with verification Secured succeeds with the
 * right caCert and fails with another CA's.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, freePort, removeDir, startCp, startProxy, tempDir, type ControlPlane, type Proc, type Proxy } from './harness';

const CP_ENV = { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none', KUMA_XDS_SERVER_DATAPLANE_DEREGISTRATION_DELAY_MS: '200' };

/** Two test CAs and a server certificate for ext.test / 127.0.0.1 signed by the good one. */
function pki(dir: string): { goodCa: string; badCa: string; cert: string; key: string } {
  const f = (n: string) => path.join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  for (const ca of ['good', 'bad']) {
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f(`${ca}-ca.key`), '-out', f(`${ca}-ca.crt`), '-days', '1', '-subj', `/CN=${ca} test CA`]);
  }
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('srv.key'), '-out', f('srv.csr'), '-subj', '/CN=ext.test']);
  fs.writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:ext.test,IP:127.0.0.1\n');
  run(['x509', '-req', '-in', f('srv.csr'), '-CA', f('good-ca.crt'), '-CAkey', f('good-ca.key'), '-CAcreateserial', '-out', f('srv.crt'), '-days', '1', '-extfile', f('ext.cnf')]);
  const read = (n: string) => fs.readFileSync(f(n), 'utf8');
  return { goodCa: read('good-ca.crt'), badCa: read('bad-ca.crt'), cert: read('srv.crt'), key: read('srv.key') };
}

const procs: Proc[] = [];

describe('MeshExternalService through a zone egress', () => {
  let cp: ControlPlane;
  const home = tempDir('kuma-mes-home-');
  const proxies: Record<string, Proxy> = {};
  const servers: (http.Server | https.Server)[] = [];
  const hits = { plain: 0, tls: 0 };
  const outbound = { plain: 0, good: 0, bad: 0 };

  const serve = async (s: http.Server | https.Server, kind: keyof typeof hits) => {
    s.on('request', (_req, res) => {
      hits[kind]++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ served: kind }));
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    servers.push(s);
    return (s.address() as AddressInfo).port;
  };

  const put = async (name: string, spec: Record<string, unknown>) => {
    const r = await api(cp, 'PUT', `/meshes/default/meshexternalservices/${name}`, { type: 'MeshExternalService', mesh: 'default', name, spec });
    expect(r.status, r.text).toBe(201);
  };

  const call = async (port: number): Promise<{ status: number; served?: string }> => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
      const text = await r.text();
      return r.status === 200 ? { status: 200, served: (JSON.parse(text) as { served: string }).served } : { status: r.status };
    } catch {
      return { status: 0 };
    }
  };

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
  const mesStat = (s: Record<string, number>, mes: string, suffix: string) => {
    const k = Object.keys(s).find((n) => new RegExp(`^cluster\\.default_${mes}_.*_extsvc_\\d+\\.${suffix.replace(/\./g, '\\.')}$`).test(n));
    return k ? s[k]! : 0;
  };

  beforeAll(async () => {
    const certs = pki(home);
    cp = await startCp({ env: CP_ENV });
    const mesh = { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
    expect([200, 201]).toContain((await api(cp, 'PUT', '/meshes/default', mesh)).status);
    await eventually(async () => expect((await api(cp, 'GET', '/meshes/default/secrets')).json.items.map((s: { name: string }) => s.name)).toContain('default.ca-builtin-cert-ca-1'), 15_000);

    const plainPort = await serve(http.createServer(), 'plain');
    const tlsPort = await serve(https.createServer({ cert: certs.cert, key: certs.key }), 'tls');
    await put('ext-plain', { match: { type: 'HostnameGenerator', port: 80, protocol: 'http' }, endpoints: [{ address: '127.0.0.1', port: plainPort }] });
    const tls = (ca: string) => ({ enabled: true, version: { min: 'TLS12' }, verification: { mode: 'Secured', serverName: 'ext.test', caCert: { inlineString: ca } } });
    await put('ext-tls-good', { match: { type: 'HostnameGenerator', port: 443, protocol: 'http' }, endpoints: [{ address: '127.0.0.1', port: tlsPort }], tls: tls(certs.goodCa) });
    await put('ext-tls-bad', { match: { type: 'HostnameGenerator', port: 443, protocol: 'http' }, endpoints: [{ address: '127.0.0.1', port: tlsPort }], tls: tls(certs.badCa) });

    const egressPort = await freePort();
    const ze = `type: ZoneEgress\nname: ze-1\nnetworking:\n  address: 127.0.0.1\n  port: ${egressPort}\n`;
    proxies['ze-1'] = await startProxy({ cp, home, name: 'ze-1', yaml: ze, kind: 'egress', waitReady: false });
    procs.push(proxies['ze-1'].dp);

    [outbound.plain, outbound.good, outbound.bad] = [await freePort(), await freePort(), await freePort()];
    const ob = (port: number, name: string) => `  - port: ${port}\n    backendRef:\n      kind: MeshExternalService\n      name: ${name}\n`;
    const web = `type: Dataplane
mesh: default
name: web-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${await freePort()}
    servicePort: ${await freePort()}
    tags: { kuma.io/service: web, kuma.io/protocol: http }
  outbound:
${ob(outbound.plain, 'ext-plain')}${ob(outbound.good, 'ext-tls-good')}${ob(outbound.bad, 'ext-tls-bad')}`;
    proxies['web-1'] = await startProxy({ cp, home, name: 'web-1', yaml: web });
    procs.push(proxies['web-1'].dp);
  }, 120_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    for (const s of servers) s.close();
    if (cp) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
    removeDir(home);
  });

  it('plain HTTP: the client reaches the MeshExternalService and the egress made the connection', async () => {
    await eventually(async () => expect(await call(outbound.plain)).toEqual({ status: 200, served: 'plain' }), 30_000, 200);
    const before = hits.plain;
    for (let i = 0; i < 5; i++) expect(await call(outbound.plain)).toEqual({ status: 200, served: 'plain' });
    expect(hits.plain - before).toBe(5);
    const s = await egressStats();
    expect(mesStat(s, 'ext-plain', 'upstream_cx_total')).toBeGreaterThan(0);
    // The egress terminated the client's mesh mTLS on its listener.
    expect(Object.entries(s).some(([k, v]) => /^listener\.127\.0\.0\.1_\d+\.ssl\.handshake$/.test(k) && v > 0)).toBe(true);
  });

  it('TLS origination, verification Secured with the right caCert: the HTTPS server answers', async () => {
    await eventually(async () => expect(await call(outbound.good)).toEqual({ status: 200, served: 'tls' }), 30_000, 200);
    const s = await egressStats();
    expect(mesStat(s, 'ext-tls-good', 'upstream_cx_total')).toBeGreaterThan(0);
    expect(mesStat(s, 'ext-tls-good', 'ssl.handshake')).toBeGreaterThan(0);
  });

  it('TLS origination, verification Secured with another CA: the handshake fails and the server serves nothing', async () => {
    // Once the egress has the chain, each attempt fails verification towards the server.
    await eventually(async () => {
      expect((await call(outbound.bad)).status).not.toBe(200);
      expect(mesStat(await egressStats(), 'ext-tls-bad', 'ssl.fail_verify_error')).toBeGreaterThan(0);
    }, 30_000, 300);
    const before = hits.tls;
    for (let i = 0; i < 3; i++) expect((await call(outbound.bad)).status).not.toBe(200);
    expect(hits.tls).toBe(before);
    expect(mesStat(await egressStats(), 'ext-tls-bad', 'ssl.fail_verify_error')).toBeGreaterThan(0);
  });
});
