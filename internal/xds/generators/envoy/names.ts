/**
 * Envoy resource names for a sidecar (spec kuma-kds-xds.md §3.2; Kuma
 * pkg/xds/envoy/names/resource_names.go, pkg/xds/envoy/tags/match.go).
 */
import { createHash } from 'node:crypto';
import { TAG } from '../../../resources/model';
import type { Tags } from '../../context/dataplane-view';

export function inboundListenerName(address: string, port: number): string {
  return `inbound:${address}:${port}`;
}

export function localClusterName(servicePort: number): string {
  return `localhost:${servicePort}`;
}

export function inboundRouteName(service: string): string {
  return `inbound:${service}`;
}

export function outboundListenerName(address: string, port: number): string {
  return `outbound:${address}:${port}`;
}

export function outboundRouteName(service: string): string {
  return `outbound:${service}`;
}

export const ADMIN_NAME = 'kuma:envoy:admin';

export function identitySecretName(mesh: string): string {
  return `identity_cert:secret:${mesh}`;
}

export function meshCaSecretName(mesh: string): string {
  return `mesh_ca:secret:${mesh}`;
}

/** Stat names: ':' and '.' (and other non-stat characters) become '_' (Kuma SanitizeMetric). */
export function statName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_\-]/g, '_');
}

function sortedKeys(tags: Tags): string[] {
  return Object.keys(tags).sort();
}

/**
 * The cluster of a destination tag set: the service name when the tags name only the service,
 * else `<service>-<16 hex>` of sha256 over the sorted key/value pairs (Kuma DestinationClusterName).
 */
export function destinationClusterName(tags: Tags): string {
  const service = tags[TAG.service] ?? '';
  const keys = sortedKeys(tags);
  if (keys.length === 1 && keys[0] === TAG.service) return service;
  const h = createHash('sha256');
  for (const k of keys) {
    h.update(k);
    h.update(tags[k]!);
  }
  return `${service}-${h.digest('hex').slice(0, 16)}`;
}

/** `service{k1=v1,...,mesh=<mesh>}`: the destination tags minus the service, plus the mesh, sorted (Kuma SNIFromTags). */
export function sniFromTags(tags: Tags, mesh: string): string {
  const extra: Record<string, string> = { mesh };
  for (const k in tags) if (k !== TAG.service) extra[k] = tags[k]!;
  const parts = sortedKeys(extra).map((k) => `${k}=${extra[k]}`);
  return `${tags[TAG.service] ?? ''}{${parts.join(',')}}`;
}

export function spiffeId(mesh: string, service: string): string {
  return `spiffe://${mesh}/${service}`;
}

export function kumaId(tag: string, value: string): string {
  return `kuma://${tag}/${value}`;
}
