/**
 * `kuma install demo`: Kuma's demo application (kuma-counter-demo: a web app
 * counting in Redis) in a namespace labelled for sidecar injection, as
 * `kumactl install demo` prints it. Our control plane does not inject
 * sidecars, so on Kubernetes the demo pods run without proxies; the label is
 * kept so the same manifests work with Kuma's own control plane.
 */
import { BadRequestError, type Violation } from '../errors';
import { meta, type K8sObject } from './k8s';
import { namespace } from './namespace-rbac';

export interface DemoOptions {
  namespace: string;
  zone?: string;
}

export const DEMO_IMAGES = { app: 'kumahq/kuma-demo:latest', redis: 'redis:7.2-alpine' } as const;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function parseDemoFlags(f: { namespace?: string; zone?: string }): DemoOptions {
  const bad: Violation[] = [];
  const ns = f.namespace ?? 'kuma-demo';
  if (ns.length > 63 || !DNS_LABEL.test(ns)) bad.push({ field: '--namespace', message: `"${ns}" is not a lowercase DNS label of at most 63 characters` });
  if (f.zone !== undefined && (f.zone.length > 63 || !DNS_LABEL.test(f.zone))) bad.push({ field: '--zone', message: `"${f.zone}" is not a lowercase DNS label` });
  if (bad.length) throw new BadRequestError('kuma install demo: invalid flags', bad);
  return { namespace: ns, ...(f.zone ? { zone: f.zone } : {}) };
}

export function demoObjects(o: DemoOptions): K8sObject[] {
  const ns = o.namespace;
  const zoneLabel: Record<string, string> = o.zone ? { 'kuma.io/zone': o.zone } : {};
  const app = (name: string, image: string, port: number, protocol: string, env: Record<string, string>, extra: Record<string, unknown> = {}): K8sObject[] => {
    const selector = { app: name };
    const labels = { ...meta(name, ns, name).labels, ...selector, ...zoneLabel };
    return [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta(name, ns, name, selector),
        spec: {
          replicas: 1,
          selector: { matchLabels: selector },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name,
                  image,
                  ports: [{ name: protocol === 'http' ? 'http' : 'tcp', containerPort: port, protocol: 'TCP' }],
                  env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
                  readinessProbe: { tcpSocket: { port }, periodSeconds: 5 },
                  livenessProbe: { tcpSocket: { port }, initialDelaySeconds: 10, periodSeconds: 10 },
                  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                  ...extra,
                },
              ],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { ...meta(name, ns, name), annotations: { [`${port}.service.kuma.io/protocol`]: protocol } },
        spec: { selector, ports: [{ name: protocol === 'http' ? 'http' : 'tcp', port, targetPort: port, protocol: 'TCP', appProtocol: protocol }] },
      },
    ];
  };
  return [
    namespace(ns, 'kuma-demo', { 'kuma.io/sidecar-injection': 'enabled' }),
    ...app('redis', DEMO_IMAGES.redis, 6379, 'tcp', {}),
    ...app('demo-app', DEMO_IMAGES.app, 5000, 'http', { REDIS_HOST: `redis.${ns}.svc.cluster.local`, REDIS_PORT: '6379', APP_VERSION: '1.0', APP_COLOR: '#efefef' }),
  ];
}
