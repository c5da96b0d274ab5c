/**
 * What `kuma export` dumps and in which order (Kuma app/kumactl/cmd/export):
 * the types come from the server's `/_resources` filtered by profile, Mesh
 * first, then Secrets, the rest, GlobalSecrets last and user token signing
 * keys at the very end (once applied, the old kumactl token stops working).
 * Pure: the command fetches, these functions decide.
 */
import type { Registry, ResourceDescriptor } from '../resources/registry';

export const EXPORT_PROFILES = ['federation', 'federation-with-policies', 'all', 'no-dataplanes'] as const;
export type ExportProfile = (typeof EXPORT_PROFILES)[number];
export const EXPORT_FORMATS = ['universal', 'kubernetes'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One entry of `GET /_resources`. */
export interface ServerType {
  name: string;
  includeInFederation?: boolean;
  policy?: { isTargetRef?: boolean };
}

const isMigration = (p: ExportProfile) => p === 'federation' || p === 'federation-with-policies';

/** GlobalSecrets that must not move: the new CP's own TLS would break. */
const NEVER_EXPORTED = new Set(['envoy-admin-ca', 'inter-cp-ca']);
const USER_TOKEN_SIGNING_KEY = 'user-token-signing-key';
const ORDER: Record<string, number> = { Mesh: 0, Secret: 1, GlobalSecret: 99 };

/** The types to dump, in apply order, and the server's types this binary does not know. */
export function exportTypes(serverTypes: ServerType[], registry: Registry, profile: ExportProfile, includeAdmin: boolean): { types: ResourceDescriptor[]; unknown: string[] } {
  const types: ResourceDescriptor[] = [];
  const unknown: string[] = [];
  for (const t of serverTypes) {
    const d = registry.byName(t.name);
    if (!d) {
      unknown.push(t.name);
      continue;
    }
    if (d.adminOnly && !isMigration(profile) && !includeAdmin) continue;
    if (profile === 'federation' && (!t.includeInFederation || t.policy?.isTargetRef)) continue;
    if (profile === 'federation-with-policies' && !t.includeInFederation) continue;
    if (profile === 'no-dataplanes' && (d.name === 'Dataplane' || d.name === 'DataplaneInsight')) continue;
    types.push(d);
  }
  const rank = (d: ResourceDescriptor) => ORDER[d.name] ?? 50;
  return { types: types.map((d, i) => ({ d, i })).sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i).map((x) => x.d), unknown };
}

type Item = Record<string, unknown> & { type: string; name: string; labels?: Record<string, string> };

/**
 * The REST items of the dumped types, made appliable elsewhere: a Mesh skips
 * its default policies (they are in the dump), the migration profiles drop
 * `kuma.io/origin` (the target global is their new origin), the CA secrets
 * of the CP itself stay, user token signing keys go last.
 */
export function exportItems(items: Item[], profile: ExportProfile): Item[] {
  const first: Item[] = [];
  const last: Item[] = [];
  for (const item of items) {
    if (item.type === 'GlobalSecret' && NEVER_EXPORTED.has(item.name)) continue;
    let out: Item = { ...item };
    delete out.creationTime;
    delete out.modificationTime;
    delete out.kri;
    if (item.type === 'Mesh') out = { ...out, skipCreatingInitialPolicies: ['*'] };
    if (isMigration(profile) && out.labels) {
      const { 'kuma.io/origin': _o, ...labels } = out.labels;
      out.labels = labels;
      if (Object.keys(labels).length === 0) delete out.labels;
    }
    (item.type === 'GlobalSecret' && item.name.startsWith(USER_TOKEN_SIGNING_KEY) ? last : first).push(out);
  }
  return [...first, ...last];
}

/** A universal item as the Kubernetes object Kuma's CRDs (or a v1 Secret) hold, in namespace `ns`. */
export function toKubernetes(item: Item, d: ResourceDescriptor, ns: string): Record<string, unknown> {
  const { type: _t, name, mesh, labels, spec, status: _s, ...flat } = item as Item & { mesh?: string; spec?: unknown; status?: unknown };
  const meta: Record<string, unknown> = { name };
  if (d.name === 'Secret' || d.name === 'GlobalSecret') {
    meta.namespace = ns;
    meta.labels = { ...(labels ?? {}), ...(d.name === 'Secret' ? { 'kuma.io/mesh': String(mesh) } : {}) };
    return { apiVersion: 'v1', kind: 'Secret', type: d.name === 'Secret' ? 'system.kuma.io/secret' : 'system.kuma.io/global-secret', metadata: meta, data: { value: (flat as { data?: unknown }).data ?? '' } };
  }
  if (labels && Object.keys(labels).length) meta.labels = labels;
  const obj: Record<string, unknown> = { apiVersion: 'kuma.io/v1alpha1', kind: d.name };
  if (d.nestedSpec) {
    if (d.scope === 'Mesh') {
      meta.namespace = ns;
      meta.labels = { ...(labels ?? {}), 'kuma.io/mesh': String(mesh) };
    }
    return { ...obj, metadata: meta, spec: spec ?? {} };
  }
  return { ...obj, ...(d.scope === 'Mesh' ? { mesh } : {}), metadata: meta, spec: flat };
}
