/**
 * Zone ingress and zone egress (--ingress-enabled, --egress-enabled): each a
 * ServiceAccount, a ConfigMap with its ZoneIngress/ZoneEgress template, a
 * Deployment running `kuma ingress|egress run` (Envoy is in the image) and a
 * Service. The template is filled per pod with --dataplane-var (pod name and
 * IP from the downward API), so replicas register as distinct proxies.
 */
import type { ControlPlaneOptions, ZoneProxyOptions } from './control-plane-options';
import { meta, podSecurity, restrictedContainerSecurity, type K8sObject } from './k8s';
import { CP_NAME, PORTS, TLS_GENERAL_DIR, ZONE_PROXY_DIR, ZONE_TOKEN_DIR, ZONE_TOKEN_SECRET } from './paths';
import { serviceAccount } from './namespace-rbac';

/** Kuma's default ports of the zone proxies' listeners. */
export const ZONE_PROXY_PORTS = { ingress: 10001, egress: 10002 } as const;
/** kuma-dp's readiness reporter (127.0.0.1 only, so the probe runs inside the pod: `kuma dp readiness-check`). */
const READINESS_PORT = 9902;

export function zoneProxies(o: ControlPlaneOptions): K8sObject[] {
  return [...(o.ingress ? zoneProxy(o, 'ingress', o.ingress) : []), ...(o.egress ? zoneProxy(o, 'egress', o.egress) : [])];
}

function zoneProxy(o: ControlPlaneOptions, kind: 'ingress' | 'egress', p: ZoneProxyOptions): K8sObject[] {
  const name = `kuma-${kind}`;
  const selector = { app: name };
  const labels = { ...meta(name, o.namespace, name).labels, ...selector };
  const port = ZONE_PROXY_PORTS[kind];
  const type = kind === 'ingress' ? 'ZoneIngress' : 'ZoneEgress';
  const file = kind === 'ingress' ? 'zone-ingress.yaml' : 'zone-egress.yaml';
  const networking =
    kind === 'ingress'
      ? `  address: "{{ address }}"\n  port: ${port}\n  advertisedAddress: "${p.advertisedAddress ?? '{{ address }}'}"\n  advertisedPort: ${port}\n`
      : `  address: "{{ address }}"\n  port: ${port}\n`;
  const template = `type: ${type}\nname: "{{ name }}"\nnetworking:\n${networking}`;
  const withToken = o.zoneToken !== undefined;
  const args = [
    kind,
    'run',
    '--cp-address',
    `https://${CP_NAME}.${o.namespace}.svc:${PORTS.dpServer}`,
    '--dataplane-file',
    `${ZONE_PROXY_DIR}/${file}`,
    '--dataplane-var',
    'name=$(POD_NAME)',
    '--dataplane-var',
    'address=$(POD_IP)',
    ...(withToken ? ['--dataplane-token-file', `${ZONE_TOKEN_DIR}/token`] : []),
    ...(o.tls.generalSecret ? ['--ca-cert-file', `${TLS_GENERAL_DIR}/ca.crt`] : ['--skip-verify']),
    '--drain-time',
    p.drainTime,
    '--readiness-port',
    String(READINESS_PORT),
    '--work-dir',
    '/tmp/kuma-dp',
  ];
  const mounts: Record<string, unknown>[] = [
    { name: 'template', mountPath: ZONE_PROXY_DIR, readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const volumes: Record<string, unknown>[] = [
    { name: 'template', configMap: { name } },
    { name: 'tmp', emptyDir: {} },
  ];
  if (withToken) {
    mounts.push({ name: 'zone-token', mountPath: ZONE_TOKEN_DIR, readOnly: true });
    volumes.push({ name: 'zone-token', secret: { secretName: ZONE_TOKEN_SECRET } });
  }
  if (o.tls.generalSecret) {
    mounts.push({ name: 'general-tls', mountPath: TLS_GENERAL_DIR, readOnly: true });
    volumes.push({ name: 'general-tls', secret: { secretName: o.tls.generalSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
  }
  const drainSeconds = durationSeconds(p.drainTime);
  const probe = { exec: { command: ['kuma', 'dp', 'readiness-check', '--readiness-port', String(READINESS_PORT)] }, periodSeconds: 5, timeoutSeconds: 3 };
  const deployment: K8sObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name, o.namespace, name, selector),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          securityContext: podSecurity(),
          // Envoy drains for --drain-time on SIGTERM; give it that plus a margin before SIGKILL.
          terminationGracePeriodSeconds: drainSeconds + 10,
          containers: [
            {
              name: kind,
              image: o.image,
              imagePullPolicy: o.imagePullPolicy,
              args,
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'HOME', value: '/tmp' },
              ],
              ports: [{ name: kind, containerPort: port, protocol: 'TCP' }],
              readinessProbe: { ...probe, initialDelaySeconds: 1, failureThreshold: 3 },
              livenessProbe: { ...probe, initialDelaySeconds: 60, failureThreshold: 12 },
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '512Mi' } },
              securityContext: restrictedContainerSecurity(),
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
  return [
    serviceAccount(name, o.namespace, name),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name, o.namespace, name), data: { [file]: template } },
    deployment,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name, o.namespace, name),
      spec: { type: p.serviceType, selector, ports: [{ name: kind, port, targetPort: port, protocol: 'TCP' }] },
    },
  ];
}

function durationSeconds(d: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d)!;
  const n = Number(m[1]);
  return Math.ceil(m[2] === 'ms' ? n / 1000 : m[2] === 's' ? n : m[2] === 'm' ? n * 60 : n * 3600);
}
