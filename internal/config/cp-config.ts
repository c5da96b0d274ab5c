/**
 * Control-plane configuration with Kuma's names. Precedence: defaults <
 * YAML `--config-file` < KUMA_* environment < flags. The environment names
 * are derived from the defaults tree (apiServer.http.port ->
 * KUMA_API_SERVER_HTTP_PORT), so every key has an env var without a table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors';

export type Mode = 'global' | 'zone';

export function defaultConfig() {
  return {
    /** global | zone (standalone is accepted and means zone). */
    mode: 'zone' as string,
    environment: 'universal',
    general: {
      /** Where the CP keeps its state and generated certificates; default $HOME/.kuma. */
      workDir: '',
      tlsCertFile: '',
      tlsKeyFile: '',
    },
    store: {
      /** leveldb (default, persistent, one instance) | postgres (several instances share it) | memory. */
      type: 'leveldb',
      leveldb: { path: '' },
      /** Kuma's KUMA_STORE_POSTGRES_* settings. */
      postgres: {
        host: '127.0.0.1',
        port: 15432,
        user: 'kuma',
        password: 'kuma',
        dbName: 'kuma',
        /** disable | verifyNone | verifyCa | verifyFull. */
        tls: { mode: 'disable', caPath: '', certPath: '', keyPath: '' },
        maxOpenConnections: 50,
        /** Seconds to wait for a connection. */
        connectionTimeout: 5,
        /** Run `kuma migrate up` on start when the schema is older than this binary. */
        autoMigrate: true,
        /** How long a leader may go without reaching the database before it steps down (ms). */
        leaderLeaseMs: 3000,
      },
      /** Allow deleting a Mesh that still has Dataplanes. */
      unsafeDelete: false,
    },
    apiServer: {
      http: { enabled: true, interface: '0.0.0.0', port: 5681 },
      readOnly: false,
      /** Largest accepted request body. */
      maxBodyBytes: 4 * 1024 * 1024,
      /** HTTPS with the same routes; without cert files, the CP's generated certificate (internal/tls). */
      https: { enabled: true, interface: '0.0.0.0', port: 5682, tlsCertFile: '', tlsKeyFile: '' },
      authn: {
        /** tokens: a Bearer user token (the only authn type). */
        type: 'tokens',
        /** A loopback caller without proxy headers is mesh-system:admin. */
        localhostIsAdmin: true,
        /** Create GlobalSecret admin-user-token (the admin's user token) on first start. */
        tokens: { bootstrapAdminToken: true },
      },
    },
    /** Kuma's static access rules (KUMA_ACCESS_STATIC_*): who may do what beyond reading ordinary resources. */
    access: {
      type: 'static',
      static: {
        adminResources: { users: ['mesh-system:admin'], groups: ['mesh-system:admin'] },
        generateDpToken: { users: ['mesh-system:admin'], groups: ['mesh-system:admin'] },
        generateUserToken: { users: ['mesh-system:admin'], groups: ['mesh-system:admin'] },
        generateZoneToken: { users: ['mesh-system:admin'], groups: ['mesh-system:admin'] },
        viewConfigDump: { users: [] as string[], groups: ['mesh-system:unauthenticated', 'mesh-system:authenticated'] },
        viewStats: { users: [] as string[], groups: ['mesh-system:unauthenticated', 'mesh-system:authenticated'] },
        viewClusters: { users: [] as string[], groups: ['mesh-system:unauthenticated', 'mesh-system:authenticated'] },
        controlPlaneMetadata: { users: [] as string[], groups: ['mesh-system:unauthenticated', 'mesh-system:authenticated'] },
      },
    },
    diagnostics: { serverPort: 5680 },
    /** What /bootstrap tells Envoy: the xDS address (default: the host the proxy asked and this DP server's port). Set both to a load balancer in front of several CP instances. */
    bootstrapServer: { params: { xdsHost: '', xdsPort: 0 } },
    dpServer: {
      /** HTTPS /bootstrap and gRPC ADS on one TLS port (zone CPs only). */
      port: 5678,
      /**
       * How proxies authenticate on the xDS stream and /bootstrap: sidecars dpToken (default) | none,
       * zone proxies zoneToken (default) | none. serviceAccountToken is Kuma's Kubernetes-only type.
       */
      authn: { dpProxy: { type: 'dpToken' }, zoneProxy: { type: 'zoneToken' } },
    },
    xdsServer: {
      /** Bursts of store changes within this window produce one regeneration. */
      debounceMs: 50,
      /** How long a disconnected Universal Dataplane is kept before deregistration. */
      dataplaneDeregistrationDelayMs: 10_000,
    },
    dnsServer: {
      /** Kuma DNS names are `<kuma.io/service>.<domain>` (internal/dns/vips.ts). */
      domain: 'mesh',
      /** The IPv4 range VIPs are allocated from (zone CP), KUMA_DNS_SERVER_CIDR. */
      cidr: '240.0.0.0/4',
      /** The port of the outbound listener of every `<service>.<domain>` VIP. */
      serviceVipPort: 80,
    },
    ca: {
      /** Identity certificate validity when the Mesh backend sets no dpCert.rotation.expiration. */
      dpCertValidity: '24h',
      /** Renew an identity certificate once this fraction of its lifetime has passed. */
      dpCertRenewalFraction: 0.8,
    },
    multizone: {
      global: {
        kds: {
          grpcPort: 5685,
          /** TLS on the KDS port (auto-generated self-signed cert unless general.tlsCertFile/KeyFile). */
          tlsEnabled: true,
          /**
           * tokens (default) | none: how zone CPs authenticate to the global
           * (KUMA_MULTIZONE_GLOBAL_KDS_AUTH_TYPE). Kuma 2.14 zones send no
           * zone token, so a global serving them needs none. zoneToken is
           * the old name of tokens.
           */
          authType: 'tokens',
          /** Largest KDS message; bigger state is split into several responses. */
          maxMsgSizeBytes: 10 * 1024 * 1024,
          /** How often ZoneInsight counters are written at most. */
          zoneInsightFlushIntervalMs: 1000,
          /**
           * How long the global waits for a zone to answer a forwarded Envoy admin request
           * (inspect config dump, stats, clusters, config of a proxy in that zone).
           */
          envoyAdminTimeoutMs: 10_000,
        },
      },
      zone: {
        name: '',
        globalAddress: '',
        kds: {
          tlsSkipVerify: false,
          rootCaFile: '',
          /** The zone token (kuma generate zone-token --scope cp), inline or from a file. */
          authToken: '',
          authTokenFile: '',
          /** Reconnect backoff: starts here, doubles up to the max, forever. */
          reconnectBaseBackoffMs: 250,
          reconnectMaxBackoffMs: 2_000,
          /**
           * How often at most the zone sends the global its MeshServices again when only their
           * status moved (proxies connecting, certificates issued); Kuma recomputes it every 5 s.
           */
          statusRefreshIntervalMs: 1_000,
        },
        /** How soon ZoneIngress.availableServices follows a change of local Dataplanes. */
        ingressUpdateIntervalMs: 200,
        /** Lets a federated zone take targetRef policies without `kuma.io/origin: zone` and edit global-synced copies (Kuma's escape hatch). */
        disableOriginLabelValidation: false,
      },
    },
    defaults: { skipMeshCreation: false },
    metrics: {
      /** How often MeshInsight/ServiceInsight are recomputed at most. */
      meshInsightMinResyncIntervalMs: 1000,
    },
    log: { level: 'info' },
  };
}

export type CpConfig = ReturnType<typeof defaultConfig>;

/** Flags people set often; each maps onto one config path. */
export interface CpFlags {
  mode?: string;
  zone?: string;
  kdsGlobalAddress?: string;
  kdsAuth?: string;
  kdsAuthTokenFile?: string;
  logLevel?: string;
}

type Tree = { [k: string]: unknown };

function envName(path: string[]): string {
  return 'KUMA_' + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

/** Every (env var, path) pair of the tree, e.g. ["KUMA_API_SERVER_HTTP_PORT", ["apiServer","http","port"]]. */
export function envKeys(tree: Tree = defaultConfig(), prefix: string[] = []): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const [k, v] of Object.entries(tree)) {
    const p = [...prefix, k];
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...envKeys(v as Tree, p));
    else out.push([envName(p), p]);
  }
  return out;
}

function coerce(raw: unknown, like: unknown, where: string): unknown {
  if (Array.isArray(like)) {
    // Lists: a YAML list, or a comma-separated env value as Kuma's envconfig reads []string.
    const items = Array.isArray(raw) ? raw : String(raw ?? '').split(',');
    return items.map((x) => String(x).trim()).filter((x) => x !== '');
  }
  if (typeof like === 'number') {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isFinite(n) || String(raw).trim() === '') throw new ConfigError(`${where}: expected a number, got "${String(raw)}"`);
    return n;
  }
  if (typeof like === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    const s = String(raw).trim().toLowerCase();
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0' || s === '') return false;
    throw new ConfigError(`${where}: expected true or false, got "${String(raw)}"`);
  }
  return raw === null || raw === undefined ? '' : String(raw);
}

function setPath(tree: Tree, path: string[], value: unknown): void {
  let t = tree;
  for (const p of path.slice(0, -1)) t = t[p] as Tree;
  t[path[path.length - 1]!] = value;
}

function getPath(tree: Tree, path: string[]): unknown {
  let t: unknown = tree;
  for (const p of path) t = (t as Tree)?.[p];
  return t;
}

/** Merges a YAML file's tree onto the config, refusing keys we do not know. */
function mergeFile(cfg: Tree, file: Tree, prefix: string[], fileName: string): void {
  for (const [k, v] of Object.entries(file)) {
    const p = [...prefix, k];
    const like = getPath(cfg, p);
    if (like === undefined) throw new ConfigError(`${fileName}: unknown key "${p.join('.')}"`);
    if (like && typeof like === 'object' && !Array.isArray(like)) {
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${fileName}: "${p.join('.')}" must be a map`);
      mergeFile(cfg, v as Tree, p, fileName);
    } else {
      setPath(cfg, p, coerce(v, like, `${fileName}: ${p.join('.')}`));
    }
  }
}

export function loadConfig(opts: { configFile?: string; env?: NodeJS.ProcessEnv; flags?: CpFlags } = {}): CpConfig {
  const cfg = defaultConfig();
  const env = opts.env ?? process.env;
  if (opts.configFile) {
    let text: string;
    try {
      text = readFileSync(opts.configFile, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read --config-file ${opts.configFile}: ${(e as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (e) {
      throw new ConfigError(`${opts.configFile} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${opts.configFile} must be a YAML map`);
      mergeFile(cfg as unknown as Tree, parsed as Tree, [], opts.configFile);
    }
  }
  for (const [name, path] of envKeys()) {
    if (env[name] !== undefined) setPath(cfg as unknown as Tree, path, coerce(env[name], getPath(cfg as unknown as Tree, path), name));
  }
  const f = opts.flags ?? {};
  if (f.mode !== undefined) cfg.mode = f.mode;
  if (f.zone !== undefined) cfg.multizone.zone.name = f.zone;
  if (f.kdsGlobalAddress !== undefined) cfg.multizone.zone.globalAddress = f.kdsGlobalAddress;
  if (f.logLevel !== undefined) cfg.log.level = f.logLevel;
  if (f.kdsAuth !== undefined) cfg.multizone.global.kds.authType = f.kdsAuth;
  if (f.kdsAuthTokenFile !== undefined) cfg.multizone.zone.kds.authTokenFile = f.kdsAuthTokenFile;
  return finish(cfg, env);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Fills derived defaults and checks cross-field rules, naming the key to fix. */
function finish(cfg: CpConfig, env: NodeJS.ProcessEnv): CpConfig {
  if (cfg.mode === 'standalone') cfg.mode = 'zone';
  if (cfg.mode !== 'global' && cfg.mode !== 'zone') {
    throw new ConfigError(`mode: "${cfg.mode}" is not supported; use --mode=global or --mode=zone (KUMA_MODE)`);
  }
  if (!['leveldb', 'memory', 'postgres'].includes(cfg.store.type)) {
    throw new ConfigError(`store.type: "${cfg.store.type}" is not supported; use leveldb, postgres or memory (KUMA_STORE_TYPE)`);
  }
  const pgc = cfg.store.postgres;
  if (!['disable', 'verifyNone', 'verifyCa', 'verifyFull'].includes(pgc.tls.mode)) {
    throw new ConfigError(`store.postgres.tls.mode: "${pgc.tls.mode}" is not supported; use disable, verifyNone, verifyCa or verifyFull (KUMA_STORE_POSTGRES_TLS_MODE)`);
  }
  if ((pgc.tls.mode === 'verifyCa' || pgc.tls.mode === 'verifyFull') && !pgc.tls.caPath) {
    throw new ConfigError(`store.postgres.tls.mode ${pgc.tls.mode} needs the CA: set KUMA_STORE_POSTGRES_TLS_CA_PATH`);
  }
  for (const [name, f] of [['CA_PATH', pgc.tls.caPath], ['CERT_PATH', pgc.tls.certPath], ['KEY_PATH', pgc.tls.keyPath]] as const) {
    if (f && !existsSync(f)) throw new ConfigError(`store.postgres.tls: the file ${f} does not exist (KUMA_STORE_POSTGRES_TLS_${name})`);
  }
  if (!Number.isInteger(pgc.port) || pgc.port < 1 || pgc.port > 65535) throw new ConfigError(`store.postgres.port: ${pgc.port} is not in [1, 65535] (KUMA_STORE_POSTGRES_PORT)`);
  if (!Number.isInteger(pgc.maxOpenConnections) || pgc.maxOpenConnections < 2) {
    throw new ConfigError(`store.postgres.maxOpenConnections: ${pgc.maxOpenConnections} must be an integer >= 2 (KUMA_STORE_POSTGRES_MAX_OPEN_CONNECTIONS)`);
  }
  if (!['off', 'info', 'debug', 'warn', 'error'].includes(cfg.log.level)) {
    throw new ConfigError(`log level "${cfg.log.level}" is not supported; use off, info or debug`);
  }
  if (cfg.apiServer.authn.type !== 'tokens') {
    throw new ConfigError(`apiServer.authn.type: "${cfg.apiServer.authn.type}" is not supported; use tokens (KUMA_API_SERVER_AUTHN_TYPE)`);
  }
  if (cfg.access.type !== 'static') throw new ConfigError(`access.type: "${cfg.access.type}" is not supported; use static (KUMA_ACCESS_TYPE)`);
  const https = cfg.apiServer.https;
  if (!!https.tlsCertFile !== !!https.tlsKeyFile) {
    throw new ConfigError('apiServer.https: set both tlsCertFile and tlsKeyFile or neither (KUMA_API_SERVER_HTTPS_TLS_CERT_FILE, KUMA_API_SERVER_HTTPS_TLS_KEY_FILE)');
  }
  for (const f of [https.tlsCertFile, https.tlsKeyFile]) {
    if (f && !existsSync(f)) throw new ConfigError(`apiServer.https: the file ${f} does not exist (KUMA_API_SERVER_HTTPS_TLS_CERT_FILE / _TLS_KEY_FILE)`);
  }
  if (cfg.multizone.global.kds.authType === 'zoneToken') cfg.multizone.global.kds.authType = 'tokens';
  if (!['tokens', 'none'].includes(cfg.multizone.global.kds.authType)) {
    throw new ConfigError(`multizone.global.kds.authType: "${cfg.multizone.global.kds.authType}" is not supported; use tokens or none (KUMA_MULTIZONE_GLOBAL_KDS_AUTH_TYPE, --kds-auth)`);
  }
  for (const [key, env, type, own] of [
    ['dpServer.authn.dpProxy.type', 'KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE', cfg.dpServer.authn.dpProxy.type, 'dpToken'],
    ['dpServer.authn.zoneProxy.type', 'KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE', cfg.dpServer.authn.zoneProxy.type, 'zoneToken'],
  ] as const) {
    if (type === 'serviceAccountToken') {
      throw new ConfigError(`${key}: "serviceAccountToken" works on Kubernetes only and this control plane runs on universal; use ${own} or none (${env})`);
    }
    if (type !== own && type !== 'none') throw new ConfigError(`${key}: "${type}" is not supported; use ${own} or none (${env})`);
  }
  const zone = cfg.multizone.zone;
  if (zone.kds.authTokenFile && !existsSync(zone.kds.authTokenFile)) {
    throw new ConfigError(`the zone token file ${zone.kds.authTokenFile} does not exist (multizone.zone.kds.authTokenFile / --kds-auth-token-file)`);
  }
  if (cfg.mode === 'global' && zone.globalAddress) {
    throw new ConfigError('multizone.zone.globalAddress is only for --mode=zone; a global CP does not connect to another global');
  }
  if (zone.globalAddress) {
    let scheme = '';
    try {
      scheme = new URL(zone.globalAddress).protocol.replace(/:$/, '');
    } catch {
      throw new ConfigError(`--kds-global-address "${zone.globalAddress}" is not a URL; use e.g. grpcs://global-cp:5685`);
    }
    if (scheme !== 'grpc' && scheme !== 'grpcs') {
      throw new ConfigError(`unsupported scheme "${scheme}" in zone GlobalAddress. Use one of [grpc grpcs]`);
    }
    if (!zone.name) throw new ConfigError('a federated zone needs a name: add --zone NAME (KUMA_MULTIZONE_ZONE_NAME)');
  }
  if (cfg.mode === 'zone') {
    if (!zone.name) zone.name = 'default';
    if (zone.name.length > 63) throw new ConfigError('Zone name cannot be longer than 63 characters');
    if (!DNS_LABEL.test(zone.name)) throw new ConfigError(`Zone name ${zone.name} has to be a valid DNS name`);
  }
  for (const [key, port] of [
    ['apiServer.http.port', cfg.apiServer.http.port],
    ['apiServer.https.port', cfg.apiServer.https.port],
    ['diagnostics.serverPort', cfg.diagnostics.serverPort],
    ['dpServer.port', cfg.dpServer.port],
    ['multizone.global.kds.grpcPort', cfg.multizone.global.kds.grpcPort],
    ['bootstrapServer.params.xdsPort', cfg.bootstrapServer.params.xdsPort],
  ] as const) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${key}: port ${port} is not in [0, 65535]`);
  }
  const dns = cfg.dnsServer;
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(dns.cidr)) throw new ConfigError(`dnsServer.cidr: "${dns.cidr}" is not an IPv4 CIDR such as 240.0.0.0/4 (KUMA_DNS_SERVER_CIDR)`);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i.test(dns.domain)) throw new ConfigError(`dnsServer.domain: "${dns.domain}" is not a DNS name (KUMA_DNS_SERVER_DOMAIN)`);
  if (!Number.isInteger(dns.serviceVipPort) || dns.serviceVipPort < 1 || dns.serviceVipPort > 65535) {
    throw new ConfigError(`dnsServer.serviceVipPort: port ${dns.serviceVipPort} is not in [1, 65535] (KUMA_DNS_SERVER_SERVICE_VIP_PORT)`);
  }
  if (!cfg.general.workDir) cfg.general.workDir = join(env.HOME || homedir(), '.kuma');
  if (!cfg.store.leveldb.path) cfg.store.leveldb.path = join(cfg.general.workDir, 'store');
  return cfg;
}

export function isFederatedZone(cfg: CpConfig): boolean {
  return cfg.mode === 'zone' && !!cfg.multizone.zone.globalAddress;
}
