/**
 * The ConfigMap holding the control plane's config.yaml (keys of
 * internal/config/cp-config.ts, read with --config-file), and the
 * environment the StatefulSet/Deployment adds for what a file cannot say
 * (the PostgreSQL password from a Secret).
 */
import { stringify } from 'yaml';
import type { ControlPlaneOptions } from './control-plane-options';
import { meta, type K8sObject } from './k8s';
import { CP_CONFIG_MAP, DATA_DIR, KDS_CLIENT_CA_DIR, TLS_GENERAL_DIR, ZONE_TOKEN_DIR } from './paths';

type Tree = { [k: string]: unknown };

function put(tree: Tree, path: string[], value: unknown): void {
  let t = tree;
  for (const p of path.slice(0, -1)) t = (t[p] ??= {}) as Tree;
  t[path[path.length - 1]!] = value;
}

/** The config tree the CP reads; only keys that differ from the defaults, plus --set. */
export function cpConfigTree(o: ControlPlaneOptions): Tree {
  const tree: Tree = {};
  put(tree, ['mode'], o.mode);
  put(tree, ['general', 'workDir'], DATA_DIR);
  if (o.tls.generalSecret) {
    put(tree, ['general', 'tlsCertFile'], `${TLS_GENERAL_DIR}/tls.crt`);
    put(tree, ['general', 'tlsKeyFile'], `${TLS_GENERAL_DIR}/tls.key`);
  }
  // The postgres store is configured through KUMA_STORE_* env (storeEnv), as Kuma's Helm chart does.
  if (o.store.type === 'leveldb') put(tree, ['store'], { type: 'leveldb', leveldb: { path: `${DATA_DIR}/store` } });
  // kubectl port-forward connects from the pod's loopback: without this every port-forward user would be admin.
  put(tree, ['apiServer', 'authn', 'localhostIsAdmin'], false);
  if (o.mode === 'zone') {
    put(tree, ['multizone', 'zone', 'name'], o.zone);
    if (o.kdsGlobalAddress) {
      put(tree, ['multizone', 'zone', 'globalAddress'], o.kdsGlobalAddress);
      if (o.zoneToken !== undefined) put(tree, ['multizone', 'zone', 'kds', 'authTokenFile'], `${ZONE_TOKEN_DIR}/token`);
      if (o.tls.kdsZoneClientSecret) put(tree, ['multizone', 'zone', 'kds', 'rootCaFile'], `${KDS_CLIENT_CA_DIR}/ca.crt`);
      if (o.tls.kdsSkipVerify) put(tree, ['multizone', 'zone', 'kds', 'tlsSkipVerify'], true);
    }
  }
  for (const s of o.settings) put(tree, s.path, s.value);
  return tree;
}

export function cpConfigMap(o: ControlPlaneOptions): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(CP_CONFIG_MAP, o.namespace, 'kuma-control-plane'),
    data: { 'config.yaml': stringify(cpConfigTree(o), { lineWidth: 0 }) },
  };
}

/** Env of the CP container: process settings, the store when it is PostgreSQL, then --env-var (last wins). */
export function cpEnv(o: ControlPlaneOptions): Record<string, unknown>[] {
  const env: Record<string, unknown>[] = [
    { name: 'HOME', value: DATA_DIR },
    // The LevelDB addon is unpacked from the binary at start; the root filesystem is read-only.
    { name: 'KUMA_NATIVE_CACHE', value: '/tmp/kuma-native' },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  ];
  if (o.store.type === 'postgres') {
    const s = o.store;
    env.push(
      { name: 'KUMA_STORE_TYPE', value: 'postgres' },
      { name: 'KUMA_STORE_POSTGRES_HOST', value: s.host },
      { name: 'KUMA_STORE_POSTGRES_PORT', value: String(s.port) },
      { name: 'KUMA_STORE_POSTGRES_USER', value: s.user },
      { name: 'KUMA_STORE_POSTGRES_DB_NAME', value: s.dbName },
      { name: 'KUMA_STORE_POSTGRES_TLS_MODE', value: s.tlsMode },
      { name: 'KUMA_STORE_POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: s.passwordSecret.name, key: s.passwordSecret.key } } },
    );
  }
  for (const e of o.env) env.push({ name: e.name, value: e.value });
  return env;
}
