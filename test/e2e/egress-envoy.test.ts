/**
 * Zone egress on real Envoy: 1 global + 2 zones on loopback. zone-1 has a zone egress and a client;
 * zone-2 has an ingress and `backend`. With Mesh `routing.zoneEgress: true` the client's cross-zone
 * traffic leaves zone-1 through the egress (SNI pass-through to zone-2's ingress), and an
 * ExternalService is reached through the egress too (mesh mTLS terminated there); the egress
 * Envoy's own stats prove the path. The ExternalService is kuma.io/protocol http, so its egress
 * chain is an HTTP connection manager carrying the egress `from` policies: a MeshFaultInjection
 * abort, a MeshRateLimit budget (429) and a MeshAccessLog File backend, each applied on the global
 * and seen on the egress. With zoneEgress off both go direct and the egress sees nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api, eventually, freePort, removeDir, spawnKuma, startGlobal, startProxy, startZone, tempDir,
  type ControlPlane, type Proc, type Proxy,
} from './harness';

const ZONE_ENV = { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none', KUMA_XDS_SERVER_DATAPLANE_DEREGISTRATION_DELAY_MS: '200' };

const procs: Proc[] = [];

describe('cross-zone and external traffic through a zone egress', () => {
  let global: ControlPlane & { kdsPort: number };
  const zones: Record<string, ControlPlane> = {};
  const home = tempDir('kuma-egress-home-');
  const proxies: Record<string, Proxy> = {};
  let backendOutbound = 0;
  let externalOutbound = 0;
  let externalAppPort = 0;

  const app = async (zone: string, instance: string, service: string) => {
    const port = await freePort();
    const p = spawnKuma(['demo-app', 'http', '--port', String(port), '--service', service, '--instance', instance, '--zone', zone], { home });
    procs.push(p);
    return port;
  };

  const sidecar = async (zone: string, name: string, service: string, appPort: number, outbounds: { port: number; service: string }[] = []) => {
    const inPort = await freePort();
    const yaml = `type: Dataplane
mesh: default
name: ${name}
networking:
  address: 127.0.0.1
  inbound:
  - port: ${inPort}
    servicePort: ${appPort}
    tags: { kuma.io/service: ${service}, kuma.io/protocol: http }
${outbounds.length ? `  outbound:\n${outbounds.map((o) => `  - port: ${o.port}\n    tags: { kuma.io/service: ${o.service} }\n`).join('')}` : ''}`;
    const p = await startProxy({ cp: zones[zone]!, home, name, yaml });
    procs.push(p.dp);
    proxies[name] = p;
    return p;
  };

  const zoneProxy = async (zone: string, name: string, kind: 'ingress' | 'egress') => {
    const port = await freePort();
    const yaml =
      kind === 'ingress'
        ? `type: ZoneIngress\nname: ${name}\nnetworking:\n  address: 127.0.0.1\n  port: ${port}\n  advertisedAddress: 127.0.0.1\n  advertisedPort: ${port}\n`
        : `type: ZoneEgress\nname: ${name}\nnetworking:\n  address: 127.0.0.1\n  port: ${port}\n`;
    // Envoy has no listener until the zone proxy has something to route: do not wait for readiness here.
    const p = await startProxy({ cp: zones[zone]!, home, name, yaml, kind, waitReady: false });
    procs.push(p.dp);
    proxies[name] = p;
    return p;
  };

  const call = async (port: number): Promise<{ status: number; instance?: string; zone?: string }> => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
      const text = await r.text();
      if (r.status !== 200) return { status: r.status };
      const j = JSON.parse(text) as { instance: string; zone: string };
      return { status: 200, instance: j.instance, zone: j.zone };
    } catch {
      return { status: 0 };
    }
  };
  const calls = async (port: number, n: number) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await call(port));
    return out;
  };

  /** Counters of the egress Envoy's admin /stats (name -> value). */
  const egressStats = async (): Promise<Record<string, number>> => {
    const text = await (await fetch(`http://127.0.0.1:${proxies['ze-1']!.admin}/stats`)).text();
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const m = /^([^:]+): (\d+)$/.exec(line);
      if (m) out[m[1]!] = Number(m[2]);
    }
    return out;
  };
  const stat = (s: Record<string, number>, name: string) => s[name] ?? 0;

  const setMesh = async (routing: Record<string, unknown>) => {
    const mesh = { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] }, routing };
    expect((await api(global, 'PUT', '/meshes/default', mesh)).status).toBe(200);
  };

  beforeAll(async () => {
    global = await startGlobal({ args: ['--kds-auth=none'], env: { KUMA_STORE_TYPE: 'memory' } });
    [zones['zone-1'], zones['zone-2']] = await Promise.all([startZone('zone-1', global.kdsPort, { env: ZONE_ENV }), startZone('zone-2', global.kdsPort, { env: ZONE_ENV })]);
    await setMesh({ zoneEgress: true });
    const mtp = { type: 'MeshTrafficPermission', mesh: 'default', name: 'allow-all', spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] } };
    expect((await api(global, 'PUT', '/meshes/default/meshtrafficpermissions/allow-all', mtp)).status).toBe(201);
    // An ExternalService outside the mesh: a plain HTTP server on loopback (no sidecar).
    externalAppPort = await app('zone-1', 'ext-1', 'ext-echo');
    const es = { type: 'ExternalService', mesh: 'default', name: 'ext-echo', tags: { 'kuma.io/service': 'ext-echo', 'kuma.io/protocol': 'http' }, networking: { address: `127.0.0.1:${externalAppPort}` } };
    expect((await api(global, 'PUT', '/meshes/default/external-services/ext-echo', es)).status).toBe(201);
    for (const z of Object.values(zones)) {
      await eventually(async () => expect((await api(z, 'GET', '/meshes/default/secrets')).json.items.map((s: { name: string }) => s.name)).toContain('default.ca-builtin-cert-ca-1'), 15_000);
    }
    await eventually(async () => expect((await api(zones['zone-1']!, 'GET', '/meshes/default/external-services')).json.items.length).toBe(1), 15_000);
    await Promise.all([zoneProxy('zone-2', 'zi-2', 'ingress'), zoneProxy('zone-1', 'ze-1', 'egress')]);
    await sidecar('zone-2', 'backend-2a', 'backend', await app('zone-2', 'backend-2a', 'backend'));
    [backendOutbound, externalOutbound] = [await freePort(), await freePort()];
    await sidecar('zone-1', 'web-1', 'web', await app('zone-1', 'web-1', 'web'), [
      { port: backendOutbound, service: 'backend' },
      { port: externalOutbound, service: 'ext-echo' },
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    for (const cp of [global, ...Object.values(zones)]) if (cp) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
    removeDir(home);
  });

  it('the zone egress is registered and gets a listener once zone-2 advertises backend', async () => {
    await eventually(async () => {
      const items = (await api(zones['zone-1']!, 'GET', '/zoneegresses')).json.items as { name: string }[];
      expect(items.map((i) => i.name)).toContain('ze-1');
    }, 15_000);
    await eventually(async () => {
      const s = await egressStats();
      expect(Object.keys(s).some((k) => k.startsWith('listener.127.0.0.1_'))).toBe(true);
    }, 30_000, 200);
  });

  it('zone-1 reaches backend in zone-2 through the egress: the egress Envoy counts the traffic', async () => {
    const before = await egressStats();
    await eventually(async () => expect((await calls(backendOutbound, 5)).every((r) => r.status === 200 && r.zone === 'zone-2')).toBe(true), 30_000, 200);
    const rs = await calls(backendOutbound, 20);
    expect(rs.filter((r) => r.status !== 200)).toEqual([]);
    expect(rs.every((r) => r.instance === 'backend-2a')).toBe(true);
    const after = await egressStats();
    expect(stat(after, 'cluster.default_backend.upstream_cx_total')).toBeGreaterThan(0);
    expect(stat(after, 'cluster.default_backend.upstream_cx_tx_bytes_total')).toBeGreaterThan(stat(before, 'cluster.default_backend.upstream_cx_tx_bytes_total'));
    expect(stat(after, 'tcp.default_backend.downstream_cx_total')).toBeGreaterThan(0);
  });

  it('an ExternalService is reached through the egress, which terminates the mesh mTLS', async () => {
    await eventually(async () => expect((await calls(externalOutbound, 3)).every((r) => r.status === 200 && r.instance === 'ext-1')).toBe(true), 30_000, 200);
    const s = await egressStats();
    expect(stat(s, 'cluster.default_ext-echo.upstream_cx_total')).toBeGreaterThan(0);
    // The chain terminated TLS (a handshake on the egress listener) and RBAC let the client in.
    expect(Object.entries(s).some(([k, v]) => /^listener\.127\.0\.0\.1_\d+\.ssl\.handshake$/.test(k) && v > 0)).toBe(true);
    expect(Object.entries(s).some(([k, v]) => /default_ext-echo\.rbac\.allowed$/.test(k) && v > 0)).toBe(true);
  });

  /** Applies a policy on the global (it reaches the egress through zone-1) or deletes it. */
  const policy = async (path: string, body?: Record<string, unknown>) => {
    const r = body ? await api(global, 'PUT', `/meshes/default/${path}`, body) : await api(global, 'DELETE', `/meshes/default/${path}`);
    expect([200, 201], r.text).toContain(r.status);
  };
  const statusesOf = async (n: number) => (await calls(externalOutbound, n)).map((r) => r.status);
  /** Until the egress applies what a policy change says and no old filter chain still serves open connections. */
  const untilEgress = async (check: () => Promise<void>) =>
    eventually(async () => {
      await check();
      const s = await egressStats();
      expect(stat(s, 'listener_manager.total_filter_chains_draining')).toBe(0);
    }, 60_000, 300);

  it('an HTTP ExternalService is served by an HTTP connection manager on the egress: requests are counted there', async () => {
    const before = await egressStats();
    const rs = await calls(externalOutbound, 5);
    expect(rs.every((r) => r.status === 200 && r.instance === 'ext-1')).toBe(true);
    const after = await egressStats();
    // The HCM's stat prefix is the service (Kuma's), so these exist only on an HTTP chain.
    expect(stat(after, 'http.ext-echo.downstream_rq_2xx') - stat(before, 'http.ext-echo.downstream_rq_2xx')).toBeGreaterThanOrEqual(5);
    expect(stat(after, 'cluster.default_ext-echo.upstream_rq_total')).toBeGreaterThanOrEqual(5);
  });

  it('a MeshFaultInjection targeting the ExternalService aborts on the egress with its status', async () => {
    await policy('meshfaultinjections/ext-echo-abort', {
      type: 'MeshFaultInjection', mesh: 'default', name: 'ext-echo-abort',
      spec: { targetRef: { kind: 'MeshService', name: 'ext-echo' }, from: [{ targetRef: { kind: 'Mesh' }, default: { http: [{ abort: { httpStatus: 418, percentage: 100 } }] } }] },
    });
    await untilEgress(async () => expect(await statusesOf(3)).toEqual([418, 418, 418]));
    expect(Object.entries(await egressStats()).some(([k, v]) => /^http\.ext-echo\.fault\.aborts_injected$/.test(k) && v >= 3)).toBe(true);
    await policy('meshfaultinjections/ext-echo-abort');
    await untilEgress(async () => expect(await statusesOf(3)).toEqual([200, 200, 200]));
  });

  it('a MeshRateLimit on the ExternalService answers 429 on the egress past its budget', async () => {
    await policy('meshratelimits/ext-echo-budget', {
      type: 'MeshRateLimit', mesh: 'default', name: 'ext-echo-budget',
      spec: { targetRef: { kind: 'MeshService', name: 'ext-echo' }, from: [{ targetRef: { kind: 'Mesh' }, default: { local: { http: { requestRate: { num: 3, interval: '10m' } } } } }] },
    });
    await untilEgress(async () => expect((await statusesOf(4)).at(-1)).toBe(429));
    // The budget is spent for the whole interval: every further request is refused.
    expect(await statusesOf(3)).toEqual([429, 429, 429]);
    // Envoy counts it under the filter's stat prefix (Kuma's `rate_limit`) in the egress's stats.
    const limited = Object.entries(await egressStats()).filter(([k]) => /rate_limit.*\.rate_limited$/.test(k));
    expect(limited.some(([, v]) => v >= 3), JSON.stringify(limited)).toBe(true);
    await policy('meshratelimits/ext-echo-budget');
    await untilEgress(async () => expect(await statusesOf(5)).toEqual([200, 200, 200, 200, 200]));
  });

  it('a MeshAccessLog File backend gets a line in Kuma\'s HTTP format written by the egress', async () => {
    const file = join(home, 'egress-access.log');
    await policy('meshaccesslogs/ext-echo-log', {
      type: 'MeshAccessLog', mesh: 'default', name: 'ext-echo-log',
      spec: { targetRef: { kind: 'MeshService', name: 'ext-echo' }, from: [{ targetRef: { kind: 'Mesh' }, default: { backends: [{ type: 'File', file: { path: file } }] } }] },
    });
    await untilEgress(async () => {
      expect(await statusesOf(1)).toEqual([200]);
      const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
      // [time] mesh "METHOD path protocol" status flags ... "source" "destination" "source address" "upstream host"
      expect(lines.some((l) => new RegExp(`^\\[[^\\]]+\\] default "GET / HTTP/1\\.1" 200 - .*"egress" "ext-echo" "127\\.0\\.0\\.1" "127\\.0\\.0\\.1:${externalAppPort}"$`).test(l)), lines.join('\n')).toBe(true);
    });
    await policy('meshaccesslogs/ext-echo-log');
  });

  it('with zoneEgress off, traffic goes direct (zone-2\'s ingress, the external host) and the egress stats stop growing', async () => {
    await setMesh({ zoneEgress: false });
    // Wait until the client no longer sends anything through the egress.
    let settled: Record<string, number> = {};
    await eventually(async () => {
      const a = await egressStats();
      const rs = [...(await calls(backendOutbound, 5)), ...(await calls(externalOutbound, 5))];
      expect(rs.every((r) => r.status === 200)).toBe(true);
      const b = await egressStats();
      expect(stat(b, 'cluster.default_backend.upstream_cx_tx_bytes_total')).toBe(stat(a, 'cluster.default_backend.upstream_cx_tx_bytes_total'));
      expect(stat(b, 'cluster.default_ext-echo.upstream_cx_tx_bytes_total')).toBe(stat(a, 'cluster.default_ext-echo.upstream_cx_tx_bytes_total'));
      settled = b;
    }, 30_000, 300);
    const rs = await calls(backendOutbound, 20);
    expect(rs.filter((r) => r.status !== 200)).toEqual([]);
    expect(rs.every((r) => r.zone === 'zone-2')).toBe(true);
    expect((await calls(externalOutbound, 10)).every((r) => r.status === 200 && r.instance === 'ext-1')).toBe(true);
    const after = await egressStats();
    for (const k of ['cluster.default_backend.upstream_cx_total', 'cluster.default_backend.upstream_cx_tx_bytes_total', 'cluster.default_ext-echo.upstream_cx_total']) {
      expect(stat(after, k), k).toBe(stat(settled, k));
    }
    // zone-2's ingress served the direct traffic.
    const ingress = await (await fetch(`http://127.0.0.1:${proxies['zi-2']!.admin}/stats?filter=default_backend.upstream_cx_total`)).text();
    expect(Number(/: (\d+)/.exec(ingress)?.[1] ?? 0)).toBeGreaterThan(0);
  });

  it('with zoneEgress back on, the traffic goes through the egress again', async () => {
    await setMesh({ zoneEgress: true });
    const before = await egressStats();
    await eventually(async () => {
      expect((await calls(backendOutbound, 5)).every((r) => r.status === 200)).toBe(true);
      const s = await egressStats();
      expect(stat(s, 'cluster.default_backend.upstream_cx_tx_bytes_total')).toBeGreaterThan(stat(before, 'cluster.default_backend.upstream_cx_tx_bytes_total'));
    }, 30_000, 300);
  });
});
