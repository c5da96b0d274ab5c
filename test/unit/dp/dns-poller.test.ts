/**
 * Kuma DNS from the DP server to kuma-dp's resolver: GET /dns (bootstrap-handler.ts) behind real
 * HTTPS, the poller (dns-poller.ts) and the resolver fed by it.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSigningKeyData } from '../../../internal/auth/signing-key';
import { issueDataplaneToken } from '../../../internal/auth/tokens';
import type { ResourceManager } from '../../../internal/core/resource-manager';
import { DnsServer } from '../../../internal/dns/dns-server';
import { buildQuery, parseResponse } from '../../../internal/dns/dns-wire';
import { allocateVips, vipAllocationKey } from '../../../internal/dns/vips';
import { DnsPoller, dnsUrl, parseDnsRecords, recordMap } from '../../../internal/dp/dns-poller';
import { bootstrapHandler } from '../../../internal/dpserver/bootstrap-handler';
import { registerAll } from '../../../internal/resources/types';
import { MemoryStore } from '../../../internal/store/memory-store';
import { eventually } from '../../e2e/harness';
import { memoryLogger } from './fixtures';
import { type TestPki, testPki } from './tls-fixture';

let pki: TestPki;
let server: Server;
let port = 0;
let authType = 'dpToken';
const store = new MemoryStore();
const requests: { url: string; authorization?: string }[] = [];

beforeAll(async () => {
  pki = await testPki();
  await store.create({ type: 'Mesh', mesh: '', name: 'default', labels: {}, spec: {} });
  await store.create({ type: 'Secret', mesh: 'default', name: 'dataplane-token-signing-key-default-1', labels: {}, spec: { data: await newSigningKeyData() } });
  const spec = allocateVips(
    undefined,
    [
      { kind: 'service', name: 'backend', outbounds: [{ port: 80, tags: { 'kuma.io/service': 'backend' } }] },
      { kind: 'service', name: 'echo-server_echo-example_svc_1010', outbounds: [{ port: 80, tags: { 'kuma.io/service': 'echo-server_echo-example_svc_1010' } }] },
    ],
    { cidr: '240.0.0.0/4', domain: 'mesh', serviceVipPort: 80 },
  );
  await store.create({ ...vipAllocationKey('default'), labels: {}, spec: spec as never });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests.push({ url: req.url!, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    bootstrapHandler({
      mode: 'zone',
      store,
      registry: registerAll(),
      manager: {} as ResourceManager,
      certPem: pki.certPem,
      dpServerPort: () => port,
      dpAuthType: authType,
      zoneAuthType: 'none',
      dnsDomain: 'mesh',
    })(req, res);
  };
  server = createServer({ key: pki.keyPem, cert: pki.certPem }, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const { request, Agent } = await import('undici');
  const dispatcher = new Agent({ connect: { ca: pki.caPem } });
  try {
    const r = await request(`https://127.0.0.1:${port}${path}`, { dispatcher, headers });
    return { status: r.statusCode, text: await r.body.text() };
  } finally {
    await dispatcher.close();
  }
}

describe('GET /dns on the DP server', () => {
  it('needs a dataplane token of the mesh (and of the named proxy)', async () => {
    authType = 'dpToken';
    expect(await get('/dns?mesh=default')).toMatchObject({ status: 401 });
    expect((await get('/dns?mesh=default', { authorization: 'garbage' })).status).toBe(401);
    const web = await issueDataplaneToken(store, { name: 'web-01', mesh: 'default' }, 60_000);
    expect((await get('/dns?mesh=default&name=other', { authorization: web })).status).toBe(403);
    const ok = await get('/dns?mesh=default&name=web-01', { authorization: `Bearer ${web}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toEqual({
      domain: 'mesh',
      ttl: 30,
      records: [
        { name: 'backend.mesh', ip: '240.0.0.1', port: 80 },
        { name: 'echo-server.echo-example.svc.1010.mesh', ip: '240.0.0.2', port: 80 },
        { name: 'echo-server_echo-example_svc_1010.mesh', ip: '240.0.0.2', port: 80 },
      ],
    });
  });

  it('answers 400 without a mesh, 404 for an unknown mesh, 405 for other methods', async () => {
    authType = 'none';
    expect((await get('/dns')).status).toBe(400);
    expect((await get('/dns?mesh=nope')).status).toBe(404);
    const { request, Agent } = await import('undici');
    const dispatcher = new Agent({ connect: { ca: pki.caPem } });
    const r = await request(`https://127.0.0.1:${port}/dns?mesh=default`, { dispatcher, method: 'POST', body: '{}' });
    expect(r.statusCode).toBe(405);
    await r.body.text();
    await dispatcher.close();
  });
});

describe('DnsPoller', () => {
  it('builds the URL from --cp-address and checks the answer', () => {
    expect(dnsUrl('https://cp:5678/', 'default', 'web-01')).toBe('https://cp:5678/dns?mesh=default&name=web-01');
    expect(() => parseDnsRecords('{}')).toThrow(/records/);
    expect(recordMap(parseDnsRecords('{"records":[{"name":"A.mesh","ip":"240.0.0.1","port":80},{"name":"a.mesh","ip":"240.0.0.9","port":8080}]}'))).toEqual(new Map([['a.mesh', '240.0.0.1']]));
  });

  it('feeds the resolver with the token, and keeps the last records while the CP fails', async () => {
    authType = 'dpToken';
    const token = await issueDataplaneToken(store, { name: 'web-01', mesh: 'default' }, 60_000);
    const { log, records: logs } = memoryLogger('dp');
    const dns = new DnsServer({ port: 0, upstreams: [] });
    await dns.start();
    let tokenNow = token;
    const poller = new DnsPoller({
      cpAddress: `https://127.0.0.1:${port}`,
      caCert: pki.caPem,
      mesh: 'default',
      name: 'web-01',
      token: () => tokenNow,
      intervalMs: 30,
      onRecords: (u) => dns.setRecords({ domain: u.domain, ttl: u.ttl, records: recordMap(u) }),
      log,
    });
    try {
      requests.length = 0;
      await poller.start();
      expect(requests[0]).toEqual({ url: '/dns?mesh=default&name=web-01', authorization: token });
      const answer = await query(dns.port, 'echo-server.echo-example.svc.1010.mesh');
      expect(answer.answers.map((a) => a.ip)).toEqual(['240.0.0.2']);
      // The CP starts refusing (say, the token was revoked): the answers stay, one warning is logged.
      tokenNow = 'garbage';
      const before = poller.polls;
      await eventually(() => expect(logs.filter((l) => /could not get the Kuma DNS records/.test(l.msg))).toHaveLength(1));
      await new Promise((r) => setTimeout(r, 150));
      expect(poller.polls).toBe(before);
      expect(logs.filter((l) => /could not get the Kuma DNS records/.test(l.msg))).toHaveLength(1);
      expect((await query(dns.port, 'backend.mesh')).answers.map((a) => a.ip)).toEqual(['240.0.0.1']);
      // A new VIP shows up on the next poll once the CP answers again.
      tokenNow = token;
      const cur = store.get(vipAllocationKey('default'))!;
      const spec = cur.spec as unknown as ReturnType<typeof allocateVips>;
      const next = allocateVips(spec, [...spec.entries, { kind: 'service', name: 'new', outbounds: [{ port: 80, tags: { 'kuma.io/service': 'new' } }] }], spec);
      await store.update({ ...vipAllocationKey('default'), labels: {}, spec: next as never }, cur.version);
      await eventually(async () => expect((await query(dns.port, 'new.mesh')).answers.map((a) => a.ip)).toEqual(['240.0.0.3']));
      expect(logs.some((l) => /being received again/.test(l.msg))).toBe(true);
    } finally {
      await poller.stop();
      await dns.stop();
    }
  });
});

function query(port: number, name: string): Promise<ReturnType<typeof parseResponse>> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      reject(new Error('no DNS answer'));
    }, 2000);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(parseResponse(m));
    });
    s.send(buildQuery(Math.floor(Math.random() * 65535), name), port, '127.0.0.1');
  });
}
