/**
 * Pieces shared by the MeshService family (MeshService, MeshMultiZoneService, MeshExternalService,
 * HostnameGenerator; spec kuma-kds-xds.md §2.4, §3.8): their KDS flags and the `ports[]` and
 * `matchLabels` checks, with Kuma's field paths (pkg/core/resources/apis/meshservice/validator.go).
 */
import type { KdsFlags } from '../registry';
import type { Violation } from '../../errors';
import type { Spec } from '../model';
import { STRING_MAP, VALUE, message } from '../schema/field-schema';
import { MUST_BE_DEFINED, type Violations, checkEnum, checkPort, checkTags, isUnset, listAt, objectAt } from '../validation';

/** MeshService: written by its zone, copied to the global, from there to every other zone. */
export const KDS_ZONE_SYNCED_EVERYWHERE: KdsFlags = { globalToZone: false, zoneToGlobal: true, zoneToOtherZones: true, relayEveryZoneCopy: true };
/** HostnameGenerator, MeshExternalService: both ways between global and zones, never zone to zone. */
export const KDS_GLOBAL_AND_ZONE: KdsFlags = { globalToZone: true, zoneToGlobal: true, zoneToOtherZones: false };

export const APP_PROTOCOLS = ['tcp', 'http', 'http2', 'grpc'] as const;

export const PORT_FIELDS = message({ port: VALUE, targetPort: VALUE, appProtocol: VALUE, name: VALUE });
export const MATCH_LABELS = message({ matchLabels: STRING_MAP });

/** `ports[]`: a port in range, a known appProtocol, names unique. */
export function checkPorts(vs: Violations, spec: Spec, opts: { required: boolean; targetPort: boolean }): void {
  const ports = listAt(vs, 'ports', spec.ports);
  if (opts.required && ports.length === 0) vs.add('ports', 'must not be empty');
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const f = `ports[${i}]`;
    const p = objectAt(vs, f, raw);
    if (!p) return;
    checkPort(vs, `${f}.port`, p.port, true);
    if (opts.targetPort && !isUnset(p.targetPort)) {
      const t = p.targetPort;
      const ok = (typeof t === 'number' && Number.isInteger(t) && t >= 1 && t <= 65535) || (typeof t === 'string' && t !== '');
      if (!ok) vs.add(`${f}.targetPort`, 'must be a port in the range [1, 65535] or a port name');
    }
    checkEnum(vs, `${f}.appProtocol`, p.appProtocol, APP_PROTOCOLS);
    if (typeof p.name === 'string' && p.name !== '') {
      if (names.has(p.name)) vs.add(`${f}.name`, 'must be unique');
      names.add(p.name);
    }
  });
}

/** `{matchLabels: {...}}` of a selector: defined and non-empty. */
export function checkMatchLabels(vs: Violations, field: string, v: unknown, required: boolean): void {
  const o = objectAt(vs, field, v);
  if (!o) {
    if (required) vs.add(field, MUST_BE_DEFINED);
    return;
  }
  if (isUnset(o.matchLabels) || Object.keys(o.matchLabels as object).length === 0) vs.add(`${field}.matchLabels`, MUST_BE_DEFINED);
  else checkTags(vs, `${field}.matchLabels`, o.matchLabels);
}

/** Field paths rooted at `spec`, as Kuma prints them for these types. */
export function rootedAtSpec(check: (spec: Spec) => Violation[]): (spec: Spec) => Violation[] {
  return (spec) => check(spec).map((v) => ({ ...v, field: v.field ? `spec.${v.field}` : 'spec' }));
}
