/** The dataplane inspection routes through a real HTTP server (admin decided by a test header), with a fake Envoy admin. */
import { ADMIN_USER, ANONYMOUS_USER } from '../../../internal/auth/user';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps, InspectSource } from '../../../internal/apiserver/deps';
import { EnvoyAdminForwarder } from '../../../internal/kds/global/envoy-admin-forwarder';
import { envoyAdminBaseUrl, maskSecret, NOT_CONNECTED, registerInspectEndpoints, xdsJson } from '../../../internal/apiserver/inspect-endpoints';
import { Router } from '../../../internal/apiserver/router';
import { defaultConfig, type CpConfig } from '../../../internal/config/cp-config';
import { registerAll } from '../../../internal/resources/types';
import { MemoryStore } from '../../../internal/store/memory-store';
import type { XdsResources } from '../../../internal/xds/context/types';
import { generateSidecar } from '../../../internal/xds/generators/sidecar/profile';
import { FAKE_IDENTITY, fixture } from '../../xds/generators/context-fixture';

describe('envoyAdminBaseUrl', () => {
  it('uses loopback for a proxy on this machine, else its address', () => {
    const local = ['10.1.2.3', 'fe80::1'];
    expect(envoyAdminBaseUrl('127.0.0.1', 9901, local)).toBe('http://127.0.0.1:9901');
    expect(envoyAdminBaseUrl('127.0.0.5', 9901, local)).toBe('http://127.0.0.1:9901');
    expect(envoyAdminBaseUrl('::1', 1234, local)).toBe('http://127.0.0.1:1234');
    expect(envoyAdminBaseUrl('localhost', 1234, local)).toBe('http://127.0.0.1:1234');
    expect(envoyAdminBaseUrl('10.1.2.3', 1234, local)).toBe('http://127.0.0.1:1234');
    expect(envoyAdminBaseUrl('fe80::1', 1234, local)).toBe('http://127.0.0.1:1234');
    expect(envoyAdminBaseUrl('10.9.9.9', 1234, local)).toBe('http://10.9.9.9:1234');
    expect(envoyAdminBaseUrl('2001:db8::5', 1234, local)).toBe('http://[2001:db8::5]:1234');
  });
});

describe('xdsJson', () => {
  it('renders proto3 JSON and masks private keys', () => {
    const { proxy, ctx } = fixture({
      name: 'mtls',
      mtls: true,
      resources: `
type: Mesh
name: default
mtls: { enabledBackend: ca-1, backends: [{ name: ca-1, type: builtin }] }
---
type: Dataplane
mesh: default
name: web-01
networking:
  address: 127.0.0.1
  inbound:
  - port: 8080
    servicePort: 18080
    tags: { kuma.io/service: web, kuma.io/protocol: http }
`,
    });
    const json = xdsJson(generateSidecar(proxy, ctx));
    expect(json.listeners!.map((l) => (l as { name: string }).name)).toContain('inbound:127.0.0.1:8080');
    expect(json.clusters!.map((c) => (c as { name: string }).name)).toContain('localhost:18080');
    const identity = json.secrets!.find((s) => (s as { name: string }).name.startsWith('identity_cert')) as { tlsCertificate: Record<string, unknown> };
    expect(identity.tlsCertificate.privateKey).toEqual({ inlineBytes: '*****' });
    expect(identity.tlsCertificate.certificateChain).toHaveProperty('inlineBytes');
    expect(JSON.stringify(json)).not.toContain(Buffer.from(FAKE_IDENTITY.keyPem).toString('base64'));
    expect(JSON.stringify(json)).toContain(Buffer.from(FAKE_IDENTITY.certPem).toString('base64'));
  });

  it('masks generic secrets and string data sources too', () => {
    expect(maskSecret({ name: 's', genericSecret: { secret: { inlineString: 'x' } } })).toEqual({ name: 's', genericSecret: { secret: { inlineString: '*****' } } });
  });
});

describe('inspect endpoints', () => {
  let server: Server;
  let admin: Server;
  let base: string;
  let adminPort: number;
  const store = new MemoryStore();
  const registry = registerAll();
  const generated = new Map<string, XdsResources>();
  const connected = new Set<string>();
  const inspect: InspectSource = { connected: (id) => connected.has(id), generated: (id) => generated.get(id) };
  let forwarder: EnvoyAdminForwarder | undefined;

  beforeAll(async () => {
    admin = createServer((req, res) => {
      res.writeHead(200, { 'content-type': req.url!.includes('format=json') ? 'application/json' : 'text/plain' });
      res.end(`envoy ${req.url}`);
    });
    await new Promise<void>((r) => admin.listen(0, '127.0.0.1', r));
    adminPort = (admin.address() as AddressInfo).port;
    await store.create({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {} });
    await store.create({
      type: 'MeshTimeout',
      mesh: 'default',
      name: 'mesh-timeout-all-default',
      labels: {},
      spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { idleTimeout: '1h' } }] },
    });
    const dp = (name: string, port: number) => ({
      type: 'Dataplane',
      mesh: 'default',
      name,
      labels: {},
      spec: { networking: { address: '127.0.0.1', admin: { port }, inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] } },
    });
    await store.create(dp('web-01', adminPort));
    await store.create(dp('gone-01', 1));
    const router = new Router();
    registerInspectEndpoints(router, {
      config: defaultConfig() as unknown as CpConfig,
      store,
      registry,
      inspect,
      get adminForwarder() {
        return forwarder;
      },
    } as unknown as ApiDeps);
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const m = router.match(req.method!, url.pathname);
      if (!m || !('handler' in m)) return res.writeHead(404).end();
      void m.handler({ req, res, params: m.params, query: url.searchParams, url, user: req.headers['x-admin'] === 'no' ? ANONYMOUS_USER : ADMIN_USER });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => admin.close(() => r()));
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const r = await fetch(base + path, { headers });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type'), text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
  };

  it('_config: 404, 400 when not connected, the xDS when connected', async () => {
    expect((await get('/meshes/default/dataplanes/nope/_config')).status).toBe(404);
    const r = await get('/meshes/default/dataplanes/web-01/_config');
    expect([r.status, r.json.detail]).toEqual([400, NOT_CONNECTED]);
    connected.add('default.web-01');
    generated.set('default.web-01', { listeners: [], clusters: [], endpoints: [], routes: [], secrets: [] });
    const ok = await get('/meshes/default/dataplanes/web-01/_config');
    expect([ok.status, ok.json]).toEqual([200, { xds: { listeners: [], clusters: [], endpoints: [], routes: [], secrets: [] } }]);
    expect((await get('/meshes/default/dataplanes/web-01/_config', { 'x-admin': 'no' })).status).toBe(200); // open to everyone, as Kuma's default access
  });

  it('xds, stats, clusters: pass the Envoy admin answer through with its options', async () => {
    const xds = await get('/meshes/default/dataplanes/web-01/xds?include_eds=true');
    expect([xds.status, xds.text]).toEqual([200, 'envoy /config_dump?include_eds']);
    expect((await get('/meshes/default/dataplanes/web-01/xds')).text).toBe('envoy /config_dump');
    const stats = await get('/meshes/default/dataplanes/web-01/stats?format=json&usedonly');
    expect([stats.text, stats.type]).toEqual(['envoy /stats?format=json&usedonly', 'application/json']);
    const clusters = await get('/meshes/default/dataplanes/web-01/clusters');
    expect([clusters.text, clusters.type]).toEqual(['envoy /clusters', 'text/plain']);
    expect((await get('/meshes/default/dataplanes/nope/stats')).status).toBe(404);
    expect((await get('/meshes/default/dataplanes/web-01/stats', { 'x-admin': 'no' })).status).toBe(200);
  });

  it('xds: 400 naming the address when the admin is unreachable', async () => {
    const r = await get('/meshes/default/dataplanes/gone-01/xds');
    expect(r.status).toBe(400);
    expect(r.json.detail).toContain('http://127.0.0.1:1');
  });

  it('with a forwarder (a global): asks the owning zone by its local name, 503 naming an offline zone, the zone error as 400', async () => {
    await store.create({ type: 'Dataplane', mesh: 'default', name: 'web-02.hash', labels: { 'kuma.io/zone': 'east', 'kuma.io/display-name': 'web-02' }, spec: { networking: { address: '10.0.0.9', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] } } });
    forwarder = new EnvoyAdminForwarder(200);
    const asked: unknown[] = [];
    try {
      const offline = await get('/meshes/default/dataplanes/web-02.hash/stats');
      expect([offline.status, offline.json.detail]).toEqual([503, 'zone "east" is offline (its control plane is not connected to this global); start it or check its KDS link, then retry (kuma inspect zones)']);
      const fw = forwarder;
      const detach = fw.attach('east', 'stats', {
        features: new Set(),
        write: (r) => {
          asked.push(r);
          setImmediate(() => fw.onResponse('east', 'stats', r.requestId, r.resourceName === 'web-02' ? { bytes: Buffer.from('server.live: 1\n') } : { error: 'nope' }));
        },
      });
      const ok = await get('/meshes/default/dataplanes/web-02.hash/stats?format=json&usedonly');
      expect([ok.status, ok.text, ok.type]).toEqual([200, 'server.live: 1\n', 'application/json']);
      expect(asked).toEqual([expect.objectContaining({ resourceType: 'Dataplane', resourceName: 'web-02', resourceMesh: 'default', json: true, usedOnly: true })]);
      const noStream = await get('/meshes/default/dataplanes/web-02.hash/clusters');
      expect([noStream.status, noStream.json.detail]).toEqual([503, expect.stringContaining('zone "east" is offline')]);
      const cfg = await get('/meshes/default/dataplanes/web-02.hash/_config');
      expect(cfg.status).toBe(503);
      detach();
      expect(fw.pendingCount).toBe(0);
      const unlabelled = await get('/meshes/default/dataplanes/web-01/stats');
      expect([unlabelled.status, unlabelled.json.detail]).toEqual([400, 'Dataplane "web-01" has no kuma.io/zone label, so the zone that serves it is unknown']);
    } finally {
      forwarder = undefined;
    }
  });
});
