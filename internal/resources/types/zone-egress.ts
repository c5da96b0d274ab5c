/** ZoneEgress (spec kuma-api-cli.md §1.5; Kuma zoneegress_validator.go): no advertised fields. */
import { KDS_ZONE_TO_GLOBAL, defineType } from '../define';
import type { Spec } from '../model';
import { Violations, objectAt } from '../validation';
import { checkZoneProxyNetworking } from './zone-proxy';
import { protoMessage } from '../schema/field-schema';

function validate(spec: Spec) {
  const vs = new Violations();
  checkZoneProxyNetworking(vs, objectAt(vs, 'networking', spec.networking) ?? {});
  return vs.list;
}

export const zoneEgress = defineType({
  fields: protoMessage('kuma.mesh.v1alpha1.ZoneEgress'),
  name: 'ZoneEgress',
  scope: 'Global',
  path: 'zoneegresses',
  cliSingular: 'zoneegress',
  cliPlural: 'zoneegresses',
  shortName: 'ze',
  pluralDisplayName: 'Zone Egresses',
  insightType: 'ZoneEgressInsight',
  overview: { type: 'ZoneEgressOverview', resourceField: 'zoneEgress', insightField: 'zoneEgressInsight' },
  kds: KDS_ZONE_TO_GLOBAL,
  providedByGlobal: false,
  providedByZone: true,
  proxyType: 'zoneegress',
  validate,
});
