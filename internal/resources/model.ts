/**
 * The resource envelope shared by every layer. A resource is identified by
 * (type, mesh, name); global-scoped types have mesh "". `spec` holds the
 * type's fields in Kuma's camelCase JSON form, whether the type is printed
 * flat (legacy proto types) or nested under `spec:` (targetRef policies).
 */

export type Spec = Record<string, unknown>;

export interface ResourceKey {
  type: string;
  /** "" for global-scoped types. */
  mesh: string;
  name: string;
}

export interface Resource extends ResourceKey {
  /** Starts at 1 on create, +1 on every update; a write naming an older version is a conflict. */
  version: number;
  /** RFC3339 UTC with milliseconds. */
  creationTime: string;
  modificationTime: string;
  labels: Record<string, string>;
  spec: Spec;
}

/** What a writer hands the store: the store assigns version and times. */
export interface ResourceInput extends ResourceKey {
  labels?: Record<string, string>;
  spec: Spec;
}

export function keyOf(r: ResourceKey): ResourceKey {
  return { type: r.type, mesh: r.mesh, name: r.name };
}

export function keyString(k: ResourceKey): string {
  return `type=${JSON.stringify(k.type)} name=${JSON.stringify(k.name)} mesh=${JSON.stringify(k.mesh)}`;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Well-known labels and tags (Kuma api/mesh/v1alpha1/dataplane_helpers.go). */
export const LABEL = {
  mesh: 'kuma.io/mesh',
  origin: 'kuma.io/origin',
  zone: 'kuma.io/zone',
  env: 'kuma.io/env',
  displayName: 'kuma.io/display-name',
  proxyType: 'kuma.io/proxy-type',
  workload: 'kuma.io/workload',
  policyRole: 'kuma.io/policy-role',
} as const;

export const TAG = {
  service: 'kuma.io/service',
  protocol: 'kuma.io/protocol',
  zone: 'kuma.io/zone',
} as const;
