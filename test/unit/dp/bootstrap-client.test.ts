/**
 * bootstrap-client against a real HTTPS server standing in for the CP's DP
 * server (the /bootstrap contract of spec kuma-api-cli.md §4.5).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootstrapRequest, bootstrapUrl, fetchBootstrap } from '../../../internal/dp/bootstrap-client';
import { freePort, memoryLogger } from './fixtures';
import { type TestPki, testPki } from './tls-fixture';

type Responder = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let pki: TestPki;
let server: Server;
let port: number;
let responders: Responder[] = [];
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];

function httpsServer(p: TestPki): Server {
  return createServer({ key: p.keyPem, cert: p.certPem }, (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const r = responders.length > 1 ? responders.shift()! : responders[0];
      if (!r) {
        res.writeHead(500).end('no responder');
        return;
      }
      r(req, body, res);
    });
  });
}

beforeAll(async () => {
  pki = await testPki();
  server = httpsServer(pki);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});
afterAll(() => server.close());

function reset(...rs: Responder[]) {
  responders = rs;
  seen.length = 0;
}

const BOOTSTRAP_YAML = 'admin:\n  address:\n    socket_address: { address: 127.0.0.1, port_value: 9901 }\n';
const ok: Responder = (_req, _body, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ bootstrap: Buffer.from(BOOTSTRAP_YAML).toString('base64'), kumaSidecarConfiguration: { networking: { address: '127.0.0.1', corefileTemplate: '' }, metrics: { aggregate: [] } } }));
};
const status =
  (code: number, body = ''): Responder =>
  (_req, _body, res) => {
    res.writeHead(code, { 'content-type': 'text/plain' });
    res.end(body);
  };

const REQUEST: BootstrapRequest = {
  mesh: 'default',
  name: 'web-01',
  proxyType: 'dataplane',
  dataplaneToken: 'jwt',
  dataplaneTokenPath: '/t/token',
  dataplaneResource: '{"type":"Dataplane","mesh":"default","name":"web-01"}',
  version: { kumaDp: { version: '2.14.0', gitTag: 't', gitCommit: 'c', buildDate: 'd' }, envoy: { version: '1.40.0', build: 'x/1.40.0/Clean/RELEASE/BoringSSL', kumaDpCompatible: true } },
  caCert: '',
  dynamicMetadata: {},
  dnsPort: 0,
  readinessPort: 0,
  appProbeProxyDisabled: false,
  operatingSystem: 'linux',
  features: [],
  resources: { maxHeapSizeBytes: 0 },
  workdir: '/tmp/kuma-dp-x',
  metricsResources: { certPath: '', keyPath: '' },
  systemCaPath: '',
  ipv6Enabled: true,
  spireResources: { socketPath: '' },
};

const fast = { backoffMs: 50, maxDurationMs: 5_000 };

describe('fetchBootstrap', () => {
  it('POSTs the request as JSON and decodes the base64 bootstrap', async () => {
    reset(ok);
    const r = await fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${port}/`, caCert: pki.caPem });
    expect(r.bootstrap.toString()).toBe(BOOTSTRAP_YAML);
    expect(r.kumaSidecarConfiguration).toEqual({ networking: { address: '127.0.0.1', corefileTemplate: '' }, metrics: { aggregate: [] } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/bootstrap', headers: { accept: 'application/json', 'content-type': 'application/json' } });
    expect(JSON.parse(seen[0]!.body)).toEqual(REQUEST);
  });

  it('verifies the certificate with --ca-cert-file and does not retry a failed verification', async () => {
    reset(ok);
    await expect(fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${port}`, caCert: pki.otherCaPem, ...fast })).rejects.toThrow(
      /^could not verify the control plane's certificate at https:\/\/localhost:\d+\/bootstrap \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*\); pass the CA that signed it with --ca-cert-file, or --skip-verify to not verify it$/,
    );
    // Without any CA the system store does not know our test CA either.
    await expect(fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${port}`, ...fast })).rejects.toThrow('--ca-cert-file');
    expect(seen).toHaveLength(0);
  });

  it('checks the host name against the certificate', async () => {
    reset(ok);
    expect((await fetchBootstrap(REQUEST, { cpAddress: `https://127.0.0.1:${port}`, caCert: pki.caPem })).bootstrap.toString()).toBe(BOOTSTRAP_YAML);
    // 127.0.0.2 is loopback too, but not among the certificate's SANs.
    const other = httpsServer(pki);
    await new Promise<void>((r) => other.listen(0, '127.0.0.2', () => r()));
    try {
      const otherPort = (other.address() as { port: number }).port;
      await expect(fetchBootstrap(REQUEST, { cpAddress: `https://127.0.0.2:${otherPort}`, caCert: pki.caPem, ...fast })).rejects.toThrow(
        /^the control plane's certificate is not valid for the host of https:\/\/127\.0\.0\.2:\d+\/bootstrap \(.*\); use a --cp-address whose host is among the certificate's names, or --skip-verify$/,
      );
    } finally {
      other.close();
    }
  });

  it('skips verification with --skip-verify', async () => {
    reset(ok);
    expect((await fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${port}`, skipVerify: true })).bootstrap.toString()).toBe(BOOTSTRAP_YAML);
  });

  it('retries 404 with an empty body (no Dataplane yet) and 5xx, logging what it does next', async () => {
    reset(status(404), status(503, 'not ready'), ok);
    const { log, records } = memoryLogger('dp');
    const r = await fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${port}`, caCert: pki.caPem, ...fast, log });
    expect(r.bootstrap.toString()).toBe(BOOTSTRAP_YAML);
    expect(seen).toHaveLength(3);
    const warns = records.filter((x) => x.level === 40).map((x) => x.msg);
    expect(warns[0]).toMatch(/^bootstrap request failed: Dataplane entity not found\. If you are running on Universal please create a Dataplane entity on kuma-cp before starting kuma-dp or pass it to kuma-dp run --dataplane-file=\/file\. .*; retrying in 50ms$/);
    expect(warns[1]).toBe('bootstrap request failed: the control plane answered 503: not ready; retrying in 50ms');
  });

  it('gives up after maxDurationMs with the last reason', async () => {
    reset(status(404));
    await expect(fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${port}`, caCert: pki.caPem, backoffMs: 50, maxDurationMs: 300 })).rejects.toThrow(
      /^could not get the Envoy bootstrap from https:\/\/localhost:\d+\/bootstrap after \d+ attempts in \d+s: Dataplane entity not found\./,
    );
    expect(seen.length).toBeGreaterThan(1);
  });

  it('does not retry 422 (token or mesh missing), other 4xx, or a 404 page', async () => {
    const msg = "Dataplane Token is required. Generate token using 'kumactl generate dataplane-token > /path/file' and provide it via --dataplane-token-file=/path/file argument to Kuma DP";
    reset(status(422, msg));
    await expect(fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${port}`, caCert: pki.caPem, ...fast })).rejects.toThrow(msg);
    expect(seen).toHaveLength(1);
    reset(status(400, 'A data plane proxy is trying to connect to the control plane using "x" address'));
    await expect(fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${port}`, caCert: pki.caPem, ...fast })).rejects.toThrow('Invalid request: A data plane proxy is trying to connect');
    expect(seen).toHaveLength(1);
    reset(status(404, '404 page not found'));
    await expect(fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${port}`, caCert: pki.caPem, ...fast })).rejects.toThrow(
      'There is no /bootstrap endpoint for provided CP address. Double check if the address passed to the CP has a DP Server port (5678 by default), not HTTP API (5681 by default)',
    );
    expect(seen).toHaveLength(1);
  });

  it('retries a refused connection until the control plane listens', async () => {
    const late = httpsServer(pki);
    const latePort = await freePort();
    reset(ok);
    const { log, records } = memoryLogger('dp');
    const pending = fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${latePort}`, caCert: pki.caPem, backoffMs: 100, maxDurationMs: 10_000, log });
    await new Promise((r) => setTimeout(r, 400));
    await new Promise<void>((r) => late.listen(latePort, '127.0.0.1', () => r()));
    try {
      expect((await pending).bootstrap.toString()).toBe(BOOTSTRAP_YAML);
      expect(records.filter((x) => x.level === 40)[0]!.msg).toMatch(/^bootstrap request failed: ECONNREFUSED: .*; retrying in \d+ms$/);
    } finally {
      late.close();
    }
  });

  it('gives up on a refused connection after maxDurationMs', async () => {
    const nobody = await freePort();
    await expect(fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${nobody}`, backoffMs: 50, maxDurationMs: 300 })).rejects.toThrow(
      new RegExp(`^could not get the Envoy bootstrap from https://localhost:${nobody}/bootstrap after \\d+ attempts in \\d+s: ECONNREFUSED`),
    );
  });

  it('stops retrying when aborted', async () => {
    reset(status(404));
    const ac = new AbortController();
    const t0 = Date.now();
    const pending = fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${port}`, caCert: pki.caPem, backoffMs: 10_000, maxDurationMs: 60_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await expect(pending).rejects.toThrow(/^stopped while waiting for the Envoy bootstrap from https:\/\/localhost:\d+\/bootstrap$/);
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  it('accepts a CP that answers raw YAML, and rejects a body that breaks the contract', async () => {
    reset((_q, _b, res) => {
      res.writeHead(200, { 'content-type': 'text/x-yaml' });
      res.end(BOOTSTRAP_YAML);
    });
    expect((await fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${port}`, caCert: pki.caPem })).bootstrap.toString()).toBe(BOOTSTRAP_YAML);
    reset((_q, _b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"kumaSidecarConfiguration":{}}');
    });
    await expect(fetchBootstrap(REQUEST, { cpAddress: `https://localhost:${port}`, caCert: pki.caPem })).rejects.toThrow('the control plane answered /bootstrap without "bootstrap"');
  });
});

describe('bootstrapUrl', () => {
  it('takes the origin of an https address only', () => {
    expect(bootstrapUrl('https://cp.example:5678/some/path')).toBe('https://cp.example:5678/bootstrap');
    expect(() => bootstrapUrl('http://localhost:5678')).toThrow('invalid --cp-address "http://localhost:5678": it must start with https://');
    expect(() => bootstrapUrl('localhost')).toThrow('invalid --cp-address "localhost": expected https://HOST:5678');
  });
});
