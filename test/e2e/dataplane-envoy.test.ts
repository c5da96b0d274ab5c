/**
 * The data plane in one standalone zone, on real Envoy: `kuma dp run`
 * bootstraps and supervises Envoy, the CP serves it over ADS, and traffic
 * flows client -> client sidecar outbound -> backend sidecar inbound -> app.
 */
import { execFileSync } from 'node:child_process';
import { createServer, connect, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, envoyBinary, eventually, freePort, kumactlHome, removeDir, runKuma, spawnKuma, startCp, waitEnvoyReady, type ControlPlane, type Proc } from './harness';

interface Sidecar {
  name: string;
  admin: number;
  readiness: number;
  dp: Proc;
}

const procs: Proc[] = [];

describe('data plane on real Envoy in a standalone zone', () => {
  let cp: ControlPlane;
  let home: string;
  const ports: Record<string, number> = {};
  const sidecars: Record<string, Sidecar> = {};

  const app = (args: string[]) => {
    const p = spawnKuma(['demo-app', ...args], { home });
    procs.push(p);
    return p;
  };

  async function sidecar(name: string, yaml: string, opts: { tokenFor?: string; expectReady?: boolean } = {}): Promise<Sidecar> {
    const file = join(home, `${name}.yaml`);
    writeFileSync(file, yaml);
    const tokenFile = join(home, `${name}.token`);
    const tok = await runKuma(['generate', 'dataplane-token', '--mesh', 'default', '--name', opts.tokenFor ?? name, '--valid-for', '1h'], { home });
    expect(tok.code, tok.stderr).toBe(0);
    writeFileSync(tokenFile, tok.stdout.trim());
    const admin = await freePort();
    const readiness = await freePort();
    const dp = spawnKuma(
      ['dp', 'run', '--cp-address', `https://127.0.0.1:${ports.dp}`, '--dataplane-file', file, '--dataplane-token-file', tokenFile, '--ca-cert-file', join(cp.workDir, 'kuma-cp.crt'), '--binary-path', envoyBinary(), '--admin-port', String(admin), '--concurrency', '1', '--drain-time', '1s'],
      { home, env: { KUMA_READINESS_PORT: String(readiness) } },
    );
    procs.push(dp);
    const s = { name, admin, readiness, dp };
    if (opts.expectReady !== false) await waitEnvoyReady(admin);
    return s;
  }

  const get = async (port: number, path = '/') => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: r.status, text: await r.text() };
  };

  const tcpEcho = (port: number, line: string) =>
    new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      let got = '';
      s.setTimeout(3000, () => s.destroy(new Error('timeout')));
      s.on('data', (d) => {
        got += d;
        if (got.includes('\n')) {
          s.end();
          resolve(got.trim());
        }
      });
      s.on('error', reject);
      s.on('close', () => (got.includes('\n') ? undefined : reject(new Error(`closed with "${got}"`))));
      s.write(`${line}\n`);
    });

  beforeAll(async () => {
    for (const k of ['dp', 'backendIn', 'backendApp', 'tcpIn', 'tcpApp', 'clientIn', 'clientApp', 'outHttp', 'outTcp', 'flakyIn', 'flakyApp', 'outFlaky', 'pool1In', 'pool1App', 'pool2In', 'pool2App', 'outPool']) ports[k] = await freePort();
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_PORT: String(ports.dp), KUMA_XDS_SERVER_DATAPLANE_DEREGISTRATION_DELAY_MS: '300' } });
    home = await kumactlHome(cp);
    app(['http', '--port', String(ports.backendApp), '--service', 'backend', '--instance', 'backend-1']);
    app(['tcp', '--port', String(ports.tcpApp), '--service', 'backend-tcp', '--instance', 'backend-1']);
    app(['http', '--port', String(ports.clientApp), '--service', 'client', '--instance', 'client-1']);
    sidecars.backend = await sidecar(
      'backend-1',
      `type: Dataplane
mesh: default
name: backend-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${ports.backendIn}
    servicePort: ${ports.backendApp}
    tags: { kuma.io/service: backend, kuma.io/protocol: http, version: v1 }
  - port: ${ports.tcpIn}
    servicePort: ${ports.tcpApp}
    tags: { kuma.io/service: backend-tcp, kuma.io/protocol: tcp }
`,
    );
    sidecars.client = await sidecar(
      'client-1',
      `type: Dataplane
mesh: default
name: client-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${ports.clientIn}
    servicePort: ${ports.clientApp}
    tags: { kuma.io/service: client, kuma.io/protocol: http }
  outbound:
  - port: ${ports.outHttp}
    tags: { kuma.io/service: backend }
  - port: ${ports.outTcp}
    tags: { kuma.io/service: backend-tcp }
  - port: ${ports.outFlaky}
    tags: { kuma.io/service: flaky }
  - port: ${ports.outPool}
    tags: { kuma.io/service: pool }
`,
    );
  }, 90_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    await cp?.kill9();
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('HTTP flows client -> outbound -> inbound -> app', async () => {
    const r = await eventually(async () => {
      const r = await get(ports.outHttp, '/hello');
      expect(r.status).toBe(200);
      return r;
    });
    expect(JSON.parse(r.text)).toMatchObject({ service: 'backend', instance: 'backend-1', path: '/hello' });
  });

  it('kuma dp run answers READY on its readiness port (KUMA_READINESS_PORT) once Envoy is live', async () => {
    for (const s of [sidecars.backend!, sidecars.client!]) {
      const r = await get(s.readiness, '/ready');
      expect(r, s.name).toEqual({ status: 200, text: 'READY' });
    }
  });

  it('TCP flows the same way', async () => {
    expect(await eventually(() => tcpEcho(ports.outTcp, 'ping'))).toBe('backend-tcp/backend-1: ping');
  });

  it('registers the Dataplanes and reports them Online with ACKed config', async () => {
    const r = await eventually(async () => {
      const r = await runKuma(['inspect', 'dataplanes'], { home });
      expect(r.stdout).toMatch(/\ndefault +backend-1 +.* +Online /);
      expect(r.stdout).toMatch(/\ndefault +client-1 +.* +Online /);
      return r;
    });
    expect(r.code).toBe(0);
    // Counters are flushed shortly after the ACKs arrive.
    await eventually(async () => {
      const insight = (await api(cp, 'GET', '/meshes/default/dataplanes/client-1/_overview')).json.dataplaneInsight.subscriptions.at(-1);
      expect(insight.version.envoy.version).toMatch(/^1\.40/);
      expect(Number(insight.status.lds?.responsesAcknowledged)).toBeGreaterThanOrEqual(1);
      expect(insight.status.lds.lastAckedVersion).toBeTruthy();
      expect(insight.status.total.responsesRejected).toBe('0');
    });
  });

  it('keeps ServiceInsight and MeshInsight current: kuma inspect services, kuma get serviceinsight', async () => {
    const services = await eventually(async () => {
      const r = await runKuma(['inspect', 'services'], { home });
      expect(r.stdout).toMatch(/\nbackend +Online +1\/1\n/);
      expect(r.stdout).toMatch(/\nclient +Online +1\/1\n/);
      return r.stdout;
    }, 10_000);
    expect(services).toMatch(/\nbackend-tcp +Online +1\/1\n/);
    const yaml = await runKuma(['get', 'serviceinsight', 'all-services-default', '-o', 'yaml'], { home });
    expect(yaml.code, yaml.stderr).toBe(0);
    expect(yaml.stdout).toMatch(/type: ServiceInsight/);
    expect(yaml.stdout).toMatch(/backend:\n(.*\n)*? +status: online/);
    const meshes = await runKuma(['inspect', 'meshes'], { home });
    expect(meshes.stdout).toMatch(/\ndefault +2\/2 /);
  });

  describe('with mTLS', () => {
    beforeAll(async () => {
      const mesh = { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
      expect((await api(cp, 'PUT', '/meshes/default', mesh)).status).toBe(200);
    });

    it('denies traffic without a permission (HTTP 403, TCP closed)', async () => {
      await eventually(async () => expect((await get(ports.outHttp)).status).toBe(403), 15_000);
      await expect(tcpEcho(ports.outTcp, 'denied')).rejects.toThrow();
    });

    it('serves an identity certificate with the SPIFFE SAN, its expiry shown in DataplaneInsight', async () => {
      const certs = await eventually(async () => {
        const c = await (await fetch(`http://127.0.0.1:${sidecars.backend!.admin}/certs`)).json();
        const sans = JSON.stringify(c);
        expect(sans).toContain('spiffe://default/backend');
        return sans;
      });
      expect(certs).toContain('kuma://version/v1');
      const mtls = await eventually(async () => {
        const m = (await api(cp, 'GET', '/meshes/default/dataplanes/backend-1/_overview')).json.dataplaneInsight.mTLS;
        expect(m?.certificateExpirationTime).toBeTruthy();
        return m;
      });
      const hours = (Date.parse(mtls.certificateExpirationTime) - Date.now()) / 3_600_000;
      expect(hours).toBeGreaterThan(23);
      expect(hours).toBeLessThanOrEqual(24.01);
      expect(mtls.issuedBackend).toBe('ca-1');
    });

    it('allows traffic with a MeshTrafficPermission', async () => {
      const mtp = { type: 'MeshTrafficPermission', mesh: 'default', name: 'allow-all', spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] } };
      expect((await api(cp, 'PUT', '/meshes/default/meshtrafficpermissions/allow-all', mtp)).status).toBe(201);
      await eventually(async () => expect((await get(ports.outHttp)).status).toBe(200), 15_000);
      expect(await eventually(() => tcpEcho(ports.outTcp, 'allowed'))).toBe('backend-tcp/backend-1: allowed');
    });

    it('MeshRetry turns 50% injected 503s into 200s', async () => {
      app(['http', '--port', String(ports.flakyApp), '--service', 'flaky', '--instance', 'flaky-1', '--fail-rate', '0.5', '--fail-status', '503']);
      sidecars.flaky = await sidecar(
        'flaky-1',
        `type: Dataplane
mesh: default
name: flaky-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${ports.flakyIn}
    servicePort: ${ports.flakyApp}
    tags: { kuma.io/service: flaky, kuma.io/protocol: http }
`,
      );
      // Without retries half the calls fail...
      expect((await api(cp, 'DELETE', '/meshes/default/meshretries/mesh-retry-all-default')).status).toBe(200);
      await eventually(async () => expect((await get(ports.outFlaky)).status).toBe(200), 15_000);
      const before = await Promise.all(Array.from({ length: 20 }, () => get(ports.outFlaky)));
      expect(before.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(5);
      // ...with a MeshRetry on 5xx none do.
      const retry = { type: 'MeshRetry', mesh: 'default', name: 'retry-flaky', spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'MeshService', name: 'flaky' }, default: { http: { numRetries: 5, retryOn: ['5xx'] } } }] } };
      expect((await api(cp, 'PUT', '/meshes/default/meshretries/retry-flaky', retry)).status).toBe(201);
      // Sequential on purpose: the default MeshCircuitBreaker allows 3 concurrent retries per cluster.
      await eventually(async () => {
        const rs = [];
        for (let i = 0; i < 10; i++) rs.push((await get(ports.outFlaky)).status);
        expect(rs).toEqual(Array(10).fill(200));
      }, 15_000);
      const after = [];
      for (let i = 0; i < 40; i++) after.push((await get(ports.outFlaky)).status);
      expect(after).toEqual(Array(40).fill(200));
    });

    it('outlier detection ejects a dead instance', async () => {
      const pool1App = app(['http', '--port', String(ports.pool1App), '--service', 'pool', '--instance', 'pool-1']);
      const pool2App = app(['http', '--port', String(ports.pool2App), '--service', 'pool', '--instance', 'pool-2']);
      void pool1App;
      for (const [n, inPort, appPort] of [['pool-1', ports.pool1In, ports.pool1App], ['pool-2', ports.pool2In, ports.pool2App]] as const) {
        sidecars[n] = await sidecar(
          n,
          `type: Dataplane
mesh: default
name: ${n}
networking:
  address: 127.0.0.1
  inbound:
  - port: ${inPort}
    servicePort: ${appPort}
    tags: { kuma.io/service: pool, kuma.io/protocol: http }
`,
        );
      }
      const cb = {
        type: 'MeshCircuitBreaker',
        mesh: 'default',
        name: 'eject-dead',
        spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'MeshService', name: 'pool' }, default: { outlierDetection: { interval: '1s', baseEjectionTime: '60s', maxEjectionPercent: 100, detectors: { totalFailures: { consecutive: 2 } } } } }] },
      };
      expect((await api(cp, 'PUT', '/meshes/default/meshcircuitbreakers/eject-dead', cb)).status).toBe(201);
      const seen = await eventually(async () => {
        const instances = new Set<string>();
        for (let i = 0; i < 12; i++) {
          const r = await get(ports.outPool);
          if (r.status === 200) instances.add(JSON.parse(r.text).instance);
        }
        expect([...instances].sort()).toEqual(['pool-1', 'pool-2']);
        return instances;
      }, 20_000);
      expect(seen.size).toBe(2);
      // The client's Envoy has the outlier detection before the instance dies.
      await eventually(async () => expect(await (await fetch(`http://127.0.0.1:${sidecars.client!.admin}/config_dump`)).text()).toMatch(/"consecutive_5xx": 2/), 10_000);
      await pool2App.stop('SIGKILL');
      // A few requests hit the dead instance and fail; then it is ejected and every request succeeds.
      for (let i = 0; i < 20; i++) await get(ports.outPool);
      const statuses = [];
      for (let i = 0; i < 20; i++) statuses.push((await get(ports.outPool)).status);
      const clusters = await (await fetch(`http://127.0.0.1:${sidecars.client!.admin}/clusters`)).text();
      expect(statuses, `${ports.pool1In}/${ports.pool2In} ${statuses.join(',')} ${clusters.split('\n').filter((l) => /^pool::.*(rq_error|rq_success|health_flags)/.test(l)).join(' ')}`).toEqual(Array(20).fill(200));
      expect(clusters).toMatch(new RegExp(`pool::127\\.0\\.0\\.1:${ports.pool2In}::health_flags::/failed_outlier_check`));
    });
  });

  it('restarts Envoy when it is killed', async () => {
    const dpPid = sidecars.backend!.dp.proc.pid!;
    const envoyPid = Number(execFileSync('pgrep', ['-P', String(dpPid), '-f', 'envoy']).toString().trim().split('\n')[0]);
    expect(envoyPid).toBeGreaterThan(0);
    process.kill(envoyPid, 'SIGKILL');
    await eventually(() => {
      const pids = execFileSync('pgrep', ['-P', String(dpPid), '-f', 'envoy']).toString().trim().split('\n').map(Number);
      expect(pids.some((p) => p !== envoyPid)).toBe(true);
    }, 15_000);
    await waitEnvoyReady(sidecars.backend!.admin);
    await eventually(async () => expect((await get(ports.outHttp)).status).toBe(200), 15_000);
    expect(sidecars.backend!.dp.logs()).toMatch(/envoy .*crashed|Envoy exited/i);
  });

  it('reports a config Envoy rejects as a NACK with Envoy\'s error text', async () => {
    // An outbound on a port something else holds: Envoy cannot bind the listener and NACKs it.
    const blocker: Server = createServer();
    const busy = await freePort();
    await new Promise<void>((r) => blocker.listen(busy, '127.0.0.1', () => r()));
    try {
      const dp = {
        type: 'Dataplane',
        mesh: 'default',
        name: 'client-1',
        networking: { address: '127.0.0.1', admin: { port: sidecars.client!.admin }, inbound: [{ port: ports.clientIn, servicePort: ports.clientApp, tags: { 'kuma.io/service': 'client', 'kuma.io/protocol': 'http' } }], outbound: [{ port: ports.outHttp, tags: { 'kuma.io/service': 'backend' } }, { port: busy, tags: { 'kuma.io/service': 'backend' } }] },
      };
      expect((await api(cp, 'PUT', '/meshes/default/dataplanes/client-1', dp)).status).toBe(200);
      const lds = await eventually(async () => {
        const s = (await api(cp, 'GET', '/meshes/default/dataplanes/client-1/_overview')).json.dataplaneInsight.subscriptions.at(-1).status.lds;
        expect(Number(s.responsesRejected)).toBeGreaterThanOrEqual(1);
        return s;
      }, 15_000);
      expect(lds.lastRejectedError).toMatch(/address already in use|cannot bind/i);
    } finally {
      blocker.close();
    }
  });

  it('refuses a token of another dataplane, with the reason in the proxy\'s log', async () => {
    const other = await sidecar(
      'web-02',
      `type: Dataplane
mesh: default
name: web-02
networking:
  address: 127.0.0.1
  inbound:
  - port: ${await freePort()}
    servicePort: ${await freePort()}
    tags: { kuma.io/service: web }
`,
      { tokenFor: 'backend-1', expectReady: false },
    );
    // The CP refuses the stream with the reason as its gRPC status (Envoy logs it only after ~30 s of failures).
    await eventually(() => expect(cp.logs()).toMatch(/proxy name from requestor: web-02 is different than in token: backend-1/), 15_000);
    expect((await api(cp, 'GET', '/meshes/default/dataplanes/web-02')).status).toBe(404);
    await other.dp.stop('SIGKILL');
  });

  it('an invalid Dataplane file gives a clear error and starts no Envoy', async () => {
    const file = join(home, 'bad.yaml');
    writeFileSync(file, 'type: Dataplane\nmesh: default\nname: bad-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: 99999\n    tags: { version: v1 }\n');
    const r = await runKuma(['dp', 'run', '--cp-address', `https://127.0.0.1:${ports.dp}`, '--dataplane-file', file, '--skip-verify', '--binary-path', envoyBinary()], { home, timeoutMs: 15_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/networking\.inbound\[0\]\.port/);
    expect(r.stderr).toMatch(/kuma\.io\/service/);
    expect(r.stderr + r.stdout).not.toMatch(/starting -> running|envoy.*started/i);
  });

  it('dp run stopped with SIGTERM drains Envoy, exits 0, and the Dataplane is deregistered', async () => {
    const flaky = sidecars.flaky!;
    expect((await api(cp, 'GET', '/meshes/default/dataplanes/flaky-1')).status).toBe(200);
    expect(await flaky.dp.stop('SIGTERM')).toBe(0);
    await eventually(async () => expect((await api(cp, 'GET', '/meshes/default/dataplanes/flaky-1')).status).toBe(404), 10_000);
    expect((await api(cp, 'GET', '/meshes/default/dataplane-insights/flaky-1')).status).toBe(404);
  });
});
