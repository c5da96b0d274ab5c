/**
 * A MeshExternalService by its Kuma DNS hostname on real Envoy: the zone CP's default
 * HostnameGenerator `local-mesh-external-service` names it `<name>.extsvc.mesh.local`, kuma-dp's
 * resolver answers that name with its VIP (242.0.0.0/8), the client sidecar's `outbound:<VIP>:<port>`
 * listener takes the request and the zone egress carries it to the external endpoint. The client
 * declares no outbound at all.
 *
 * A VIP reaches a local listener only with a local route for 240.0.0.0/4, so (as in
 * dns-envoy.test.ts) everything runs inside a network namespace the suite creates and deletes:
 * the CP, the egress, the sidecar, the external server and every request. Needs root and
 * `ip netns`; without them the suite fails (NetNs.create throws) rather than skipping.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envoyBinary, eventually, kumaBinary, removeDir, tempDir } from './harness';
import { NetNs } from './netns';

const ns = new NetNs(`kuma-mesdns-${process.pid}`);
const MESH = 'mes-dns';
const CP = { api: 5681, diag: 5680, dp: 5678, kds: 5685 };
const DNS_PORT = 15053;
const EXT_PORT = 18080;
const EGRESS_PORT = 10002;
const ADMIN = { egress: 19901, web: 19902 };
const api = `http://127.0.0.1:${CP.api}`;

describe('MeshExternalService by its Kuma DNS hostname (<name>.extsvc.mesh.local) through the zone egress', () => {
  const home = tempDir('kuma-mesdns-home-');
  const nsKuma = (name: string, args: string[], env: Record<string, string> = {}) => ns.spawn(name, [kumaBinary(), ...args], home, env);

  const proxy = (kind: 'dp' | 'egress', name: string, yaml: string, admin: number, extra: string[] = []) => {
    const file = join(home, `${name}.yaml`);
    writeFileSync(file, yaml);
    nsKuma(name, [
      kind, 'run',
      '--cp-address', `https://127.0.0.1:${CP.dp}`,
      '--dataplane-file', file,
      '--ca-cert-file', join(home, 'cp', 'kuma-cp.crt'),
      '--binary-path', envoyBinary(),
      '--admin-port', String(admin),
      '--concurrency', '1',
      '--drain-time', '1s',
      ...extra,
    ]);
  };

  const put = async (path: string, body: unknown) => {
    const r = await ns.curl('PUT', `${api}${path}`, body);
    expect([200, 201], r.text).toContain(r.status);
  };

  const stat = async (admin: number, re: RegExp): Promise<number> => {
    const text = (await ns.curl('GET', `http://127.0.0.1:${admin}/stats`)).text;
    return text.split('\n').reduce((n, line) => {
      const m = /^([^:]+): (\d+)$/.exec(line);
      return m && re.test(m[1]!) ? n + Number(m[2]) : n;
    }, 0);
  };

  beforeAll(async () => {
    ns.create();
    ns.exec(['ip', 'route', 'add', 'local', '240.0.0.0/4', 'dev', 'lo']);
    const cp = nsKuma('cp', ['control-plane', 'run'], {
      KUMA_GENERAL_WORK_DIR: join(home, 'cp'),
      KUMA_STORE_TYPE: 'memory',
      KUMA_API_SERVER_HTTP_PORT: String(CP.api),
      KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
      KUMA_API_SERVER_HTTPS_PORT: String(CP.api + 1),
      KUMA_DIAGNOSTICS_SERVER_PORT: String(CP.diag),
      KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT: String(CP.kds),
      KUMA_DP_SERVER_PORT: String(CP.dp),
      KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none',
      KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none',
      KUMA_XDS_SERVER_DATAPLANE_DEREGISTRATION_DELAY_MS: '200',
    });
    await eventually(async () => {
      if (cp.proc.exitCode !== null) throw new Error(`cp exited:\n${cp.logs()}`);
      expect((await ns.curl('GET', `http://127.0.0.1:${CP.diag}/ready`)).status).toBe(200);
    }, 30_000, 200);

    // The external service: a plain HTTP server on the namespace's loopback.
    const server = `require('node:http').createServer((q, s) => s.end(JSON.stringify({ served: 'ext', host: q.headers.host }))).listen(${EXT_PORT}, '127.0.0.1')`;
    ns.spawn('ext-server', [process.execPath, '-e', server], home);

    await put(`/meshes/${MESH}`, { type: 'Mesh', name: MESH, skipCreatingInitialPolicies: ['*'], mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } });
    await eventually(async () => expect((await ns.curl('GET', `${api}/meshes/${MESH}/secrets`)).json?.items?.map((s: { name: string }) => s.name)).toContain(`${MESH}.ca-builtin-cert-ca-1`), 20_000, 200);
    await put(`/meshes/${MESH}/meshexternalservices/ext-dns`, {
      type: 'MeshExternalService',
      mesh: MESH,
      name: 'ext-dns',
      spec: { match: { type: 'HostnameGenerator', port: 80, protocol: 'http' }, endpoints: [{ address: '127.0.0.1', port: EXT_PORT }] },
    });

    proxy('egress', 'ze-1', `type: ZoneEgress\nname: ze-1\nnetworking:\n  address: 127.0.0.1\n  port: ${EGRESS_PORT}\n`, ADMIN.egress);
    proxy('dp', 'web-1', `type: Dataplane
mesh: ${MESH}
name: web-1
networking:
  address: 127.0.0.1
  inbound:
  - port: 18081
    servicePort: 18082
    tags: { kuma.io/service: web, kuma.io/protocol: http }
`, ADMIN.web, ['--dns-enabled', '--dns-port', String(DNS_PORT)]);
    await eventually(async () => expect((await ns.curl('GET', `http://127.0.0.1:${ADMIN.web}/ready`)).text).toContain('LIVE'), 30_000, 200);
  }, 120_000);

  afterAll(async () => {
    await ns.destroy();
    removeDir(home);
  });

  it('an app reaches http://ext-dns.extsvc.mesh.local/ through its VIP and the zone egress', async () => {
    const r = await eventually(async () => {
      const x = await ns.httpViaDns(DNS_PORT, 'ext-dns.extsvc.mesh.local');
      expect(x.status, x.body).toBe(200);
      return x;
    }, 45_000, 500);
    expect(JSON.parse(r.body)).toEqual({ served: 'ext', host: 'ext-dns.extsvc.mesh.local' });
    // The VIP is a MeshExternalService one, served by the sidecar's VIP listener.
    expect(r.ip).toMatch(/^242\.\d+\.\d+\.\d+$/);
    const listeners = (await ns.curl('GET', `http://127.0.0.1:${ADMIN.web}/listeners`)).text.split('\n');
    expect(listeners.some((l) => l.startsWith(`outbound:${r.ip}:80::`))).toBe(true);
    // The egress made the request to the external endpoint.
    expect(await stat(ADMIN.egress, new RegExp(`^cluster\\.${MESH}_ext-dns_.*_extsvc_80\\.upstream_rq_200$`))).toBeGreaterThan(0);
  });
});
