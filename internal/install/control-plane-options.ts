/**
 * `kuma install control-plane` flags -> checked options. Pure: the command
 * reads files (the zone token) and hands their contents in. Every mistake is
 * collected and reported together, each naming the flag that fixes it, so
 * nothing reaches stdout (and `kubectl apply`) from a bad combination.
 */
import { defaultConfig } from '../config/cp-config';
import { BadRequestError, type Violation } from '../errors';

/** The flags as typed (strings and booleans; nothing interpreted yet). */
export interface ControlPlaneFlags {
  mode?: string;
  zone?: string;
  kdsGlobalAddress?: string;
  namespace?: string;
  controlPlaneImage?: string;
  imagePullPolicy?: string;
  ingressEnabled?: boolean;
  ingressDrainTime?: string;
  ingressServiceType?: string;
  ingressAdvertisedAddress?: string;
  egressEnabled?: boolean;
  egressDrainTime?: string;
  egressServiceType?: string;
  useNodePort?: boolean;
  /** The contents of --zone-token-file (the command reads it). */
  zoneToken?: string;
  zoneTokenFile?: string;
  store?: string;
  replicas?: string;
  storeLeveldbSize?: string;
  storageClass?: string;
  storePostgresHost?: string;
  storePostgresPort?: string;
  storePostgresUser?: string;
  storePostgresDbName?: string;
  storePostgresTlsMode?: string;
  storePostgresPasswordSecret?: string;
  tlsGeneralSecret?: string;
  tlsKdsZoneClientSecret?: string;
  kdsTlsSkipVerify?: boolean;
  set?: string[];
  envVar?: string[];
}

export type ServiceType = 'LoadBalancer' | 'NodePort' | 'ClusterIP';

export type StoreOptions =
  | { type: 'leveldb'; size: string; storageClass?: string }
  | { type: 'postgres'; host: string; port: number; user: string; dbName: string; tlsMode: string; passwordSecret: { name: string; key: string } };

export interface ZoneProxyOptions {
  drainTime: string;
  serviceType: ServiceType;
  /** What other zones dial (ZoneIngress.networking.advertisedAddress); the pod IP when unset. */
  advertisedAddress?: string;
}

export interface ControlPlaneOptions {
  mode: 'global' | 'zone';
  /** Zone name (mode zone). */
  zone?: string;
  /** grpc(s)://HOST:PORT of the global (a federated zone). */
  kdsGlobalAddress?: string;
  namespace: string;
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  ingress?: ZoneProxyOptions;
  egress?: ZoneProxyOptions;
  /** Type of Service kuma-global-zone-sync (global). */
  globalSyncServiceType: 'LoadBalancer' | 'NodePort';
  zoneToken?: string;
  store: StoreOptions;
  replicas: number;
  tls: { generalSecret?: string; kdsZoneClientSecret?: string; kdsSkipVerify: boolean };
  /** --set: CP configuration keys (dotted paths of internal/config/cp-config.ts) and their typed values. */
  settings: { path: string[]; value: string | number | boolean | string[] }[];
  env: { name: string; value: string }[];
}

export interface Parsed<T> {
  options: T;
  /** Said on stderr; the YAML is still printed. */
  warnings: string[];
}

export const DEFAULT_NAMESPACE = 'kuma-system';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DURATION = /^\d+(ms|s|m|h)$/;
const IMAGE = /^[a-z0-9][a-z0-9._\-/:]*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SERVICE_TYPES: ServiceType[] = ['LoadBalancer', 'NodePort', 'ClusterIP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
/** Kuma's KUMA_STORE_POSTGRES_TLS_MODE values. */
const PG_TLS_MODES = ['disable', 'verifyNone', 'verifyCa', 'verifyFull'];

/**
 * CP settings the installer writes itself, with the flag that sets them;
 * `--set` on them would fight the flag (and the mounts the manifests make).
 */
const OWNED_SETTINGS: [string, string][] = [
  ['mode', '--mode'],
  ['store', '--store'],
  ['general.workDir', '(the data volume)'],
  ['general.tlsCertFile', '--tls-general-secret'],
  ['general.tlsKeyFile', '--tls-general-secret'],
  ['multizone.zone.name', '--zone'],
  ['multizone.zone.globalAddress', '--kds-global-address'],
  ['multizone.zone.kds.authToken', '--zone-token-file'],
  ['multizone.zone.kds.authTokenFile', '--zone-token-file'],
  ['multizone.zone.kds.rootCaFile', '--tls-kds-zone-client-secret'],
  ['multizone.zone.kds.tlsSkipVerify', '--kds-tls-skip-verify'],
];

export function defaultImage(version: string): string {
  return `kuma:${version}`;
}

export function parseControlPlaneFlags(f: ControlPlaneFlags, version: string): Parsed<ControlPlaneOptions> {
  const bad: Violation[] = [];
  const warnings: string[] = [];
  const no = (field: string, message: string) => bad.push({ field, message });

  let mode: 'global' | 'zone' = 'zone';
  const rawMode = f.mode ?? 'zone';
  if (rawMode === 'global' || rawMode === 'zone') mode = rawMode;
  else if (rawMode === 'standalone') mode = 'zone';
  else no('--mode', `"${rawMode}" is not supported; use global or zone`);

  if (mode === 'zone') {
    if (!f.zone) no('--zone', 'a zone control plane needs its zone name: add --zone NAME');
    else if (f.zone.length > 63 || !DNS_LABEL.test(f.zone)) no('--zone', `"${f.zone}" is not a lowercase DNS label of at most 63 characters (a-z, 0-9, -)`);
  } else {
    if (f.zone) no('--zone', 'only a zone control plane has a zone name; drop --zone or use --mode=zone');
    if (f.kdsGlobalAddress) no('--kds-global-address', 'a global control plane does not connect to another global; drop it or use --mode=zone');
    if (f.ingressEnabled) no('--ingress-enabled', 'a zone ingress runs in a zone, not beside a global control plane; drop it or use --mode=zone');
    if (f.egressEnabled) no('--egress-enabled', 'a zone egress runs in a zone, not beside a global control plane; drop it or use --mode=zone');
    if (f.zoneToken !== undefined) no('--zone-token-file', 'a zone token is for a zone control plane; a global signs them (kuma generate zone-token)');
    if (f.tlsKdsZoneClientSecret) no('--tls-kds-zone-client-secret', 'is for a federated zone (the CA that verifies the global)');
    if (f.kdsTlsSkipVerify) no('--kds-tls-skip-verify', 'is for a federated zone');
  }

  let kdsGlobalAddress: string | undefined;
  if (f.kdsGlobalAddress && mode === 'zone') {
    const m = /^(grpcs?):\/\/([^/:\s]+):(\d{1,5})$/.exec(f.kdsGlobalAddress);
    if (!m) no('--kds-global-address', `"${f.kdsGlobalAddress}" must be a URL with scheme grpcs:// or grpc:// and a port, e.g. grpcs://192.168.0.1:5685`);
    else if (Number(m[3]) < 1 || Number(m[3]) > 65535) no('--kds-global-address', `port ${m[3]} is not in [1, 65535]`);
    else {
      kdsGlobalAddress = f.kdsGlobalAddress;
      if (m[1] === 'grpcs' && !f.tlsKdsZoneClientSecret && !f.kdsTlsSkipVerify) {
        no('--kds-global-address', "grpcs needs the CA that signed the global's KDS certificate: add --tls-kds-zone-client-secret SECRET (a Secret with ca.crt in the namespace) or, to skip verification, --kds-tls-skip-verify");
      }
    }
  }
  if (mode === 'zone' && !f.kdsGlobalAddress) {
    if (f.tlsKdsZoneClientSecret) no('--tls-kds-zone-client-secret', 'needs --kds-global-address (a zone without it is not federated)');
    if (f.kdsTlsSkipVerify) no('--kds-tls-skip-verify', 'needs --kds-global-address');
  }
  if (f.tlsKdsZoneClientSecret && f.kdsTlsSkipVerify) no('--kds-tls-skip-verify', 'conflicts with --tls-kds-zone-client-secret: verify with the CA or skip, not both');

  const namespace = f.namespace ?? DEFAULT_NAMESPACE;
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) no('--namespace', `"${namespace}" is not a lowercase DNS label of at most 63 characters`);

  const image = f.controlPlaneImage ?? defaultImage(version);
  if (!IMAGE.test(image)) no('--control-plane-image', `"${image}" is not an image reference such as registry.example/kuma:${version}`);
  const pull = f.imagePullPolicy ?? 'IfNotPresent';
  if (!(PULL_POLICIES as readonly string[]).includes(pull)) no('--image-pull-policy', `"${pull}" is not one of ${PULL_POLICIES.join(', ')}`);

  const zoneProxy = (flag: 'ingress' | 'egress', drain: string | undefined, serviceType: string | undefined, fallbackType: ServiceType): ZoneProxyOptions => {
    const drainTime = drain ?? '30s';
    if (!DURATION.test(drainTime)) no(`--${flag}-drain-time`, `"${drainTime}" is not a duration such as 30s`);
    const type = (serviceType ?? fallbackType) as ServiceType;
    if (!SERVICE_TYPES.includes(type)) no(`--${flag}-service-type`, `"${type}" is not one of ${SERVICE_TYPES.join(', ')}`);
    return { drainTime, serviceType: type };
  };
  let ingress: ZoneProxyOptions | undefined;
  let egress: ZoneProxyOptions | undefined;
  if (f.ingressEnabled && mode === 'zone') {
    ingress = zoneProxy('ingress', f.ingressDrainTime, f.ingressServiceType, 'LoadBalancer');
    if (f.ingressAdvertisedAddress !== undefined) {
      if (!DNS_SUBDOMAIN.test(f.ingressAdvertisedAddress)) no('--ingress-advertised-address', `"${f.ingressAdvertisedAddress}" is not an IP address or DNS name`);
      ingress.advertisedAddress = f.ingressAdvertisedAddress;
    }
  } else {
    for (const [flag, v] of [['--ingress-drain-time', f.ingressDrainTime], ['--ingress-service-type', f.ingressServiceType], ['--ingress-advertised-address', f.ingressAdvertisedAddress]] as const) {
      if (v !== undefined && mode === 'zone') no(flag, 'needs --ingress-enabled');
    }
  }
  if (f.egressEnabled && mode === 'zone') egress = zoneProxy('egress', f.egressDrainTime, f.egressServiceType, 'ClusterIP');
  else {
    for (const [flag, v] of [['--egress-drain-time', f.egressDrainTime], ['--egress-service-type', f.egressServiceType]] as const) {
      if (v !== undefined && mode === 'zone') no(flag, 'needs --egress-enabled');
    }
  }

  const settings = parseSettings(f.set ?? [], no);
  const zoneProxyAuthOff = settings.some((s) => s.path.join('.') === 'dpServer.authn.zoneProxy.type' && s.value === 'none');
  let zoneToken: string | undefined;
  if (f.zoneToken !== undefined && mode === 'zone') {
    zoneToken = f.zoneToken.trim();
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(zoneToken)) no('--zone-token-file', `${f.zoneTokenFile ?? 'the file'} does not hold a token (a JWT from kuma generate zone-token)`);
  }
  if (mode === 'zone' && zoneToken === undefined && !zoneProxyAuthOff) {
    for (const [flag, on, scope] of [['--ingress-enabled', !!f.ingressEnabled, 'ingress'], ['--egress-enabled', !!f.egressEnabled, 'egress']] as const) {
      if (on) no(flag, `the zone ${scope} authenticates with a zone token: add --zone-token-file FILE (kuma generate zone-token --zone ${f.zone ?? 'NAME'} --scope cp --scope ingress --scope egress)`);
    }
  }
  if (kdsGlobalAddress && zoneToken === undefined) {
    warnings.push(`no --zone-token-file: zone ${f.zone} connects to the global without a zone token, which only a global running with --kds-auth=none accepts`);
  }
  if ((ingress || egress) && !f.tlsGeneralSecret) {
    warnings.push("no --tls-general-secret: the zone proxies do not verify the control plane's certificate (--skip-verify)");
  }

  const storeType = f.store ?? 'leveldb';
  const replicasRaw = f.replicas ?? '1';
  let replicas = 1;
  if (!/^\d+$/.test(replicasRaw) || Number(replicasRaw) < 1 || Number(replicasRaw) > 100) no('--replicas', `"${replicasRaw}" is not a whole number in [1, 100]`);
  else replicas = Number(replicasRaw);
  const pgFlags: [string, string | undefined][] = [
    ['--store-postgres-host', f.storePostgresHost],
    ['--store-postgres-port', f.storePostgresPort],
    ['--store-postgres-user', f.storePostgresUser],
    ['--store-postgres-db-name', f.storePostgresDbName],
    ['--store-postgres-tls-mode', f.storePostgresTlsMode],
    ['--store-postgres-password-secret', f.storePostgresPasswordSecret],
  ];
  let store: StoreOptions = { type: 'leveldb', size: '1Gi' };
  if (storeType === 'leveldb') {
    for (const [flag, v] of pgFlags) if (v !== undefined) no(flag, 'needs --store postgres');
    if (replicas > 1) no('--replicas', `${replicas} replicas need --store postgres: a LevelDB store belongs to one process, so a LevelDB control plane runs as a StatefulSet of 1`);
    const size = f.storeLeveldbSize ?? '1Gi';
    if (!QUANTITY.test(size)) no('--store-leveldb-size', `"${size}" is not a storage size such as 1Gi`);
    if (f.storageClass !== undefined && !DNS_SUBDOMAIN.test(f.storageClass)) no('--storage-class', `"${f.storageClass}" is not a StorageClass name`);
    store = { type: 'leveldb', size, ...(f.storageClass ? { storageClass: f.storageClass } : {}) };
  } else if (storeType === 'postgres') {
    if (f.storeLeveldbSize !== undefined) no('--store-leveldb-size', 'needs --store leveldb');
    if (f.storageClass !== undefined) no('--storage-class', 'needs --store leveldb (a PostgreSQL control plane keeps no volume)');
    if (!f.storePostgresHost) no('--store-postgres-host', 'the PostgreSQL store needs the database host: add --store-postgres-host HOST');
    else if (!DNS_SUBDOMAIN.test(f.storePostgresHost)) no('--store-postgres-host', `"${f.storePostgresHost}" is not an IP address or DNS name`);
    const port = f.storePostgresPort ?? '5432';
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) no('--store-postgres-port', `"${port}" is not a port in [1, 65535]`);
    const tlsMode = f.storePostgresTlsMode ?? 'disable';
    if (!PG_TLS_MODES.includes(tlsMode)) no('--store-postgres-tls-mode', `"${tlsMode}" is not one of ${PG_TLS_MODES.join(', ')}`);
    let passwordSecret = { name: '', key: 'password' };
    if (!f.storePostgresPasswordSecret) no('--store-postgres-password-secret', 'the PostgreSQL password comes from a Secret: add --store-postgres-password-secret NAME[:KEY] (key defaults to password)');
    else {
      const [name, key = 'password', ...rest] = f.storePostgresPasswordSecret.split(':');
      if (rest.length || !name || !DNS_SUBDOMAIN.test(name) || !/^[-._a-zA-Z0-9]+$/.test(key)) no('--store-postgres-password-secret', `"${f.storePostgresPasswordSecret}" is not NAME or NAME:KEY of a Secret`);
      passwordSecret = { name: name ?? '', key };
    }
    const user = f.storePostgresUser ?? 'kuma';
    const dbName = f.storePostgresDbName ?? 'kuma';
    if (!user) no('--store-postgres-user', 'must not be empty');
    if (!dbName) no('--store-postgres-db-name', 'must not be empty');
    store = { type: 'postgres', host: f.storePostgresHost ?? '', port: Number(port), user, dbName, tlsMode, passwordSecret };
  } else {
    no('--store', `"${storeType}" is not supported; use leveldb (a StatefulSet with a PersistentVolumeClaim) or postgres (a Deployment of --replicas N)`);
  }

  for (const [flag, v] of [['--tls-general-secret', f.tlsGeneralSecret], ['--tls-kds-zone-client-secret', f.tlsKdsZoneClientSecret]] as const) {
    if (v !== undefined && !DNS_SUBDOMAIN.test(v)) no(flag, `"${v}" is not a Secret name`);
  }

  const env: { name: string; value: string }[] = [];
  for (const kv of f.envVar ?? []) {
    const i = kv.indexOf('=');
    const name = i < 0 ? kv : kv.slice(0, i);
    if (i < 0 || !ENV_NAME.test(name)) no('--env-var', `"${kv}" is not NAME=VALUE`);
    else env.push({ name, value: kv.slice(i + 1) });
  }

  if (bad.length) throw new BadRequestError('kuma install control-plane: invalid flags', bad);
  return {
    options: {
      mode,
      ...(mode === 'zone' ? { zone: f.zone } : {}),
      ...(kdsGlobalAddress ? { kdsGlobalAddress } : {}),
      namespace,
      image,
      imagePullPolicy: pull as ControlPlaneOptions['imagePullPolicy'],
      ...(ingress ? { ingress } : {}),
      ...(egress ? { egress } : {}),
      globalSyncServiceType: f.useNodePort ? 'NodePort' : 'LoadBalancer',
      ...(zoneToken !== undefined ? { zoneToken } : {}),
      store,
      replicas,
      tls: { ...(f.tlsGeneralSecret ? { generalSecret: f.tlsGeneralSecret } : {}), ...(f.tlsKdsZoneClientSecret ? { kdsZoneClientSecret: f.tlsKdsZoneClientSecret } : {}), kdsSkipVerify: !!f.kdsTlsSkipVerify },
      settings,
      env,
    },
    warnings,
  };
}

/** `--set apiServer.readOnly=true`: a key of the CP configuration tree, typed like its default. */
function parseSettings(items: string[], no: (field: string, message: string) => void): ControlPlaneOptions['settings'] {
  const out: ControlPlaneOptions['settings'] = [];
  const tree = defaultConfig() as unknown as Record<string, unknown>;
  for (const kv of items) {
    const i = kv.indexOf('=');
    if (i <= 0) {
      no('--set', `"${kv}" is not KEY=VALUE (KEY a control-plane setting such as apiServer.readOnly)`);
      continue;
    }
    const key = kv.slice(0, i);
    const raw = kv.slice(i + 1);
    const owned = OWNED_SETTINGS.find(([k]) => key === k || key.startsWith(`${k}.`));
    if (owned) {
      no('--set', `${key} is set by ${owned[1]}; use that instead`);
      continue;
    }
    const path = key.split('.');
    let like: unknown = tree;
    for (const p of path) like = like && typeof like === 'object' && Object.hasOwn(like, p) ? (like as Record<string, unknown>)[p] : undefined;
    if (like === undefined || (like !== null && typeof like === 'object' && !Array.isArray(like))) {
      no('--set', `${key} is not a control-plane setting (the keys of kuma control-plane run --config-file, e.g. apiServer.readOnly)`);
      continue;
    }
    if (typeof like === 'number') {
      if (!/^-?\d+(\.\d+)?$/.test(raw)) no('--set', `${key} takes a number, got "${raw}"`);
      else out.push({ path, value: Number(raw) });
    } else if (typeof like === 'boolean') {
      if (raw !== 'true' && raw !== 'false') no('--set', `${key} takes true or false, got "${raw}"`);
      else out.push({ path, value: raw === 'true' });
    } else if (Array.isArray(like)) {
      out.push({ path, value: raw.split(',').map((s) => s.trim()).filter(Boolean) });
    } else {
      out.push({ path, value: raw });
    }
  }
  return out;
}
