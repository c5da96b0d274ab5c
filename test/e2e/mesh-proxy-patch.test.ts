/**
 * MeshProxyPatch on real Envoy (issue 9 item 2): a policy selecting the client's sidecar adds a
 * response header to its outbound virtual host, puts a local rate limit before the router and
 * patches the backend cluster's connect timeout; requests through the client's outbound show the
 * header and the 429s, config_dump shows the timeout; a value naming a field Envoy does not have
 * is refused by `kuma apply`; deleting the policy gives the proxy its unpatched config back.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, jsonObjects, kumactlHome, removeDir, runKuma, spawnKuma, startCp, startProxy, type ControlPlane, type Proc } from './harness';

const procs: Proc[] = [];

const PATCH = `type: MeshProxyPatch
mesh: default
name: client-patch
spec:
  targetRef: { kind: MeshService, name: client }
  default:
    appendModifications:
    - virtualHost:
        operation: Patch
        match: { origin: outbound, routeConfigurationName: outbound:backend }
        jsonPatches:
        - op: add
          path: /responseHeadersToAdd
          value: [{ header: { key: x-patched-by, value: mesh-proxy-patch } }]
    - httpFilter:
        operation: AddBefore
        match: { name: envoy.filters.http.router, origin: outbound }
        value: |
          name: envoy.filters.http.local_ratelimit
          typed_config:
            '@type': type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
            stat_prefix: mpp_limit
            token_bucket: { max_tokens: 3, tokens_per_fill: 3, fill_interval: 3600s }
            filter_enabled: { default_value: { numerator: 100, denominator: HUNDRED } }
            filter_enforced: { default_value: { numerator: 100, denominator: HUNDRED } }
    - cluster:
        operation: Patch
        match: { name: backend, origin: outbound }
        value: |
          connect_timeout: 0.75s
`;

describe('MeshProxyPatch on real Envoy', () => {
  let cp: ControlPlane;
  let home: string;
  const ports: Record<string, number> = {};
  let clientAdmin = 0;
  let backendAdmin = 0;

  const sidecar = async (name: string, yaml: string) => {
    const p = await startProxy({ cp, home, name, yaml });
    procs.push(p.dp);
    return p.admin;
  };

  const configDump = async () => (await fetch(`http://127.0.0.1:${clientAdmin}/config_dump`)).json();
  const backendCluster = (dump: unknown) => [...jsonObjects(dump)].find((o) => o['@type']?.endsWith('.Cluster') && o.name === 'backend');
  // A new connection per call: a kept-alive one would stay on the listener it was accepted by
  // (Envoy drains old listeners) and miss the update.
  const call = () =>
    new Promise<{ status: number; patched: string | null }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: ports.outBackend, path: '/', agent: false, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, patched: (res.headers['x-patched-by'] as string | undefined) ?? null }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  /** The client's Envoy runs the patched (or unpatched) listener and cluster. */
  const runs = async (patched: boolean) => {
    const dump = await configDump();
    expect(backendCluster(dump)?.connect_timeout).toBe(patched ? '0.750s' : '5s');
    const listener = [...jsonObjects(dump)].find((o) => o['@type']?.endsWith('.Listener') && o.name === `outbound:127.0.0.1:${ports.outBackend}`);
    expect(JSON.stringify(listener).includes('mpp_limit')).toBe(patched);
  };
  const apply = async (yaml: string) => {
    const f = join(home, 'apply.yaml');
    writeFileSync(f, yaml);
    return runKuma(['apply', '-f', f], { home });
  };

  beforeAll(async () => {
    for (const k of ['dp', 'backendIn', 'backendApp', 'clientIn', 'clientApp', 'outBackend']) ports[k] = await freePort();
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_PORT: String(ports.dp), KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none' } });
    home = await kumactlHome(cp);
    for (const [svc, app] of [['backend', ports.backendApp], ['client', ports.clientApp]] as const) {
      procs.push(spawnKuma(['demo-app', 'http', '--port', String(app), '--service', svc, '--instance', `${svc}-1`], { home }));
    }
    const inbound = (svc: string, port: number, app: number) => `type: Dataplane
mesh: default
name: ${svc}-1
networking:
  address: 127.0.0.1
  inbound:
  - port: ${port}
    servicePort: ${app}
    tags: { kuma.io/service: ${svc}, kuma.io/protocol: http }
`;
    backendAdmin = await sidecar('backend-1', inbound('backend', ports.backendIn!, ports.backendApp!));
    clientAdmin = await sidecar('client-1', `${inbound('client', ports.clientIn!, ports.clientApp!)}  outbound:\n  - port: ${ports.outBackend}\n    tags: { kuma.io/service: backend }\n`);
    await eventually(async () => expect((await call()).status).toBe(200), 20_000);
  }, 90_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    await cp?.kill9();
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('refuses a value with a field the Envoy message does not have, naming it', async () => {
    const bad = PATCH.replace('connect_timeout: 0.75s', 'connect_timeout: 0.75s\n          no_such_field: 1').replace('client-patch', 'bad-patch');
    const r = await apply(bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/spec\.default\.appendModifications\[2\]\.cluster\.value.*no_such_field/);
    const list = await runKuma(['get', 'meshproxypatches', '-o', 'json'], { home });
    expect(list.stdout).not.toContain('bad-patch');
  });

  it('the patched virtual host, HTTP filter and cluster are what the client Envoy runs', async () => {
    const applied = await apply(PATCH);
    expect(applied.code, applied.stderr).toBe(0);
    await eventually(() => runs(true), 20_000);
    // The rate limit's bucket (3 tokens, refilled hourly) starts full when the listener is updated.
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await call());
    expect(results.slice(0, 3)).toEqual(Array(3).fill({ status: 200, patched: 'mesh-proxy-patch' }));
    expect(results.slice(3).map((r) => r.status)).toEqual([429, 429, 429]);
    const stats = await (await fetch(`http://127.0.0.1:${clientAdmin}/stats?filter=mpp_limit`)).text();
    expect(stats).toMatch(/mpp_limit\.http_local_rate_limit\.rate_limited: 3/);
  });

  it('the backend proxy, which the policy does not select, is left alone', async () => {
    const dump = await (await fetch(`http://127.0.0.1:${backendAdmin}/config_dump`)).text();
    expect(dump).toContain('localhost:');
    expect(dump).not.toContain('mpp_limit');
    expect(dump).not.toContain('x-patched-by');
    const backend = await runKuma(['inspect', 'meshproxypatch', 'client-patch', '--mesh', 'default'], { home });
    expect(backend.code, backend.stderr).toBe(0);
    expect(backend.stdout).toContain('client-1');
    expect(backend.stdout).not.toContain('backend-1');
  });

  it('deleting the policy gives the client its unpatched config back', async () => {
    const del = await runKuma(['delete', 'meshproxypatch', 'client-patch', '--mesh', 'default'], { home });
    expect(del.code, del.stderr).toBe(0);
    await eventually(() => runs(false), 20_000);
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await call());
    expect(results).toEqual(Array(6).fill({ status: 200, patched: null }));
  });
});
