/**
 * `kuma dp run` minus the CLI: local checks first (nothing started on a bad
 * resource), then the exchange with an HTTPS stand-in of the CP's /bootstrap
 * endpoint, the bootstrap file, and Envoy under the supervisor. The stand-in
 * answers a static bootstrap (no ADS), so this is not the end-to-end run
 * against a real control plane; that one lives with the CP's DP server.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BootstrapRequest } from '../../../internal/dp/bootstrap-client';
import { DataplaneRunner, type DataplaneRunOptions } from '../../../internal/dp/dataplane-runner';
import { ValidationError } from '../../../internal/errors';
import { registerAll } from '../../../internal/resources/types/index';
import { envoyBinary } from '../../support/envoy';
import { freePort, isAlive, memoryLogger, staticBootstrap, tempDir, waitFor, writeFakeEnvoy } from './fixtures';
import { type TestPki, testPki } from './tls-fixture';

const registry = registerAll();
const dir = tempDir();
const fake = writeFakeEnvoy(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DP = `type: Dataplane
mesh: default
name: {{ name }}
networking:
  address: 127.0.0.1
  inbound:
  - port: 18080
    servicePort: 18081
    tags: { kuma.io/service: web, kuma.io/protocol: http }
`;
const dpFile = join(dir, 'dp.yaml');
writeFileSync(dpFile, DP);
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, '  header.payload.signature\n');

let pki: TestPki;
let cp: Server;
let cpPort: number;
let adminPort: number;
let listenerPort: number;
const requests: BootstrapRequest[] = [];
let answer404 = false;

beforeAll(async () => {
  pki = await testPki();
  writeFileSync(join(dir, 'ca.crt'), pki.caPem);
  adminPort = await freePort();
  listenerPort = await freePort();
  cp = createServer({ key: pki.keyPem, cert: pki.certPem }, (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url !== '/bootstrap' || req.method !== 'POST') return void res.writeHead(404).end('404 page not found');
      requests.push(JSON.parse(body) as BootstrapRequest);
      if (answer404) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ bootstrap: Buffer.from(staticBootstrap(adminPort, listenerPort)).toString('base64'), kumaSidecarConfiguration: { networking: { address: '127.0.0.1' } } }));
    });
  });
  await new Promise<void>((r) => cp.listen(0, '127.0.0.1', () => r()));
  cpPort = (cp.address() as { port: number }).port;
});
afterAll(() => cp.close());

function runner(opts: Partial<DataplaneRunOptions>, spies: { located?: string[]; fetched?: number } = {}) {
  const dpLog = memoryLogger('dp');
  const envoyLog = memoryLogger('envoy');
  const r = new DataplaneRunner(
    {
      cpAddress: `https://localhost:${cpPort}`,
      dataplaneFile: dpFile,
      vars: { name: 'web-01' },
      tokenFile,
      caCertFile: join(dir, 'ca.crt'),
      drainTimeMs: 200,
      killTimeoutMs: 2_000,
      concurrency: 1,
      retry: { backoffMs: 50, maxDurationMs: 30_000 },
      readinessPort: 0,
      ...opts,
    },
    {
      registry,
      log: dpLog.log,
      envoyLog: envoyLog.log,
      env: { ...process.env, FAKE_ENVOY_RUNS: join(dir, `runs-${Math.random()}`) },
      locateEnvoy: async (o) => {
        spies.located?.push(o.binaryPath ?? '');
        const { locateEnvoy } = await import('../../../internal/dp/envoy-locator');
        return locateEnvoy(o);
      },
    },
  );
  return { r, dpLog: dpLog.records, envoyLog: envoyLog.records };
}

/**
 * What a Kuma 2.14 CP checks in a bootstrap request before it generates
 * anything (spec kuma-api-cli.md §4.5; kuma-cp: "ReadinessPort has to be in
 * (0, 65535]"): a request that passes here is one a real kuma-cp serves.
 */
function kumaCpBootstrapViolations(r: BootstrapRequest): string[] {
  const out: string[] = [];
  const port = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= 65535;
  if (!['dataplane', 'ingress', 'egress'].includes(r.proxyType)) out.push(`proxyType "${r.proxyType}"`);
  if (!r.name) out.push('name is empty');
  if (r.proxyType === 'dataplane' && !r.mesh) out.push('mesh is empty');
  if (!port(r.readinessPort, 1)) out.push(`ReadinessPort has to be in (0, 65535], got ${r.readinessPort}`);
  if (!port(r.dnsPort, 0)) out.push(`dnsPort ${r.dnsPort}`);
  if (!r.dataplaneToken && !r.dataplaneTokenPath) out.push('Dataplane Token is required');
  for (const k of ['version', 'gitTag', 'gitCommit', 'buildDate'] as const) if (!r.version?.kumaDp?.[k]) out.push(`version.kumaDp.${k} is empty`);
  if (!r.version?.envoy?.version || !r.version.envoy.build) out.push('version.envoy is incomplete');
  if (typeof r.version?.envoy?.kumaDpCompatible !== 'boolean') out.push('version.envoy.kumaDpCompatible is not a bool');
  if (!r.operatingSystem) out.push('operatingSystem is empty');
  if (!r.workdir) out.push('workdir is empty');
  if (!Array.isArray(r.features)) out.push('features is not a list');
  if (typeof r.dynamicMetadata !== 'object' || r.dynamicMetadata === null) out.push('dynamicMetadata is not a map');
  if (typeof r.resources?.maxHeapSizeBytes !== 'number') out.push('resources.maxHeapSizeBytes');
  if (typeof r.metricsResources?.certPath !== 'string' || typeof r.metricsResources?.keyPath !== 'string') out.push('metricsResources');
  if (typeof r.spireResources?.socketPath !== 'string') out.push('spireResources');
  if (typeof r.ipv6Enabled !== 'boolean' || typeof r.appProbeProxyDisabled !== 'boolean') out.push('ipv6Enabled/appProbeProxyDisabled');
  if (r.dataplaneResource) {
    const res = JSON.parse(r.dataplaneResource) as { type?: string; mesh?: string; name?: string };
    const want = { dataplane: 'Dataplane', ingress: 'ZoneIngress', egress: 'ZoneEgress' }[r.proxyType];
    if (res.type !== want) out.push(`invalid proxy resource type "${res.type}", expected ${want}`);
    if (res.name !== r.name) out.push('dataplaneResource name differs from name');
  }
  return out;
}

describe('DataplaneRunner', () => {
  it('refuses an invalid resource before finding Envoy or calling the CP', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, DP.replace('kuma.io/service: web, ', ''));
    const located: string[] = [];
    const n = requests.length;
    const { r } = runner({ dataplaneFile: bad, binaryPath: fake }, { located });
    const err = await r.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toBe(`invalid Dataplane "web-01" in ${bad}`);
    expect((err as ValidationError).violations).toEqual([{ field: 'networking.inbound[0].tags["kuma.io/service"]', message: 'tag has to exist' }]);
    expect(located).toEqual([]);
    expect(requests.length).toBe(n);
    expect(r.supervisor).toBeUndefined();
  });

  it('refuses bad flags and says which input file is missing', async () => {
    await expect(runner({ dataplaneFile: join(dir, 'nope.yaml') }).r.run()).rejects.toThrow(`could not read the dataplane file "${join(dir, 'nope.yaml')}": no such file or directory`);
    await expect(runner({ tokenFile: join(dir, 'no-token') }).r.run()).rejects.toThrow('could not read the dataplane token file');
    await expect(runner({ skipVerify: true }).r.run()).rejects.toThrow('--ca-cert-file and --skip-verify cannot be used together');
    await expect(runner({ cpAddress: 'http://localhost:5678' }).r.run()).rejects.toThrow('invalid --cp-address "http://localhost:5678": it must start with https://');
  });

  it('a stop while waiting for the CP ends cleanly without starting Envoy', async () => {
    answer404 = true;
    try {
      const { r } = runner({ binaryPath: fake, retry: { backoffMs: 5_000, maxDurationMs: 60_000 } });
      const n = requests.length;
      const done = r.run();
      await waitFor('the first bootstrap request', () => requests.length > n);
      r.stop();
      await done;
      expect(r.supervisor).toBeUndefined();
    } finally {
      answer404 = false;
    }
  });

  for (const which of ['fake', 'real'] as const) {
    it(`bootstraps, writes bootstrap.yaml and supervises Envoy until stopped (${which} Envoy)`, async () => {
      const binaryPath = which === 'real' ? envoyBinary() : fake;
      const n = requests.length;
      const { r } = runner({ binaryPath, envoyLogLevel: 'info' });
      const done = r.run();
      await waitFor('Envoy running', () => r.supervisor?.state === 'running', 20_000);
      const sent = requests[n]!;
      expect(sent).toMatchObject({
        mesh: 'default',
        name: 'web-01',
        proxyType: 'dataplane',
        dataplaneToken: 'header.payload.signature',
        dataplaneTokenPath: tokenFile,
        caCert: pki.caPem,
        features: [],
        dnsPort: 0,
        operatingSystem: process.platform,
      });
      expect(kumaCpBootstrapViolations(sent)).toEqual([]);
      expect(JSON.parse(sent.dataplaneResource)).toMatchObject({ type: 'Dataplane', mesh: 'default', name: 'web-01' });
      expect(sent.version.envoy).toMatchObject({ version: expect.stringMatching(/^1\.40\.\d+$/), kumaDpCompatible: true });
      expect(Object.keys(sent.version.kumaDp)).toEqual(['version', 'gitTag', 'gitCommit', 'buildDate']);
      const bootstrapPath = join(sent.workdir, 'bootstrap.yaml');
      expect(readFileSync(bootstrapPath, 'utf8')).toBe(staticBootstrap(adminPort, listenerPort));
      expect(statSync(bootstrapPath).mode & 0o777).toBe(0o600);
      const sup = r.supervisor!;
      expect(sup.args.slice(0, 2)).toEqual(['--config-path', bootstrapPath]);
      if (which === 'real') {
        await waitFor(
          'the listener',
          async () => {
            try {
              return (await (await request(`http://127.0.0.1:${listenerPort}/`)).body.text()) === 'hello from envoy';
            } catch {
              return false;
            }
          },
          20_000,
        );
      }
      // The readiness reporter at the port it announced: READY once Envoy is live (the fake has no admin).
      const ready = async () => {
        const res = await request(`http://127.0.0.1:${sent.readinessPort}/ready`);
        return { status: res.statusCode, body: await res.body.text() };
      };
      if (which === 'real') await waitFor('READY', async () => (await ready()).body === 'READY', 20_000);
      else expect((await ready()).status).toBe(503);
      const pid = sup.pid!;
      r.stop();
      if (which === 'real') expect(await ready().catch(() => ({ status: 0, body: '' }))).not.toMatchObject({ body: 'READY' });
      await done;
      expect(sup.history).toEqual(['idle', 'starting', 'running', 'stopping', 'stopped']);
      expect(isAlive(pid)).toBe(false);
      // The temp work dir is removed on exit.
      expect(existsSync(sent.workdir)).toBe(false);
    });
  }

  it('keeps a given --work-dir', async () => {
    const workDir = join(dir, 'work');
    const { r } = runner({ binaryPath: fake, workDir });
    const done = r.run();
    await waitFor('Envoy running', () => r.supervisor?.state === 'running', 20_000);
    r.stop();
    await done;
    expect(existsSync(join(workDir, 'bootstrap.yaml'))).toBe(true);
  });
});

describe('kuma dp run --dns-enabled', () => {
  it('runs the resolver on --dns-port, sends its port in the bootstrap request, and frees it on stop', async () => {
    const { createSocket } = await import('node:dgram');
    const { buildQuery, parseResponse, RCODE } = await import('../../../internal/dns/dns-wire');
    const dnsPort = await freePort(); // a free TCP port number; UDP on it is as good as free here
    const n = requests.length;
    const { r, dpLog } = runner({ binaryPath: fake, dns: { enabled: true, port: dnsPort, pollIntervalMs: 50 } });
    const done = r.run();
    await waitFor('Envoy running', () => r.supervisor?.state === 'running', 20_000);
    expect(requests[n]!.dnsPort).toBe(dnsPort);
    // The stand-in CP has no /dns: the resolver has no records yet, so mesh names get SERVFAIL.
    const ask = () =>
      new Promise<number>((resolve) => {
        const s = createSocket('udp4');
        s.on('message', (m) => {
          s.close();
          resolve(parseResponse(m).rcode);
        });
        s.send(buildQuery(1, 'backend.mesh'), dnsPort, '127.0.0.1');
      });
    expect(await ask()).toBe(RCODE.SERVFAIL);
    await waitFor('the poll failure warning', () => dpLog.some((l) => /could not get the Kuma DNS records/.test(l.msg)), 5_000);
    r.stop();
    await done;
    // The port is free again.
    const again = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.bind(dnsPort, '127.0.0.1', () => resolve());
    });
    again.close();
  });

  it('fails before asking the CP when the DNS port is taken', async () => {
    const { createSocket } = await import('node:dgram');
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', () => resolve()));
    try {
      const n = requests.length;
      const { r } = runner({ binaryPath: fake, dns: { enabled: true, port: taken.address().port } });
      await expect(r.run()).rejects.toThrow(/could not start the DNS resolver on 127\.0\.0\.1:\d+ \(--dns-port\)/);
      expect(requests.length).toBe(n);
    } finally {
      taken.close();
    }
  });

  it('fails before asking the CP when the readiness port is taken, naming KUMA_READINESS_PORT', async () => {
    const { createServer: createTcp } = await import('node:net');
    const taken = createTcp();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    try {
      const n = requests.length;
      const port = (taken.address() as { port: number }).port;
      const { r } = runner({ binaryPath: fake, readinessPort: port });
      await expect(r.run()).rejects.toThrow(`could not start the readiness reporter on 127.0.0.1:${port} (KUMA_READINESS_PORT, --readiness-port; 0 picks a free port)`);
      expect(requests.length).toBe(n);
    } finally {
      taken.close();
    }
  });
});
