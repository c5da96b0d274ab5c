/**
 * `kuma install observability`: Prometheus scraping the control plane's
 * /metrics (diagnostics port 5680 of Service kuma-control-plane) and Grafana
 * with our dashboard (packaging/grafana/kuma-cp.json) provisioned, in their
 * own namespace. Prometheus reads a static target, so it needs no RBAC on
 * the Kubernetes API.
 */
import { stringify } from 'yaml';
import dashboard from '../../packaging/grafana/kuma-cp.json';
import { BadRequestError, type Violation } from '../errors';
import { meta, podSecurity, restrictedContainerSecurity, type K8sObject } from './k8s';
import { namespace, serviceAccount } from './namespace-rbac';
import { CP_NAME, PORTS } from './paths';

export const OBSERVABILITY_COMPONENTS = ['prometheus', 'grafana'] as const;
export type ObservabilityComponent = (typeof OBSERVABILITY_COMPONENTS)[number];
export const OBSERVABILITY_IMAGES = { prometheus: 'prom/prometheus:v2.53.1', grafana: 'grafana/grafana:11.1.3' } as const;

export interface ObservabilityOptions {
  namespace: string;
  controlPlaneNamespace: string;
  components: ObservabilityComponent[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function parseObservabilityFlags(f: { namespace?: string; controlPlaneNamespace?: string; components?: string[] }): ObservabilityOptions {
  const bad: Violation[] = [];
  const ns = f.namespace ?? 'mesh-observability';
  const cpNs = f.controlPlaneNamespace ?? 'kuma-system';
  for (const [flag, v] of [['--namespace', ns], ['--control-plane-namespace', cpNs]] as const) {
    if (v.length > 63 || !DNS_LABEL.test(v)) bad.push({ field: flag, message: `"${v}" is not a lowercase DNS label of at most 63 characters` });
  }
  const raw = f.components?.length ? f.components.flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean) : [...OBSERVABILITY_COMPONENTS];
  const unknown = raw.filter((c) => !(OBSERVABILITY_COMPONENTS as readonly string[]).includes(c));
  if (unknown.length) bad.push({ field: '--components', message: `unknown ${unknown.join(', ')}; use ${OBSERVABILITY_COMPONENTS.join(', ')}` });
  if (bad.length) throw new BadRequestError('kuma install observability: invalid flags', bad);
  return { namespace: ns, controlPlaneNamespace: cpNs, components: [...new Set(raw)] as ObservabilityComponent[] };
}

export function observabilityObjects(o: ObservabilityOptions): K8sObject[] {
  const out: K8sObject[] = [namespace(o.namespace, 'kuma-observability')];
  if (o.components.includes('prometheus')) out.push(...prometheus(o));
  if (o.components.includes('grafana')) out.push(...grafana(o));
  return out;
}

interface AppSpec {
  name: string;
  image: string;
  port: number;
  args?: string[];
  env?: Record<string, string>;
  readyPath: string;
  /** Volume name -> [mount path, ConfigMap name or undefined for an emptyDir]. */
  volumes: [string, string, string | undefined][];
}

function app(o: ObservabilityOptions, a: AppSpec, servicePort: number): K8sObject[] {
  const selector = { app: a.name };
  const labels = { ...meta(a.name, o.namespace, a.name).labels, ...selector };
  return [
    serviceAccount(a.name, o.namespace, a.name),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(a.name, o.namespace, a.name, selector),
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: a.name,
            automountServiceAccountToken: false,
            securityContext: { ...podSecurity(), runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 },
            containers: [
              {
                name: a.name,
                image: a.image,
                ...(a.args ? { args: a.args } : {}),
                ...(a.env ? { env: Object.entries(a.env).map(([k, v]) => ({ name: k, value: v })) } : {}),
                ports: [{ name: 'http', containerPort: a.port, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: a.readyPath, port: a.port }, periodSeconds: 5 },
                livenessProbe: { httpGet: { path: a.readyPath, port: a.port }, initialDelaySeconds: 30, periodSeconds: 10 },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } },
                securityContext: restrictedContainerSecurity(),
                volumeMounts: a.volumes.map(([name, mountPath, cm]) => ({ name, mountPath, ...(cm ? { readOnly: true } : {}) })),
              },
            ],
            volumes: a.volumes.map(([name, , cm]) => (cm ? { name, configMap: { name: cm } } : { name, emptyDir: {} })),
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(a.name, o.namespace, a.name),
      spec: { selector, ports: [{ name: 'http', port: servicePort, targetPort: a.port, protocol: 'TCP', appProtocol: 'http' }] },
    },
  ];
}

function prometheus(o: ObservabilityOptions): K8sObject[] {
  const config = {
    global: { scrape_interval: '15s', evaluation_interval: '15s' },
    scrape_configs: [
      {
        job_name: 'kuma-control-plane',
        metrics_path: '/metrics',
        static_configs: [{ targets: [`${CP_NAME}.${o.controlPlaneNamespace}.svc:${PORTS.diagnostics}`] }],
      },
    ],
  };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('prometheus-config', o.namespace, 'prometheus'), data: { 'prometheus.yml': stringify(config) } },
    ...app(
      o,
      {
        name: 'prometheus',
        image: OBSERVABILITY_IMAGES.prometheus,
        port: 9090,
        args: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--storage.tsdb.retention.time=2d'],
        readyPath: '/-/ready',
        volumes: [
          ['config', '/etc/prometheus', 'prometheus-config'],
          ['data', '/prometheus', undefined],
        ],
      },
      80,
    ),
  ];
}

function grafana(o: ObservabilityOptions): K8sObject[] {
  const datasources = {
    apiVersion: 1,
    datasources: [{ name: 'Prometheus', uid: 'prometheus', type: 'prometheus', access: 'proxy', url: `http://prometheus.${o.namespace}.svc:80`, isDefault: true }],
  };
  const providers = { apiVersion: 1, providers: [{ name: 'kuma', folder: 'Kuma', type: 'file', options: { path: '/var/lib/grafana-dashboards' } }] };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('grafana-datasources', o.namespace, 'grafana'), data: { 'datasources.yaml': stringify(datasources) } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('grafana-dashboard-providers', o.namespace, 'grafana'), data: { 'dashboards.yaml': stringify(providers) } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('grafana-dashboards', o.namespace, 'grafana'), data: { 'kuma-cp.json': `${JSON.stringify(dashboard, null, 2)}\n` } },
    ...app(
      o,
      {
        name: 'grafana',
        image: OBSERVABILITY_IMAGES.grafana,
        port: 3000,
        env: {
          GF_PATHS_PROVISIONING: '/etc/grafana/provisioning-kuma',
          GF_PATHS_DATA: '/var/lib/grafana',
          GF_AUTH_ANONYMOUS_ENABLED: 'true',
          GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
        },
        readyPath: '/api/health',
        volumes: [
          ['datasources', '/etc/grafana/provisioning-kuma/datasources', 'grafana-datasources'],
          ['dashboard-providers', '/etc/grafana/provisioning-kuma/dashboards', 'grafana-dashboard-providers'],
          ['dashboards', '/var/lib/grafana-dashboards', 'grafana-dashboards'],
          ['data', '/var/lib/grafana', undefined],
          ['tmp', '/tmp', undefined],
        ],
      },
      80,
    ),
  ];
}
