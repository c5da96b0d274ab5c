/**
 * MeshHTTPRoute across zones on real Envoy: 1 global + 2 zones on loopback, a zone ingress per
 * zone. `backend` v1 runs in zone-1, v2 in zone-2; a client in zone-1 calls backend. A
 * MeshHTTPRoute created on the global splits by MeshServiceSubset version, so the v2 share crosses
 * zone-2's ingress with the subset's tags in the SNI (`backend{mesh=default,version=v2}`), and a
 * header match sends canary requests to v2 only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, freePort, removeDir, spawnKuma, startGlobal, startProxy, startZone, tempDir, type ControlPlane, type Proc } from './harness';

const ZONE_ENV = { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none' };

const subset = (version: string, weight: number) => ({ kind: 'MeshServiceSubset', name: 'backend', tags: { version }, weight });

const ROUTE = {
  type: 'MeshHTTPRoute',
  mesh: 'default',
  name: 'backend-canary',
  spec: {
    targetRef: { kind: 'Mesh' },
    to: [
      {
        targetRef: { kind: 'MeshService', name: 'backend' },
        rules: [
          // No path means PathPrefix / (Kuma): on equal paths more header matches take precedence over the split.
          { matches: [{ headers: [{ name: 'x-canary', value: 'true' }] }], default: { backendRefs: [subset('v2', 1)] } },
          { matches: [{ path: { type: 'PathPrefix', value: '/' } }], default: { backendRefs: [subset('v1', 80), subset('v2', 20)] } },
        ],
      },
    ],
  },
};

describe('MeshHTTPRoute subset split across zones', () => {
  let global: ControlPlane & { kdsPort: number };
  const zones: Record<string, ControlPlane> = {};
  const home = tempDir('kuma-mhr-home-');
  const procs: Proc[] = [];
  let clientPort = 0;

  const app = async (zone: string, instance: string, service: string) => {
    const port = await freePort();
    procs.push(spawnKuma(['demo-app', 'http', '--port', String(port), '--service', service, '--instance', instance, '--zone', zone], { home }));
    return port;
  };

  const sidecar = async (zone: string, name: string, tags: Record<string, string>, appPort: number, outbound?: number) => {
    const inPort = await freePort();
    const yaml = `type: Dataplane
mesh: default
name: ${name}
networking:
  address: 127.0.0.1
  inbound:
  - port: ${inPort}
    servicePort: ${appPort}
    tags: ${JSON.stringify({ 'kuma.io/protocol': 'http', ...tags })}
${outbound ? `  outbound:\n  - port: ${outbound}\n    tags: { kuma.io/service: backend }\n` : ''}`;
    procs.push((await startProxy({ cp: zones[zone]!, home, name, yaml })).dp);
  };

  const ingress = async (zone: string, name: string) => {
    const port = await freePort();
    const yaml = `type: ZoneIngress\nname: ${name}\nnetworking:\n  address: 127.0.0.1\n  port: ${port}\n  advertisedAddress: 127.0.0.1\n  advertisedPort: ${port}\n`;
    procs.push((await startProxy({ cp: zones[zone]!, home, name, yaml, kind: 'ingress', waitReady: false })).dp);
  };

  /** The zone of the backend instance that answered one call (undefined on failure). */
  const call = async (headers: Record<string, string> = {}): Promise<string | undefined> => {
    try {
      const r = await fetch(`http://127.0.0.1:${clientPort}/`, { headers, signal: AbortSignal.timeout(5000) });
      const text = await r.text();
      return r.status === 200 ? (JSON.parse(text) as { zone: string }).zone : undefined;
    } catch {
      return undefined;
    }
  };
  const byZone = async (n: number, headers: Record<string, string> = {}) => {
    const out: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const z = (await call(headers)) ?? 'failed';
      out[z] = (out[z] ?? 0) + 1;
    }
    return out;
  };

  beforeAll(async () => {
    global = await startGlobal({ args: ['--kds-auth=none'], env: { KUMA_STORE_TYPE: 'memory' } });
    [zones['zone-1'], zones['zone-2']] = await Promise.all([startZone('zone-1', global.kdsPort, { env: ZONE_ENV }), startZone('zone-2', global.kdsPort, { env: ZONE_ENV })]);
    const mesh = { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
    expect((await api(global, 'PUT', '/meshes/default', mesh)).status).toBe(200);
    const mtp = { type: 'MeshTrafficPermission', mesh: 'default', name: 'allow-all', spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] } };
    expect((await api(global, 'PUT', '/meshes/default/meshtrafficpermissions/allow-all', mtp)).status).toBe(201);
    for (const z of Object.values(zones)) {
      await eventually(async () => expect((await api(z, 'GET', '/meshes/default/secrets')).json.items.map((s: { name: string }) => s.name)).toContain('default.ca-builtin-cert-ca-1'), 15_000);
    }
    await Promise.all([ingress('zone-1', 'zi-1'), ingress('zone-2', 'zi-2')]);
    await Promise.all([
      (async () => sidecar('zone-1', 'backend-v1', { 'kuma.io/service': 'backend', version: 'v1' }, await app('zone-1', 'backend-v1', 'backend')))(),
      (async () => sidecar('zone-2', 'backend-v2', { 'kuma.io/service': 'backend', version: 'v2' }, await app('zone-2', 'backend-v2', 'backend')))(),
    ]);
    clientPort = await freePort();
    await sidecar('zone-1', 'web-1', { 'kuma.io/service': 'web' }, await app('zone-1', 'web-1', 'web'), clientPort);
    // Both instances reachable before the route: zone-2 through its ingress.
    await eventually(async () => expect(Object.keys(await byZone(10)).sort()).toEqual(['zone-1', 'zone-2']), 30_000, 200);
  }, 120_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    for (const cp of [global, ...Object.values(zones)]) if (cp) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
    removeDir(home);
  });

  it('a route created on the global reaches zone-1 and sends canary requests only to v2 (zone-2)', async () => {
    expect((await api(global, 'PUT', '/meshes/default/meshhttproutes/backend-canary', ROUTE)).status).toBe(201);
    await eventually(async () => expect(await byZone(20, { 'x-canary': 'true' })).toEqual({ 'zone-2': 20 }), 30_000, 200);
  });

  it('splits 80/20 by MeshServiceSubset version: of 500 requests v2 gets 20 % +- 5 %', async () => {
    const z = await byZone(500);
    expect(z.failed ?? 0).toBe(0);
    expect(z['zone-2']).toBeGreaterThanOrEqual(75);
    expect(z['zone-2']).toBeLessThanOrEqual(125);
    expect(z['zone-1']! + z['zone-2']!).toBe(500);
  });

  it('a second route policy merges into the first: its `/` rule adds a response header to the split, its /old rule redirects (301 by default)', async () => {
    const extras = {
      type: 'MeshHTTPRoute',
      mesh: 'default',
      name: 'backend-extras',
      spec: {
        targetRef: { kind: 'Mesh' },
        to: [
          {
            targetRef: { kind: 'MeshService', name: 'backend' },
            rules: [
              { matches: [{ path: { type: 'PathPrefix', value: '/' } }], default: { filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'x-routed-by', value: 'mesh' }] } }] } },
              {
                matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
                default: { filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'new.example.com', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' } } }] },
              },
            ],
          },
        ],
      },
    };
    expect((await api(global, 'PUT', '/meshes/default/meshhttproutes/backend-extras', extras)).status).toBe(201);
    const redirect = await eventually(async () => {
      const r = await fetch(`http://127.0.0.1:${clientPort}/old/page?q=1`, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
      expect(r.status).toBe(301);
      return r;
    }, 30_000, 200);
    expect(redirect.headers.get('location')).toBe('http://new.example.com/new/page?q=1');
    // Inline route configs change with the listener: connections opened before keep the old one while they drain.
    const zonesSeen = new Set<string>();
    await eventually(async () => {
      for (let i = 0; i < 40; i++) {
        const r = await fetch(`http://127.0.0.1:${clientPort}/`, { signal: AbortSignal.timeout(5000) });
        expect(r.headers.get('x-routed-by')).toBe('mesh');
        zonesSeen.add(((await r.json()) as { zone: string }).zone);
      }
    }, 30_000, 200);
    // the split still holds: backendRefs come from backend-canary's equal `/` rule
    expect([...zonesSeen].sort()).toEqual(['zone-1', 'zone-2']);
  });
});
