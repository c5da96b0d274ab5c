/**
 * What crosses KDS, as pure rules over one resource (kuma-kds-xds.md §1.6-§1.7).
 * The type lists come from the registry's KDS flags.
 */
import { LABEL, type Resource } from '../resources/model';
import type { Registry, ResourceDescriptor } from '../resources/registry';

/** GlobalSecrets that never leave the global (admin material). */
// zone-token-revocations does cross: zone proxies' tokens are verified by their zone CP, which must see the revoked ids.
const GLOBAL_ONLY_SECRETS = new Set(['envoy-admin-ca', 'admin-user-token', 'inter-cp-ca', 'user-token-revocations']);
const GLOBAL_ONLY_SECRET_PREFIXES = ['user-token-signing-key', 'zone-token-signing-key'];

export function typesGlobalToZone(registry: Registry): ResourceDescriptor[] {
  return registry.all().filter((d) => d.kds.globalToZone || d.kds.zoneToOtherZones);
}

export function typesZoneToGlobal(registry: Registry): ResourceDescriptor[] {
  return registry.all().filter((d) => d.kds.zoneToGlobal);
}

function syncDisabled(r: Resource): boolean {
  return r.labels['kuma.io/kds-sync'] === 'disabled';
}

export interface ZoneLookup {
  /** false only for a Zone whose spec.enabled is false; unknown zones count as enabled. */
  isEnabled(zone: string): boolean;
}

/** Whether the global sends `r` to zone `zone`. */
export function sendToZone(d: ResourceDescriptor, r: Resource, zone: string, zones: ZoneLookup): boolean {
  return whyNotToZone(d, r, zone, zones) === undefined;
}

/** Why the global does not send `r` to zone `zone` (the propagation view shows it); undefined: it does. */
export function whyNotToZone(d: ResourceDescriptor, r: Resource, zone: string, zones: ZoneLookup): string | undefined {
  if (syncDisabled(r)) return 'labelled kuma.io/kds-sync: disabled';
  if (d.name === 'GlobalSecret' && (GLOBAL_ONLY_SECRETS.has(r.name) || GLOBAL_ONLY_SECRET_PREFIXES.some((p) => r.name.startsWith(p)))) return 'a global-only secret';
  const origin = r.labels[LABEL.origin];
  if ((origin === undefined || origin === 'global') && d.kds.globalToZone) return undefined;
  if (origin === 'zone' && d.kds.zoneToOtherZones && (!d.nestedSpec || d.kds.relayEveryZoneCopy)) {
    const from = r.labels[LABEL.zone];
    if (!from) return 'a zone resource without kuma.io/zone';
    if (from === zone) return 'it comes from this zone';
    return zones.isEnabled(from) ? undefined : `its zone "${from}" is disabled`;
  }
  if (origin === 'zone') return `kuma.io/origin: zone (${d.name} of a zone is not sent to other zones)`;
  return d.kds.globalToZone || d.kds.zoneToOtherZones ? `kuma.io/origin: ${origin}` : `${d.name} does not cross from the global to zones`;
}

/** Whether a zone sends its local `r` to the global: only what it originated. */
export function sendToGlobal(d: ResourceDescriptor, r: Resource): boolean {
  if (!d.kds.zoneToGlobal || syncDisabled(r)) return false;
  const origin = r.labels[LABEL.origin];
  return origin === undefined || origin === 'zone';
}
