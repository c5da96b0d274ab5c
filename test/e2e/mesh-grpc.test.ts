/**
 * gRPC across the mesh (mTLS) on real Envoy: a client sidecar calls a `kuma.io/protocol: grpc`
 * backend (two instances, version v1 and v2) through its outbound with @grpc/grpc-js, and the
 * resilience and routing policies act on gRPC as Envoy reports it: status codes seen by the client,
 * the backend's own counters, and the Envoy stats and config dumps.
 *
 * The mesh's default MeshRetry is removed first so a call without a MeshRetry is not retried.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, freePort, jsonObjects, kumactlHome, removeDir, startCp, startProxy, type ControlPlane, type Proxy } from './harness';
import { EchoCaller, NOT_SERVING, type EchoBackend, type SharedState, startEchoBackend } from './grpc-test-service';

const MESH = { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
const ALLOW_ALL = { type: 'MeshTrafficPermission', mesh: 'default', name: 'allow-all', spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] } };
const TO_BACKEND = { kind: 'MeshService', name: 'backend' };

/** A targetRef policy `type` named `name` for traffic to the backend (`to`) or into every inbound (`rules`). */
function policy(type: string, name: string, side: 'to' | 'rules', conf: unknown): Record<string, unknown> {
  const item = side === 'to' ? { targetRef: TO_BACKEND, default: conf } : { default: conf };
  return { type, mesh: 'default', name, spec: { targetRef: { kind: 'Mesh' }, [side]: [item] } };
}

describe('gRPC across the mesh (mTLS) on real Envoy', () => {
  let cp: ControlPlane;
  let home: string;
  const proxies: Record<string, Proxy> = {};
  const shared: SharedState = { flakyFailures: 0, flakyCalls: 0 };
  let v1: EchoBackend;
  let v2: EchoBackend;
  let caller: EchoCaller;
  const inbound = { v1: 0, v2: 0 };

  async function put(path: string, body: Record<string, unknown>): Promise<void> {
    const r = await api(cp, 'PUT', path, body);
    expect([200, 201], r.text).toContain(r.status);
  }
  async function remove(path: string): Promise<void> {
    const r = await api(cp, 'DELETE', path);
    expect(r.status, r.text).toBe(200);
  }
  async function configDump(proxy: string): Promise<unknown> {
    return (await fetch(`http://127.0.0.1:${proxies[proxy]!.admin}/config_dump`)).json();
  }
  /** The sum of the counters on `proxy` whose whole name matches `pattern` (a regular expression). */
  async function stat(proxy: string, pattern: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${proxies[proxy]!.admin}/stats?filter=${encodeURIComponent(`^${pattern}$`)}`)).text();
    if (process.env.DEBUG_STATS) console.log(proxy, pattern, text);
    return [...text.matchAll(/: (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  }
  /** The routes of the client's active outbound listener, as Envoy holds them. */
  async function clientRoutes(): Promise<Record<string, any>[]> {
    const listener = [...jsonObjects(await configDump('client'))].find((o) => o.active_state?.listener?.name?.startsWith('outbound:'))!.active_state.listener;
    return [...jsonObjects(listener)].filter((o) => o.route && o.match);
  }
  /**
   * Polls until Envoy on each of `proxies` holds config for which `check` passes and no old filter
   * chain is draining: a listener update leaves open connections on the old chain until they drain,
   * and a call on one of those would still see the old policy.
   */
  async function untilConfig(names: string[], check: (dump: unknown) => void | Promise<void>): Promise<void> {
    await eventually(async () => {
      for (const name of names) {
        await check(await configDump(name));
        expect(await stat(name, 'listener_manager\\.total_filter_chains_draining')).toBe(0);
        expect(await stat(name, 'listener_manager\\.total_listeners_draining')).toBe(0);
      }
    }, 20_000, 200);
  }
  const untilClientRoutes = (check: (routes: Record<string, any>[]) => void) => untilConfig(['client'], async () => check(await clientRoutes()));
  /** An HTTP filter of `type` (an Envoy type URL suffix) configured on the backends' inbounds, or absent. */
  const untilInboundFilter = (typeSuffix: string, present: boolean) =>
    untilConfig(['backend-v1', 'backend-v2'], (dump) => expect([...jsonObjects(dump)].some((o) => o['@type']?.endsWith(typeSuffix))).toBe(present));

  beforeAll(async () => {
    [v1, v2] = await Promise.all([startEchoBackend('v1', shared), startEchoBackend('v2', shared)]);
    const dpPort = await freePort();
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_PORT: String(dpPort), KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none' } });
    home = await kumactlHome(cp);
    await put('/meshes/default', MESH);
    await put('/meshes/default/meshtrafficpermissions/allow-all', ALLOW_ALL);
    await remove('/meshes/default/meshretries/mesh-retry-all-default');
    const [v1In, v2In, clientIn, clientApp, outbound] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    Object.assign(inbound, { v1: v1In, v2: v2In });
    const backendYaml = (name: string, version: string, port: number, app: number) =>
      `type: Dataplane\nmesh: default\nname: ${name}\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: ${port}\n    servicePort: ${app}\n    tags: { kuma.io/service: backend, kuma.io/protocol: grpc, version: ${version} }\n`;
    const started = await Promise.all([
      startProxy({ cp, home, name: 'backend-v1', yaml: backendYaml('backend-v1', 'v1', v1In, v1.port) }),
      startProxy({ cp, home, name: 'backend-v2', yaml: backendYaml('backend-v2', 'v2', v2In, v2.port) }),
      startProxy({
        cp,
        home,
        name: 'client',
        yaml: `type: Dataplane\nmesh: default\nname: client\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: ${clientIn}\n    servicePort: ${clientApp}\n    tags: { kuma.io/service: client, kuma.io/protocol: grpc }\n  outbound:\n  - port: ${outbound}\n    tags: { kuma.io/service: backend }\n`,
      }),
    ]);
    for (const p of started) proxies[p.name] = p;
    caller = new EchoCaller(outbound);
    // Both backend instances serve before any test starts.
    await eventually(async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const r = await caller.unary('Which');
        expect(r.code, r.details).toBe(grpc.status.OK);
        seen.add(r.messages[0]!);
      }
      expect([...seen].sort()).toEqual(['v1', 'v2']);
    }, 30_000, 300);
  }, 60_000);

  afterAll(async () => {
    caller?.close();
    for (const p of Object.values(proxies)) await p.dp.stop('SIGKILL');
    await cp?.kill9();
    await Promise.all([v1?.close(), v2?.close()]);
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('a unary call succeeds across mTLS and a server-streaming call streams every message', async () => {
    const unary = await caller.unary('Unary', 'hello');
    expect(unary.code, unary.details).toBe(grpc.status.OK);
    expect(unary.messages[0]).toMatch(/^v[12]:hello$/);
    const stream = await caller.stream(50);
    expect(stream.code, stream.details).toBe(grpc.status.OK);
    expect(stream.messages).toHaveLength(50);
    const version = stream.messages[0]!.split(':')[0];
    expect(stream.messages).toEqual(Array.from({ length: 50 }, (_, i) => `${version}:${i}`));
    // The backends' inbounds terminated mesh mTLS.
    const handshakes = async (b: string, port: number) => stat(b, `listener\\.127\\.0\\.0\\.1_${port}\\.ssl\\.handshake`);
    expect((await handshakes('backend-v1', inbound.v1)) + (await handshakes('backend-v2', inbound.v2))).toBeGreaterThan(0);
  });

  it('MeshRetry grpc retries UNAVAILABLE; without it the client sees UNAVAILABLE', async () => {
    Object.assign(shared, { flakyFailures: 1, flakyCalls: 0 });
    const plain = await caller.unary('Flaky');
    expect(plain.code).toBe(grpc.status.UNAVAILABLE);
    expect(plain.details).toBe('flaky: failing on purpose');
    expect(shared.flakyCalls).toBe(1);

    await put('/meshes/default/meshretries/grpc-retry', policy('MeshRetry', 'grpc-retry', 'to', { grpc: { numRetries: 3, retryOn: ['Unavailable'], backOff: { baseInterval: '10ms', maxInterval: '20ms' } } }));
    await untilClientRoutes((routes) => expect(routes[0]?.route?.retry_policy).toMatchObject({ retry_on: 'unavailable', num_retries: 3 }));
    const retriesBefore = await stat('client', 'cluster\\.backend\\.upstream_rq_retry');
    Object.assign(shared, { flakyFailures: 2, flakyCalls: 0 });
    const retried = await caller.unary('Flaky');
    expect(retried.code, retried.details).toBe(grpc.status.OK);
    expect(retried.messages[0]).toMatch(/^v[12]:ok$/);
    expect(shared.flakyCalls).toBe(3);
    expect((await stat('client', 'cluster\\.backend\\.upstream_rq_retry')) - retriesBefore).toBe(2);

    // More failures than retries: the last UNAVAILABLE reaches the client.
    Object.assign(shared, { flakyFailures: 10, flakyCalls: 0 });
    const exhausted = await caller.unary('Flaky');
    expect(exhausted.code).toBe(grpc.status.UNAVAILABLE);
    expect(shared.flakyCalls).toBe(4);
    shared.flakyFailures = 0;

    await remove('/meshes/default/meshretries/grpc-retry');
    await untilClientRoutes((routes) => expect(routes[0]?.route?.retry_policy).toBeUndefined());
  });

  it('MeshTimeout http.requestTimeout ends a slow unary call with the status Envoy gives an upstream timeout', async () => {
    await put('/meshes/default/meshtimeouts/grpc-timeout', policy('MeshTimeout', 'grpc-timeout', 'to', { idleTimeout: '20m', http: { requestTimeout: '1s', maxStreamDuration: '5m' } }));
    await untilClientRoutes((routes) => expect(routes[0]?.route?.timeout).toBe('1s'));
    // As in Kuma, MeshTimeout's cluster-level HTTP options are for http/http2: a gRPC cluster's
    // streams are not capped by maxStreamDuration and its idle timeout stays off.
    const backendCluster = [...jsonObjects(await configDump('client'))].find((o) => o['@type']?.endsWith('.Cluster') && o.name === 'backend')!;
    const common = backendCluster.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].common_http_protocol_options;
    expect(common).toEqual({ idle_timeout: '0s' });
    const before = await stat('client', 'cluster\\.backend\\.upstream_rq_timeout');
    const slow = await caller.unary('Slow');
    // Envoy answers its upstream timeout with a local 504, which it maps to gRPC as UNAVAILABLE.
    expect(slow.code, slow.details).toBe(grpc.status.UNAVAILABLE);
    expect(slow.details).toBe('upstream request timeout');
    expect((await stat('client', 'cluster\\.backend\\.upstream_rq_timeout')) - before).toBe(1);
    expect((await caller.unary('Unary', 'fast')).code).toBe(grpc.status.OK);
    await remove('/meshes/default/meshtimeouts/grpc-timeout');
    await untilClientRoutes((routes) => expect(routes[0]?.route?.timeout).toBe('15s'));
  });

  it('MeshHTTPRoute sends /test.Echo/Which to v2 (path Exact) and the rest of /test.Echo to v1 (PathPrefix)', async () => {
    const subset = (version: string) => [{ kind: 'MeshServiceSubset', name: 'backend', tags: { version } }];
    await put('/meshes/default/meshhttproutes/grpc-methods', {
      type: 'MeshHTTPRoute',
      mesh: 'default',
      name: 'grpc-methods',
      spec: {
        targetRef: { kind: 'Mesh' },
        to: [
          {
            targetRef: TO_BACKEND,
            rules: [
              { matches: [{ path: { type: 'Exact', value: '/test.Echo/Which' } }], default: { backendRefs: subset('v2') } },
              { matches: [{ path: { type: 'PathPrefix', value: '/test.Echo' } }], default: { backendRefs: subset('v1') } },
            ],
          },
        ],
      },
    });
    await untilClientRoutes((routes) => {
      const paths = routes.map((r) => r.match.path ?? r.match.prefix ?? r.match.path_separated_prefix);
      expect(paths).toContain('/test.Echo/Which');
      expect(paths).toContain('/test.Echo');
    });
    for (let i = 0; i < 10; i++) {
      const which = await caller.unary('Which');
      expect(which.code, which.details).toBe(grpc.status.OK);
      expect(which.messages).toEqual(['v2']);
      const unary = await caller.unary('Unary', String(i));
      expect(unary.code, unary.details).toBe(grpc.status.OK);
      expect(unary.messages).toEqual([`v1:${i}`]);
    }
    const stream = await caller.stream(3);
    expect(stream.messages).toEqual(['v1:0', 'v1:1', 'v1:2']);
    await remove('/meshes/default/meshhttproutes/grpc-methods');
    await untilClientRoutes((routes) => expect(routes).toHaveLength(1));
  });

  it('MeshFaultInjection abort 503 gives UNAVAILABLE and MeshRateLimit local HTTP gives UNAVAILABLE (429)', async () => {
    await put('/meshes/default/meshfaultinjections/grpc-abort', policy('MeshFaultInjection', 'grpc-abort', 'rules', { http: [{ abort: { httpStatus: 503, percentage: 100 } }] }));
    await untilInboundFilter('fault.v3.HTTPFault', true);
    for (let i = 0; i < 4; i++) {
      const r = await caller.unary('Unary', 'x');
      expect(r.code, r.details).toBe(grpc.status.UNAVAILABLE);
      expect(r.details).toBe('fault filter abort');
    }
    expect((await stat('backend-v1', 'http\\..*\\.fault\\.aborts_injected')) + (await stat('backend-v2', 'http\\..*\\.fault\\.aborts_injected'))).toBe(4);
    await remove('/meshes/default/meshfaultinjections/grpc-abort');
    await untilInboundFilter('fault.v3.HTTPFault', false);
    expect((await caller.unary('Unary', 'x')).code).toBe(grpc.status.OK);

    // One request per minute on each backend instance: of 6 calls spread over both, 2 pass.
    await put('/meshes/default/meshratelimits/grpc-limit', policy('MeshRateLimit', 'grpc-limit', 'rules', { local: { http: { requestRate: { num: 1, interval: '1m' } } } }));
    await untilInboundFilter('local_ratelimit.v3.LocalRateLimit', true);
    const codes: number[] = [];
    const details = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = await caller.unary('Unary', 'y');
      codes.push(r.code);
      if (r.code !== grpc.status.OK) details.add(r.details);
    }
    // Envoy's local rate limit answers 429, which becomes UNAVAILABLE for a gRPC caller (Envoy's
    // HTTP-to-gRPC mapping; RESOURCE_EXHAUSTED needs rate_limited_as_resource_exhausted, which Kuma does not set).
    expect(codes.filter((c) => c === grpc.status.OK)).toHaveLength(2);
    expect(codes.filter((c) => c !== grpc.status.OK)).toEqual([grpc.status.UNAVAILABLE, grpc.status.UNAVAILABLE, grpc.status.UNAVAILABLE, grpc.status.UNAVAILABLE]);
    expect([...details]).toEqual(['local_rate_limited']);
    const limited = async (b: string) => stat(b, 'rate_limit\\.http_local_rate_limit\\.rate_limited');
    expect((await limited('backend-v1')) + (await limited('backend-v2'))).toBe(4);
    await remove('/meshes/default/meshratelimits/grpc-limit');
    await untilInboundFilter('local_ratelimit.v3.LocalRateLimit', false);
    for (let i = 0; i < 4; i++) expect((await caller.unary('Unary', 'z')).code).toBe(grpc.status.OK);
  });

  it('MeshHealthCheck grpc marks the instance whose grpc.health.v1 answers NOT_SERVING unhealthy', async () => {
    v2.health = NOT_SERVING;
    await put('/meshes/default/meshhealthchecks/grpc-health', policy('MeshHealthCheck', 'grpc-health', 'to', { interval: '1s', timeout: '2s', unhealthyThreshold: 1, healthyThreshold: 1, grpc: {} }));
    await untilConfig(['client'], (dump) => {
      const c = [...jsonObjects(dump)].find((o) => o['@type']?.endsWith('.Cluster') && o.name === 'backend');
      expect(c?.health_checks?.[0]?.grpc_health_check).toEqual({});
    });
    await eventually(async () => {
      const clusters = await (await fetch(`http://127.0.0.1:${proxies.client!.admin}/clusters?format=json`)).json();
      const backend = clusters.cluster_statuses.find((c: any) => c.name === 'backend');
      const failed = (h: any) => h.health_status.failed_active_health_check === true;
      const byPort = Object.fromEntries(backend.host_statuses.map((h: any) => [h.address.socket_address.port_value, failed(h)]));
      expect(byPort).toEqual({ [inbound.v1]: false, [inbound.v2]: true });
    }, 20_000, 200);
    expect(v1.healthChecks).toBeGreaterThan(0);
    expect(v2.healthChecks).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) expect((await caller.unary('Which')).messages).toEqual(['v1']);
  });
});
