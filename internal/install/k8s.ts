/**
 * The little Kubernetes vocabulary the install generators share: a plain
 * object type (what `kubectl apply` reads), metadata with the labels every
 * object of one install carries, and the order objects are printed in.
 */

/** A Kubernetes object as plain data; the generators build these and nothing else. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Labels on every object of one install, so `kubectl delete -l app.kubernetes.io/part-of=kuma` finds them all. */
export function commonLabels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/part-of': 'kuma', 'app.kubernetes.io/managed-by': 'kuma-install' };
}

export function meta(name: string, namespace: string | undefined, component: string, extra: Record<string, string> = {}): K8sObject['metadata'] {
  return { name, ...(namespace ? { namespace } : {}), labels: { ...commonLabels(component), ...extra } };
}

/**
 * Helm's install order (Namespace first, workloads after what they mount), so
 * `kubectl apply -f -` never creates an object before the namespace it lives in.
 */
const KIND_ORDER = [
  'Namespace',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
  'Deployment',
  'StatefulSet',
];

/** Objects in install order; within a kind by namespace then name, so output never depends on generator order. */
export function sortObjects(objects: K8sObject[]): K8sObject[] {
  const rank = (k: string) => {
    const i = KIND_ORDER.indexOf(k);
    if (i < 0) throw new Error(`install: kind ${k} has no place in KIND_ORDER`);
    return i;
  };
  return [...objects].sort(
    (a, b) =>
      rank(a.kind) - rank(b.kind) ||
      (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
}

/** The restricted Pod Security Standard: non-root, no privilege escalation, no capabilities, read-only root. */
export function restrictedContainerSecurity(): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The uid/gid the image runs as (packaging/Dockerfile); fsGroup makes the data volume writable for it. */
export const KUMA_UID = 5678;

export function podSecurity(): Record<string, unknown> {
  return { runAsNonRoot: true, runAsUser: KUMA_UID, runAsGroup: KUMA_UID, fsGroup: KUMA_UID, seccompProfile: { type: 'RuntimeDefault' } };
}
