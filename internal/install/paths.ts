/** Where the manifests mount things inside the pods; the CP config and the zone proxies' args point here. */
export const CONFIG_DIR = '/etc/kuma.io/kuma-control-plane';
export const CONFIG_FILE = `${CONFIG_DIR}/config.yaml`;
/** The CP's work dir: the LevelDB store and generated certificates (the PVC on LevelDB, an emptyDir on PostgreSQL). */
export const DATA_DIR = '/var/lib/kuma';
export const ZONE_TOKEN_DIR = '/var/run/secrets/kuma.io/zone-token';
export const TLS_GENERAL_DIR = '/var/run/secrets/kuma.io/tls-cert';
export const KDS_CLIENT_CA_DIR = '/var/run/secrets/kuma.io/kds-client-tls';
export const ZONE_PROXY_DIR = '/etc/kuma.io/zone-proxy';

export const CP_NAME = 'kuma-control-plane';
export const CP_CONFIG_MAP = 'kuma-control-plane-config';
export const ZONE_TOKEN_SECRET = 'kuma-zone-token';
export const GLOBAL_SYNC_SERVICE = 'kuma-global-zone-sync';

/** The CP's ports, as Kuma's (internal/config/cp-config.ts defaults). */
export const PORTS = { diagnostics: 5680, httpApi: 5681, httpsApi: 5682, dpServer: 5678, kds: 5685 } as const;
