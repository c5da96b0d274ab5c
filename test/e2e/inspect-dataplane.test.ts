/**
 * `kuma inspect dataplane NAME --type ...` against a zone CP serving a real Envoy: the generated
 * xDS (`config`), the proxy's Envoy admin through the CP (`config-dump`, `stats`, `clusters`) and
 * the policies that apply (`policies`); and what a global CP answers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, envoyBinary, freePort, kumactlHome, removeDir, runKuma, spawnKuma, startCp, startGlobal, waitEnvoyReady, type ControlPlane, type Proc } from './harness';

const procs: Proc[] = [];

describe('kuma inspect dataplane', () => {
  let cp: ControlPlane;
  let global: ControlPlane | undefined;
  let home: string;
  const ports: Record<string, number> = {};

  const inspect = (args: string[]) => runKuma(['inspect', 'dataplane', ...args], { home });

  beforeAll(async () => {
    for (const k of ['dp', 'app', 'inbound', 'outbound', 'admin', 'deadAdmin']) ports[k] = await freePort();
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_PORT: String(ports.dp) } });
    home = await kumactlHome(cp);
    procs.push(spawnKuma(['demo-app', 'http', '--port', String(ports.app), '--service', 'web'], { home }));
    const file = join(home, 'web-01.yaml');
    writeFileSync(
      file,
      `type: Dataplane
mesh: default
name: web-01
networking:
  address: 127.0.0.1
  inbound:
  - port: ${ports.inbound}
    servicePort: ${ports.app}
    tags: { kuma.io/service: web, kuma.io/protocol: http }
  outbound:
  - port: ${ports.outbound}
    tags: { kuma.io/service: backend }
`,
    );
    procs.push(
      spawnKuma(
        ['dp', 'run', '--cp-address', `https://127.0.0.1:${ports.dp}`, '--dataplane-file', file, '--skip-verify', '--binary-path', envoyBinary(), '--admin-port', String(ports.admin), '--concurrency', '1', '--drain-time', '1s'],
        { home },
      ),
    );
    await waitEnvoyReady(ports.admin);
  }, 90_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    await cp?.kill9();
    await global?.kill9();
    for (const d of [cp?.workDir, global?.workDir, home]) if (d) removeDir(d);
  });

  it('--type config prints the generated xDS as JSON', async () => {
    const r = await inspect(['web-01', '--type', 'config']);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body.xds.listeners.map((l: { name: string }) => l.name)).toEqual(expect.arrayContaining([`inbound:127.0.0.1:${ports.inbound}`, `outbound:127.0.0.1:${ports.outbound}`]));
    expect(body.xds.clusters.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining([`localhost:${ports.app}`, 'backend']));
    expect(r.stdout).toContain('\n  "xds": {');
  });

  it('--type config-dump prints Envoy /config_dump, --include-eds adds the endpoints', async () => {
    const r = await inspect(['web-01', '--type', 'config-dump']);
    expect(r.code, r.stderr).toBe(0);
    const dump = JSON.parse(r.stdout);
    expect(Array.isArray(dump.configs)).toBe(true);
    expect(r.stdout).toContain(`inbound:127.0.0.1:${ports.inbound}`);
    expect(r.stdout).not.toContain('EndpointsConfigDump');
    const eds = await inspect(['web-01', '--type', 'config-dump', '--include-eds']);
    expect(eds.code, eds.stderr).toBe(0);
    expect(eds.stdout).toContain('type.googleapis.com/envoy.admin.v3.EndpointsConfigDump');
  });

  it('--type stats prints Envoy /stats', async () => {
    const r = await inspect(['web-01', '--type', 'stats']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^server\.live: 1$/m);
  });

  it('--type clusters prints Envoy /clusters', async () => {
    const r = await inspect(['web-01', '--type', 'clusters']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`localhost:${ports.app}::`);
  });

  it('--type policies lists the policies by attachment as kumactl 2.14 prints them, or the REST body as JSON', async () => {
    const r = await inspect(['web-01']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`INBOUND 127.0.0.1:${ports.inbound}:${ports.app}(web):\n  MeshTimeout\n    mesh-timeout-all-default\n\n`);
    expect(r.stdout).toContain('SERVICE backend:\n  MeshCircuitBreaker\n    mesh-circuit-breaker-all-default\n  MeshRetry\n    mesh-retry-all-default\n  MeshTimeout\n    mesh-timeout-all-default\n\n');
    const j = await inspect(['web-01', '--type', 'policies', '-o', 'json']);
    const body = JSON.parse(j.stdout);
    expect(body.kind).toBe('SidecarDataplane');
    expect(body.total).toBe(body.items.length);
    const inbound = body.items.find((i: { type: string }) => i.type === 'inbound');
    expect(inbound).toMatchObject({ name: `127.0.0.1:${ports.inbound}:${ports.app}`, service: 'web' });
    expect(inbound.matchedPolicies.MeshTimeout[0]).toMatchObject({ type: 'MeshTimeout', mesh: 'default', name: 'mesh-timeout-all-default', kri: 'kri_mt_default_default__mesh-timeout-all-default_' });
  });

  it('--type rules prints the merged rules per policy type', async () => {
    const r = await inspect(['web-01', '--type', 'rules']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^MeshCircuitBreaker:\n  to all \(mesh-circuit-breaker-all-default\):\n    connectionLimits:\n/m);
    expect(r.stdout).toContain(`MeshTimeout:\n  to all (mesh-timeout-all-default):\n    connectionTimeout: 5s\n`);
    expect(r.stdout).toContain(`  from all to inbound :${ports.inbound} (mesh-timeout-all-default):\n    connectionTimeout: 10s\n`);
  });

  it('explains a proxy that is not connected or not reachable, and refuses --include-eds with another type', async () => {
    const apply = await runKuma(['apply', '-f', '-'], {
      home,
      input: `type: Dataplane
mesh: default
name: idle-01
networking:
  address: 127.0.0.1
  admin: { port: ${ports.deadAdmin} }
  inbound:
  - port: 1234
    tags: { kuma.io/service: idle }
`,
    });
    expect(apply.code, apply.stderr).toBe(0);
    const config = await inspect(['idle-01', '--type', 'config']);
    expect(config.code).toBe(1);
    expect(config.stderr).toContain('the proxy is not connected to this control plane; start it with kuma dp run');
    const stats = await inspect(['idle-01', '--type', 'stats']);
    expect(stats.code).toBe(1);
    expect(stats.stderr).toContain(`http://127.0.0.1:${ports.deadAdmin}`);
    const missing = await inspect(['nope-01', '--type', 'stats']);
    expect([missing.code, missing.stderr]).toEqual([1, 'Error: Could not get dataplane resource (Not found)\n']);
    const eds = await inspect(['web-01', '--type', 'stats', '--include-eds']);
    expect([eds.code, eds.stderr]).toEqual([1, "Error: flag '--include-eds' can be used only when '--type=config-dump'\n"]);
  });

  it('a global CP looks the proxy up among the zones\' proxies (forwarding: inspect-forwarding.test.ts)', async () => {
    global = await startGlobal({ env: { KUMA_STORE_TYPE: 'memory' } });
    const r = await api(global, 'GET', '/meshes/default/dataplanes/web-01/_config');
    expect([r.status, r.json.title, r.json.detail]).toEqual([404, 'Could not get dataplane resource', 'Not found']);
  });
});
