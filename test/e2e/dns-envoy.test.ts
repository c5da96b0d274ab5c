/**
 * Kuma DNS on real Envoy (spec kuma-kds-xds.md §3.8): `<service>.mesh:80` and its RFC 1123 form
 * resolve through `kuma dp run --dns-enabled` to a VIP the zone CP allocated, and the client's
 * Envoy serves that VIP (an `outbound:<VIP>:80` listener, freebind) routing like any outbound,
 * locally and to another zone through its ingress.
 *
 * A packet to 240.x.x.x reaches a local listener only with a local route for 240.0.0.0/4. The host's
 * routes are never touched: everything of this suite (1 global + 2 zone CPs, ingresses, apps,
 * sidecars, the client requests) runs inside a network namespace the suite creates
 * (`kuma-dns-<pid>`, loopback up, `ip route add local 240.0.0.0/4 dev lo`) and deletes afterwards.
 * Inside it the host's 127.0.0.1 is not reachable, so every check is a command run in it
 * (`ip netns exec`): curl for the APIs, a node one-liner for DNS and HTTP.
 *
 * Needs root (ip netns); skipped otherwise.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RCODE, buildQuery, parseResponse } from '../../internal/dns/dns-wire';
import { envoyBinary, eventually, kumaBinary, removeDir, tempDir } from './harness';
import { NetNs } from './netns';

const NS = `kuma-dns-${process.pid}`;

function netnsUsable(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = `kuma-dns-probe-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { stdio: 'ignore' });
  if (add.status !== 0) return false;
  spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  return true;
}

const USABLE = netnsUsable();
if (!USABLE) console.warn('SKIPPED dns-envoy.test.ts: needs root and `ip netns` (network namespaces)');

const ns = new NetNs(NS);
const nsRun = ns.run.bind(ns);
const curl = ns.curl.bind(ns);
/** Spawns `kuma ARGS` inside the namespace. */
const nsKuma = (name: string, args: string[], home: string, env: Record<string, string> = {}) => ns.spawn(name, [kumaBinary(), ...args], home, env);

/** A raw DNS query over UDP from inside the namespace (node:dgram); the response packet. */
async function rawDns(port: number, name: string): Promise<ReturnType<typeof parseResponse>> {
  const script = `
const s = require('node:dgram').createSocket('udp4');
const t = setTimeout(() => { console.error('no answer'); process.exit(2); }, 3000);
s.on('message', (m) => { clearTimeout(t); process.stdout.write(m.toString('hex')); s.close(); });
s.send(Buffer.from(process.argv[1], 'hex'), Number(process.argv[2]), '127.0.0.1');`;
  const r = await nsRun([process.execPath, '-e', script, buildQuery(0x5eed, name).toString('hex'), String(port)]);
  if (r.code !== 0) throw new Error(`DNS query for ${name} failed: ${r.stderr}`);
  return parseResponse(Buffer.from(r.stdout, 'hex'));
}

const httpViaDns = ns.httpViaDns.bind(ns);

describe.skipIf(!USABLE)('Kuma DNS: <service>.mesh through kuma-dp\'s resolver and VIP listeners on real Envoy', () => {
  const home = tempDir('kuma-dns-home-');
  const CP = {
    global: { api: 15681, diag: 15680, kds: 15685, dp: 15678 },
    'zone-1': { api: 25681, diag: 25680, kds: 25685, dp: 25678 },
    'zone-2': { api: 35681, diag: 35680, kds: 35685, dp: 35678 },
  } as const;
  const DNS_PORT = 15053;
  const ECHO = 'echo-server_echo-example_svc_1010';
  const PAYMENTS = 'payments_billing_svc_8080';
  let nextPort = 40000;
  const port = () => nextPort++;
  const api = (cp: keyof typeof CP) => `http://127.0.0.1:${CP[cp].api}`;

  const startCp = async (cp: keyof typeof CP, args: string[]) => {
    const p = CP[cp];
    const workDir = join(home, cp);
    const proc = nsKuma(cp, ['control-plane', 'run', ...args], home, {
      KUMA_GENERAL_WORK_DIR: workDir,
      KUMA_STORE_TYPE: 'memory',
      KUMA_API_SERVER_HTTP_PORT: String(p.api),
      KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
      KUMA_API_SERVER_HTTPS_PORT: String(p.api + 1),
      KUMA_DIAGNOSTICS_SERVER_PORT: String(p.diag),
      KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT: String(p.kds),
      KUMA_DP_SERVER_PORT: String(p.dp),
      KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none',
      KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none',
      KUMA_MULTIZONE_ZONE_KDS_TLS_SKIP_VERIFY: 'true',
      KUMA_XDS_SERVER_DATAPLANE_DEREGISTRATION_DELAY_MS: '200',
    });
    await eventually(async () => {
      if (proc.proc.exitCode !== null) throw new Error(`${cp} exited:\n${proc.logs()}`);
      expect((await curl('GET', `http://127.0.0.1:${p.diag}/ready`)).status).toBe(200);
    }, 30_000, 200);
  };

  const proxy = async (zone: 'zone-1' | 'zone-2', name: string, yaml: string, opts: { kind?: 'dp' | 'ingress'; extra?: string[]; admin?: number } = {}) => {
    const file = join(home, `${name}.yaml`);
    writeFileSync(file, yaml);
    const admin = opts.admin ?? port();
    nsKuma(name, [
      opts.kind ?? 'dp', 'run',
      '--cp-address', `https://127.0.0.1:${CP[zone].dp}`,
      '--dataplane-file', file,
      '--ca-cert-file', join(home, zone, 'kuma-cp.crt'),
      '--binary-path', envoyBinary(),
      '--admin-port', String(admin),
      '--concurrency', '1',
      '--drain-time', '1s',
      ...(opts.extra ?? []),
    ], home);
    return admin;
  };

  const app = async (zone: string, instance: string, service: string) => {
    const p = port();
    nsKuma(`app-${instance}`, ['demo-app', 'http', '--port', String(p), '--service', service, '--instance', instance, '--zone', zone], home);
    return p;
  };

  const sidecar = async (zone: 'zone-1' | 'zone-2', name: string, service: string, appPort: number, extra: string[] = []) => {
    const admin = await proxy(zone, name, `type: Dataplane
mesh: default
name: ${name}
networking:
  address: 127.0.0.1
  inbound:
  - port: ${port()}
    servicePort: ${appPort}
    tags: { kuma.io/service: ${service}, kuma.io/protocol: http }
`, { extra });
    await eventually(async () => expect((await curl('GET', `http://127.0.0.1:${admin}/ready`)).text).toContain('LIVE'), 30_000, 200);
    return admin;
  };

  const ingress = async (zone: 'zone-1' | 'zone-2', name: string) => {
    const p = port();
    await proxy(zone, name, `type: ZoneIngress
name: ${name}
networking:
  address: 127.0.0.1
  port: ${p}
  advertisedAddress: 127.0.0.1
  advertisedPort: ${p}
`, { kind: 'ingress' });
  };

  let clientAdmin = 0;

  beforeAll(async () => {
    ns.create();
    ns.exec(['ip', 'route', 'add', 'local', '240.0.0.0/4', 'dev', 'lo']);
    await startCp('global', ['--mode=global', '--kds-auth=none']);
    await Promise.all([
      startCp('zone-1', ['--mode=zone', '--zone', 'zone-1', '--kds-global-address', `grpcs://127.0.0.1:${CP.global.kds}`]),
      startCp('zone-2', ['--mode=zone', '--zone', 'zone-2', '--kds-global-address', `grpcs://127.0.0.1:${CP.global.kds}`]),
    ]);
    const mesh = { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
    await eventually(async () => expect([200, 201]).toContain((await curl('PUT', `${api('global')}/meshes/default`, mesh)).status), 10_000, 200);
    const mtp = { type: 'MeshTrafficPermission', mesh: 'default', name: 'allow-all', spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] } };
    expect((await curl('PUT', `${api('global')}/meshes/default/meshtrafficpermissions/allow-all`, mtp)).status).toBe(201);
    for (const z of ['zone-1', 'zone-2'] as const) {
      await eventually(async () => expect((await curl('GET', `${api(z)}/meshes/default/secrets`)).json?.items?.map((s: { name: string }) => s.name)).toContain('default.ca-builtin-cert-ca-1'), 20_000, 200);
    }
    await Promise.all([ingress('zone-1', 'zi-1'), ingress('zone-2', 'zi-2')]);
    await Promise.all([
      (async () => sidecar('zone-1', 'echo-1', ECHO, await app('zone-1', 'echo-1', ECHO)))(),
      (async () => sidecar('zone-2', 'payments-2', PAYMENTS, await app('zone-2', 'payments-2', PAYMENTS)))(),
    ]);
    // The client: no declared outbound at all; it reaches everything by name through the resolver.
    clientAdmin = await sidecar('zone-1', 'web-1', 'web', port(), ['--dns-enabled', '--dns-port', String(DNS_PORT)]);
  }, 180_000);

  afterAll(async () => {
    // kuma dp stops its Envoy (and Envoy dies with it anyway: pdeathsig), then the CPs.
    await ns.destroy();
    removeDir(home);
  });

  it('answers A records for a service and its RFC 1123 form with the same VIP (raw UDP query), NXDOMAIN for unknown names', async () => {
    const r = await eventually(async () => {
      const a = await rawDns(DNS_PORT, `${ECHO}.mesh`);
      expect(a.rcode).toBe(RCODE.NOERROR);
      expect(a.answers).toHaveLength(1);
      return a;
    }, 20_000, 300);
    expect(r).toMatchObject({ id: 0x5eed, authoritative: true, questions: [{ name: `${ECHO}.mesh`, type: 1 }] });
    expect(r.answers[0]!.ip).toMatch(/^24\d\.\d+\.\d+\.\d+$/);
    expect(r.answers[0]!.ttl).toBe(30);
    const dotted = await rawDns(DNS_PORT, 'echo-server.echo-example.svc.1010.mesh');
    expect(dotted.answers.map((a) => a.ip)).toEqual([r.answers[0]!.ip]);
    expect((await rawDns(DNS_PORT, 'nope.mesh')).rcode).toBe(RCODE.NXDOMAIN);
  });

  it('Envoy binds an outbound:<VIP>:80 listener per service', async () => {
    await eventually(async () => {
      const names = (await curl('GET', `http://127.0.0.1:${clientAdmin}/listeners`)).text.split('\n');
      expect(names.filter((n) => /^outbound:24\d\.\d+\.\d+\.\d+:80::/.test(n)).length).toBeGreaterThanOrEqual(3);
    }, 20_000, 300);
  });

  it('reaches a local service as http://echo-server.echo-example.svc.1010.mesh/ (and the underscore form)', async () => {
    const r = await eventually(async () => {
      const x = await httpViaDns(DNS_PORT, 'echo-server.echo-example.svc.1010.mesh');
      expect(x.status, x.body).toBe(200);
      return x;
    }, 20_000, 300);
    expect(JSON.parse(r.body)).toMatchObject({ instance: 'echo-1', zone: 'zone-1' });
    expect(r.ip).toMatch(/^24\d\./);
    const u = await httpViaDns(DNS_PORT, `${ECHO}.mesh`);
    expect(u.status).toBe(200);
    expect(JSON.parse(u.body)).toMatchObject({ instance: 'echo-1' });
  });

  it('reaches a service that only runs in zone-2 by name, through zone-2\'s ingress', async () => {
    const r = await eventually(async () => {
      const x = await httpViaDns(DNS_PORT, 'payments.billing.svc.8080.mesh');
      expect(x.status, x.body).toBe(200);
      return x;
    }, 45_000, 500);
    expect(JSON.parse(r.body)).toMatchObject({ instance: 'payments-2', zone: 'zone-2' });
    const u = await httpViaDns(DNS_PORT, `${PAYMENTS}.mesh`);
    expect(JSON.parse(u.body)).toMatchObject({ zone: 'zone-2' });
  });

  it('keeps a service\'s VIP when other services come and go', async () => {
    const before = (await rawDns(DNS_PORT, `${ECHO}.mesh`)).answers[0]!.ip;
    await sidecar('zone-1', 'aaa-1', 'aaa', await app('zone-1', 'aaa-1', 'aaa'));
    const aaa = await eventually(async () => {
      const a = await rawDns(DNS_PORT, 'aaa.mesh');
      expect(a.answers).toHaveLength(1);
      return a.answers[0]!.ip;
    }, 20_000, 300);
    expect(aaa).not.toBe(before);
    expect((await rawDns(DNS_PORT, `${ECHO}.mesh`)).answers[0]!.ip).toBe(before);
    const r = await eventually(async () => {
      const x = await httpViaDns(DNS_PORT, 'aaa.mesh');
      expect(x.status, x.body).toBe(200);
      return x;
    }, 20_000, 300);
    expect(JSON.parse(r.body)).toMatchObject({ instance: 'aaa-1' });
  });
});
