/**
 * Namespace, ServiceAccount and RBAC of the control plane. Our CP does not
 * call the Kubernetes API (its store is LevelDB or PostgreSQL, not CRDs), so
 * the service account token is not mounted and the Role grants only reading
 * the CP's own ConfigMap and Secrets by name: least privilege today, and the
 * place to widen if a Kubernetes integration ever needs more.
 */
import type { ControlPlaneOptions } from './control-plane-options';
import { meta, type K8sObject } from './k8s';
import { CP_CONFIG_MAP, CP_NAME, ZONE_TOKEN_SECRET } from './paths';

export function namespace(name: string, component: string, labels: Record<string, string> = {}): K8sObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(name, undefined, component, labels) };
}

export function serviceAccount(name: string, ns: string, component: string): K8sObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, ns, component), automountServiceAccountToken: false };
}

export function controlPlaneRbac(o: ControlPlaneOptions): K8sObject[] {
  const secrets = [o.zoneToken !== undefined ? ZONE_TOKEN_SECRET : '', o.tls.generalSecret ?? '', o.tls.kdsZoneClientSecret ?? '', o.store.type === 'postgres' ? o.store.passwordSecret.name : ''].filter(Boolean);
  const rules: Record<string, unknown>[] = [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [CP_CONFIG_MAP], verbs: ['get'] }];
  if (secrets.length) rules.push({ apiGroups: [''], resources: ['secrets'], resourceNames: [...new Set(secrets)].sort(), verbs: ['get'] });
  return [
    serviceAccount(CP_NAME, o.namespace, CP_NAME),
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(CP_NAME, o.namespace, CP_NAME), rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(CP_NAME, o.namespace, CP_NAME),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: CP_NAME },
      subjects: [{ kind: 'ServiceAccount', name: CP_NAME, namespace: o.namespace }],
    },
  ];
}

/** The zone token (--zone-token-file) the CP sends to the global and the zone proxies to the CP. */
export function zoneTokenSecret(o: ControlPlaneOptions): K8sObject | undefined {
  if (o.zoneToken === undefined) return undefined;
  return { apiVersion: 'v1', kind: 'Secret', metadata: meta(ZONE_TOKEN_SECRET, o.namespace, CP_NAME), type: 'Opaque', stringData: { token: o.zoneToken } };
}
