/** Zone (spec kuma-api-cli.md §1.6): `enabled` is the only field; API-writable on the global only. */
import { KDS_NONE, defineType } from '../define';
import type { Spec } from '../model';
import { Violations, checkBool } from '../validation';
import { protoMessage } from '../schema/field-schema';

function validate(spec: Spec) {
  const vs = new Violations();
  checkBool(vs, 'enabled', spec.enabled);
  return vs.list;
}

export const ZONE_READ_ONLY_ON_ZONE =
  'Zone objects cannot be created, changed or deleted on a zone control plane: they are managed by the global control plane (a standalone zone creates its own Zone itself). Manage zones on the global control plane.';

export const zone = defineType({
  fields: protoMessage('kuma.system.v1alpha1.Zone'),
  name: 'Zone',
  scope: 'Global',
  path: 'zones',
  cliSingular: 'zone',
  cliPlural: 'zones',
  insightType: 'ZoneInsight',
  overview: { type: 'ZoneOverview', resourceField: 'zone', insightField: 'zoneInsight' },
  // Never synced: the global creates its own on first connect, a zone keeps one for itself.
  kds: KDS_NONE,
  providedByGlobal: true,
  // A zone CP keeps Zone records (its own, or what the global sent) but never takes them from its API.
  providedByZone: false,
  readOnlyOnZone: ZONE_READ_ONLY_ON_ZONE,
  validate,
});
