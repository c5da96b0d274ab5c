/**
 * The control plane's pods. LevelDB: a StatefulSet of one with a
 * PersistentVolumeClaim (the store is one process's files). PostgreSQL: a
 * Deployment of --replicas pods sharing the database. Probes on the
 * diagnostics port (:5680 /ready and /healthy), non-root, read-only root.
 */
import { cpEnv } from './control-plane-config';
import type { ControlPlaneOptions } from './control-plane-options';
import { meta, podSecurity, restrictedContainerSecurity, type K8sObject } from './k8s';
import { CONFIG_DIR, CONFIG_FILE, CP_CONFIG_MAP, CP_NAME, DATA_DIR, KDS_CLIENT_CA_DIR, PORTS, TLS_GENERAL_DIR, ZONE_TOKEN_DIR, ZONE_TOKEN_SECRET } from './paths';

export const CP_SELECTOR = { app: CP_NAME };
const DATA_VOLUME = 'data';

export function controlPlaneWorkload(o: ControlPlaneOptions): K8sObject {
  const labels = { ...meta(CP_NAME, o.namespace, CP_NAME).labels, ...CP_SELECTOR };
  const template = { metadata: { labels }, spec: podSpec(o) };
  if (o.store.type === 'leveldb') {
    const pvc = {
      metadata: { name: DATA_VOLUME, labels },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: o.store.size } },
        ...(o.store.storageClass ? { storageClassName: o.store.storageClass } : {}),
      },
    };
    return {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(CP_NAME, o.namespace, CP_NAME, CP_SELECTOR),
      spec: {
        replicas: 1,
        serviceName: CP_NAME,
        // One pod owns the LevelDB directory: the old one must be gone before the new one starts.
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: CP_SELECTOR },
        template,
        volumeClaimTemplates: [pvc],
      },
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(CP_NAME, o.namespace, CP_NAME, CP_SELECTOR),
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: CP_SELECTOR },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template,
    },
  };
}

function podSpec(o: ControlPlaneOptions): Record<string, unknown> {
  const mounts: Record<string, unknown>[] = [
    { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
    { name: DATA_VOLUME, mountPath: DATA_DIR },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const volumes: Record<string, unknown>[] = [
    { name: 'config', configMap: { name: CP_CONFIG_MAP } },
    { name: 'tmp', emptyDir: {} },
  ];
  // PostgreSQL keeps the state; the work dir then holds only generated certificates.
  if (o.store.type === 'postgres') volumes.push({ name: DATA_VOLUME, emptyDir: {} });
  const secret = (name: string, volume: string, dir: string) => {
    mounts.push({ name: volume, mountPath: dir, readOnly: true });
    volumes.push({ name: volume, secret: { secretName: name } });
  };
  if (o.zoneToken !== undefined && o.kdsGlobalAddress) secret(ZONE_TOKEN_SECRET, 'zone-token', ZONE_TOKEN_DIR);
  if (o.tls.generalSecret) secret(o.tls.generalSecret, 'general-tls', TLS_GENERAL_DIR);
  if (o.tls.kdsZoneClientSecret) secret(o.tls.kdsZoneClientSecret, 'kds-client-tls', KDS_CLIENT_CA_DIR);

  const ports = [
    { name: 'diagnostics', containerPort: PORTS.diagnostics, protocol: 'TCP' },
    { name: 'http-api', containerPort: PORTS.httpApi, protocol: 'TCP' },
    { name: 'https-api', containerPort: PORTS.httpsApi, protocol: 'TCP' },
    o.mode === 'global' ? { name: 'kds', containerPort: PORTS.kds, protocol: 'TCP' } : { name: 'dp-server', containerPort: PORTS.dpServer, protocol: 'TCP' },
  ];
  return {
    serviceAccountName: CP_NAME,
    automountServiceAccountToken: false,
    securityContext: podSecurity(),
    // Kuma's drain window: proxies and zones reconnect elsewhere while this pod stops.
    terminationGracePeriodSeconds: 30,
    containers: [
      {
        name: 'control-plane',
        image: o.image,
        imagePullPolicy: o.imagePullPolicy,
        args: ['control-plane', 'run', '--config-file', CONFIG_FILE],
        env: cpEnv(o),
        ports,
        readinessProbe: { httpGet: { path: '/ready', port: PORTS.diagnostics }, initialDelaySeconds: 1, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
        livenessProbe: { httpGet: { path: '/healthy', port: PORTS.diagnostics }, initialDelaySeconds: 60, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6 },
        resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '1Gi' } },
        securityContext: restrictedContainerSecurity(),
        volumeMounts: mounts,
      },
    ],
    volumes,
  };
}
