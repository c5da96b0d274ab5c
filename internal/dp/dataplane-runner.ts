/**
 * `kuma dp run` from inputs to a supervised Envoy (spec kuma-api-cli.md
 * §4.4-§4.7):
 *
 *   1. read and render the resource, read the token and CA (every local
 *      mistake fails here, before Envoy or the control plane is touched);
 *   2. find Envoy and learn its version (`envoy --version`);
 *   3. POST /bootstrap to the control plane (retried while it is unreachable);
 *   4. write `<workdir>/bootstrap.yaml` (0600: it carries the token) and run
 *      Envoy under the supervisor until stop().
 *
 * Deregistration is the control plane's job, as in Kuma: kuma-dp holds no
 * API credentials. A Dataplane registered through the bootstrap resource is
 * deleted by the CP's xDS server `xdsServer.dataplaneDeregistrationDelayMs`
 * after its ADS stream closes (Kuma dataplane_lifecycle.go); stopping Envoy
 * closes that stream.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { BadRequestError } from '../errors';
import type { Registry } from '../resources/registry';
import { BUILD_DATE, GIT_COMMIT, GIT_TAG, VERSION } from '../version';
import { type BootstrapClientOptions, type BootstrapRequest, type BootstrapResult, bootstrapUrl, fetchBootstrap } from './bootstrap-client';
import { adminAddressFromBootstrap, formatAdminAddress } from './envoy-admin';
import { type EnvoyBinary, EXPECTED_ENVOY_MINOR, type LocateOptions, locateEnvoy } from './envoy-locator';
import { EnvoySupervisor, type RestartPolicy } from './envoy-supervisor';
import { buildProxyResource, type ProxyResource } from './proxy-resource';
import { DEFAULT_DNS_PORT, DnsServer } from '../dns/dns-server';
import { DnsPoller, recordMap } from './dns-poller';
import { DEFAULT_READINESS_PORT, ReadinessServer } from './readiness-server';
import { AccessLogStreamer, type StreamerLog } from './access-log-streamer';
import { accessLogPipePath } from '../core/access-log-pipe';
import { MetricsHijacker } from './metrics-hijacker';
import { OtelMetricsPusher } from './otel-metrics-pusher';
import { metricsConfigSocketPath, metricsHijackerSocketPath } from '../core/metrics-sockets';
import type { AdminAddress } from './envoy-admin';

/**
 * MeshMetric needs the hijacker socket; without it the rest of the proxy still runs. The hijacker
 * polls the conf, so the OpenTelemetry pusher follows it from there.
 */
async function startMetricsHijacker(
  dataplane: string,
  mesh: string,
  admin: AdminAddress,
  pusher: OtelMetricsPusher,
  log: StreamerLog,
): Promise<MetricsHijacker | undefined> {
  const h = new MetricsHijacker({
    socketPath: metricsHijackerSocketPath(dataplane, mesh),
    configSocketPath: metricsConfigSocketPath(dataplane, mesh),
    admin,
    log,
    onConfig: (c) => pusher.setConfig(c),
  });
  try {
    await h.start();
    return h;
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'could not start the metrics hijacker; MeshMetric scrapes of this proxy will fail');
    return undefined;
  }
}

/** MeshAccessLog Tcp backends need the pipe; without it the rest of the proxy still runs. */
async function startAccessLogStreamer(path: string, log: StreamerLog): Promise<AccessLogStreamer | undefined> {
  const s = new AccessLogStreamer(path, log);
  try {
    await s.start();
    return s;
  } catch (e) {
    log.warn({ err: (e as Error).message, path }, 'could not create the access log pipe; MeshAccessLog Tcp backends will not be forwarded');
    return undefined;
  }
}

export const DEFAULT_DRAIN_TIME_MS = 30_000;
export const BOOTSTRAP_FILE = 'bootstrap.yaml';
/** Kuma's lookup order for the system CA bundle sent as `systemCaPath`. */
const SYSTEM_CA_PATHS = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem', '/etc/pki/tls/cacert.pem', '/etc/ssl/cert.pem'];
/**
 * Kuma features this kuma-dp can honour. None yet: each of Kuma's (embedded
 * DNS, readiness unix socket, ...) needs a companion process or socket that
 * this kuma-dp does not run, and the CP changes the generated config when it
 * sees one. The access-log pipe needs no flag: it always runs, at the path both
 * sides derive from the proxy's name and mesh (core/access-log-pipe.ts).
 */
export const DP_FEATURES: string[] = [];

export interface DataplaneRunOptions {
  cpAddress: string;
  proxyType?: string;
  /** Path of the resource file, `-` for stdin. */
  dataplaneFile?: string;
  /** The resource inline (`--dataplane`). */
  dataplane?: string;
  vars?: Record<string, string>;
  name?: string;
  mesh?: string;
  adminPort?: number;
  tokenFile?: string;
  token?: string;
  caCertFile?: string;
  /** PEM inline (KUMA_CONTROL_PLANE_CA_CERT). */
  caCert?: string;
  skipVerify?: boolean;
  binaryPath?: string;
  /** Kept after exit when given; otherwise a temp `kuma-dp-*` dir removed on exit. */
  workDir?: string;
  drainTimeMs?: number;
  envoyLogLevel?: string;
  envoyComponentLogLevel?: string;
  concurrency?: number;
  retry?: { backoffMs?: number; maxDurationMs?: number };
  restart?: Partial<RestartPolicy>;
  killTimeoutMs?: number;
  /**
   * Kuma DNS (`--dns-enabled`, sidecars only): a resolver on 127.0.0.1:`port` answering
   * `<service>.mesh` from the records polled from the CP; its port goes into the bootstrap request
   * (`dnsPort`), so the CP generates the VIP outbound listeners.
   */
  dns?: { enabled: boolean; port?: number; pollIntervalMs?: number };
  /** The readiness reporter's port (KUMA_READINESS_PORT, default 9902); 0 = any free port. */
  readinessPort?: number;
}

export interface DataplaneRunnerDeps {
  registry: Registry;
  log: Logger;
  envoyLog: Logger;
  env?: NodeJS.ProcessEnv;
  readStdin?: () => Promise<string>;
  locateEnvoy?: (o: LocateOptions) => Promise<EnvoyBinary>;
  fetchBootstrap?: (req: BootstrapRequest, o: BootstrapClientOptions) => Promise<BootstrapResult>;
}

function systemCaPath(): string {
  return SYSTEM_CA_PATHS.find((p) => existsSync(p)) ?? '';
}

function ipv6Enabled(): boolean {
  return Object.values(networkInterfaces()).some((list) => (list ?? []).some((i) => i.family === 'IPv6'));
}

async function readInput(what: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadRequestError(`could not read ${what} "${path}": ${code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
}

export class DataplaneRunner {
  readonly #o: DataplaneRunOptions;
  readonly #d: DataplaneRunnerDeps;
  readonly #abort = new AbortController();
  #supervisor: EnvoySupervisor | undefined;
  #dns: DnsServer | undefined;
  #accessLogs: AccessLogStreamer | undefined;
  #metrics: MetricsHijacker | undefined;
  #otel: OtelMetricsPusher | undefined;
  #readiness: ReadinessServer | undefined;

  constructor(opts: DataplaneRunOptions, deps: DataplaneRunnerDeps) {
    this.#o = opts;
    this.#d = deps;
  }

  /** The supervisor once Envoy was started (tests, diagnostics). */
  get supervisor(): EnvoySupervisor | undefined {
    return this.#supervisor;
  }

  /** The Kuma DNS resolver once started (tests, diagnostics). */
  get dns(): DnsServer | undefined {
    return this.#dns;
  }

  /** Graceful stop: cancels the bootstrap exchange or drains Envoy. A second call cuts the drain short. */
  stop(): void {
    this.#readiness?.terminating();
    this.#abort.abort(new Error('kuma dp run is stopping'));
    void this.#supervisor?.stop();
  }

  /** Everything local, no side effects: the flags, the proxy, the token and the CA. Throws on the first kind of mistake found. */
  async prepare(): Promise<{ proxy: ProxyResource; token: string; tokenPath: string; caCert: string }> {
    const o = this.#o;
    if (o.dataplaneFile !== undefined && o.dataplane !== undefined) {
      throw new BadRequestError('--dataplane-file and --dataplane (inline) cannot be used together');
    }
    if (o.caCertFile && o.skipVerify) throw new BadRequestError('--ca-cert-file and --skip-verify cannot be used together');
    bootstrapUrl(o.cpAddress);
    let text: string | undefined;
    let source: string | undefined;
    if (o.dataplaneFile === '-') {
      text = await (this.#d.readStdin ?? (() => Promise.resolve('')))();
      source = 'stdin';
    } else if (o.dataplaneFile !== undefined) {
      text = await readInput('the dataplane file', o.dataplaneFile);
      source = o.dataplaneFile;
    } else if (o.dataplane !== undefined) {
      text = o.dataplane;
      source = '--dataplane';
    }
    const proxy = buildProxyResource(this.#d.registry, {
      proxyType: o.proxyType,
      text,
      source,
      vars: o.vars,
      name: o.name,
      mesh: o.mesh,
      adminPort: o.adminPort,
    });
    const tokenPath = o.tokenFile ? resolve(o.tokenFile) : '';
    const token = o.tokenFile ? (await readInput('the dataplane token file', o.tokenFile)).trim() : (o.token ?? '').trim();
    const caCert = o.caCertFile ? await readInput('the CA certificate file', o.caCertFile) : (o.caCert ?? '');
    return { proxy, token, tokenPath, caCert };
  }

  /** Runs until stop() (resolves) or a failure before Envoy runs (rejects). */
  async run(): Promise<void> {
    const o = this.#o;
    const log = this.#d.log;
    const { proxy, token, tokenPath, caCert } = await this.prepare();
    const envoy = await (this.#d.locateEnvoy ?? locateEnvoy)({ binaryPath: o.binaryPath, env: this.#d.env });
    log.info({ path: envoy.path, version: envoy.version }, `using Envoy ${envoy.version} at ${envoy.path}`);
    if (!envoy.kumaDpCompatible) log.warn({ build: envoy.build }, `Envoy ${envoy.version} is older than this kuma expects (${EXPECTED_ENVOY_MINOR}); running it anyway`);
    if (this.#abort.signal.aborted) return;

    const tempWorkDir = o.workDir === undefined;
    const workdir = o.workDir !== undefined ? resolve(o.workDir) : await mkdtemp(join(tmpdir(), 'kuma-dp-'));
    await mkdir(workdir, { recursive: true });
    let poller: DnsPoller | undefined;
    try {
      // Kuma DNS: bind the resolver first, so a taken port fails before the CP is asked anything.
      const dnsEnabled = !!o.dns?.enabled && proxy.proxyType === 'dataplane';
      if (o.dns?.enabled && !dnsEnabled) log.warn({ proxyType: proxy.proxyType }, '--dns-enabled is for sidecars (dataplane proxies); running without the DNS resolver');
      if (dnsEnabled) {
        const dns = new DnsServer({ address: '127.0.0.1', port: o.dns?.port ?? DEFAULT_DNS_PORT, log });
        try {
          await dns.start();
        } catch (e) {
          throw new BadRequestError(`could not start the DNS resolver on 127.0.0.1:${o.dns?.port ?? DEFAULT_DNS_PORT} (--dns-port): ${(e as Error).message}`);
        }
        this.#dns = dns;
        log.info({ address: `127.0.0.1:${dns.port}`, upstreams: dns.upstreams.map((u) => `${u.address}:${u.port}`) }, 'Kuma DNS resolver listening');
      }
      // The readiness reporter too: Kuma's CP needs its port, and a taken one fails before the CP is asked.
      const readiness = new ReadinessServer();
      const wantedReadinessPort = o.readinessPort ?? DEFAULT_READINESS_PORT;
      let readinessPort: number;
      try {
        readinessPort = await readiness.listen(wantedReadinessPort);
      } catch (e) {
        throw new BadRequestError(`could not start the readiness reporter on 127.0.0.1:${wantedReadinessPort} (KUMA_READINESS_PORT, --readiness-port; 0 picks a free port): ${(e as Error).message}`);
      }
      this.#readiness = readiness;
      log.info({ address: `127.0.0.1:${readinessPort}` }, 'readiness reporter listening (GET /ready)');
      const drainTimeMs = o.drainTimeMs ?? DEFAULT_DRAIN_TIME_MS;
      const request: BootstrapRequest = {
        mesh: proxy.mesh,
        name: proxy.name,
        proxyType: proxy.proxyType,
        dataplaneToken: token,
        dataplaneTokenPath: tokenPath,
        dataplaneResource: proxy.resourceJson,
        version: {
          kumaDp: { version: VERSION, gitTag: GIT_TAG, gitCommit: GIT_COMMIT, buildDate: BUILD_DATE },
          envoy: { version: envoy.version, build: envoy.build, kumaDpCompatible: envoy.kumaDpCompatible },
        },
        caCert,
        dynamicMetadata: {},
        dnsPort: this.#dns?.port ?? 0,
        readinessPort,
        appProbeProxyDisabled: false,
        operatingSystem: process.platform,
        features: DP_FEATURES,
        resources: { maxHeapSizeBytes: 0 },
        workdir,
        metricsResources: { certPath: '', keyPath: '' },
        systemCaPath: systemCaPath(),
        ipv6Enabled: ipv6Enabled(),
        spireResources: { socketPath: '' },
      };
      let result: BootstrapResult;
      try {
        result = await (this.#d.fetchBootstrap ?? fetchBootstrap)(request, {
          cpAddress: o.cpAddress,
          caCert: caCert || undefined,
          skipVerify: o.skipVerify,
          backoffMs: o.retry?.backoffMs,
          maxDurationMs: o.retry?.maxDurationMs,
          signal: this.#abort.signal,
          log,
        });
      } catch (e) {
        if (this.#abort.signal.aborted) return; // stopped while waiting for the CP: a clean exit
        throw e;
      }
      const bootstrapPath = join(workdir, BOOTSTRAP_FILE);
      await writeFile(bootstrapPath, result.bootstrap, { mode: 0o600 });
      const text = result.bootstrap.toString('utf8');
      const admin = adminAddressFromBootstrap(text);
      log.info(
        { bootstrapPath, admin: admin ? formatAdminAddress(admin) : undefined, address: result.kumaSidecarConfiguration.networking?.address },
        `wrote the Envoy bootstrap to ${bootstrapPath}`,
      );
      if (!admin) log.warn({ bootstrapPath }, 'the bootstrap has no admin address; Envoy will be stopped without a drain');
      readiness.setAdmin(admin);
      if (this.#abort.signal.aborted) return;
      if (this.#dns) {
        const dns = this.#dns;
        poller = new DnsPoller({
          cpAddress: o.cpAddress,
          caCert: caCert || undefined,
          skipVerify: o.skipVerify,
          mesh: proxy.mesh,
          name: proxy.name,
          token: async () => (tokenPath ? (await readFile(tokenPath, 'utf8')).trim() : token),
          intervalMs: o.dns?.pollIntervalMs,
          onRecords: (u) => dns.setRecords({ domain: u.domain, ttl: u.ttl, records: recordMap(u) }),
          log,
        });
        // Not awaited: Envoy starts at once, the resolver answers SERVFAIL until the first records.
        void poller.start();
      }

      if (proxy.proxyType === 'dataplane') this.#accessLogs = await startAccessLogStreamer(accessLogPipePath(proxy.name, proxy.mesh), log);
      if (proxy.proxyType === 'dataplane' && admin) {
        this.#otel = new OtelMetricsPusher({ admin, mesh: proxy.mesh, dataplane: proxy.name, log });
        this.#metrics = await startMetricsHijacker(proxy.name, proxy.mesh, admin, this.#otel, log);
      }

      const sup = new EnvoySupervisor(
        {
          binaryPath: envoy.path,
          bootstrapPath,
          drainTimeMs,
          logLevel: o.envoyLogLevel,
          componentLogLevel: o.envoyComponentLogLevel,
          concurrency: o.concurrency,
          admin,
          restart: o.restart,
          killTimeoutMs: o.killTimeoutMs,
          cwd: workdir,
          env: this.#d.env,
        },
        { log, envoyLog: this.#d.envoyLog },
      );
      this.#supervisor = sup;
      sup.start();
      await sup.done();
      log.info({ mesh: proxy.mesh, name: proxy.name }, 'Envoy stopped; the control plane deregisters a Dataplane it registered from the bootstrap once the ADS stream stays closed');
    } finally {
      await poller?.stop();
      await this.#accessLogs?.stop();
      await this.#metrics?.stop();
      this.#otel?.stop();
      await this.#dns?.stop();
      await this.#readiness?.close();
      if (tempWorkDir) await rm(workdir, { recursive: true, force: true });
    }
  }
}
