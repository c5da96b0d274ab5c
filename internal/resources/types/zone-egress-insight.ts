/** ZoneEgressInsight (spec kuma-api-cli.md §1.7): written by the CP only, so nothing to validate. */
import { KDS_ZONE_TO_GLOBAL, defineType } from '../define';
import { protoMessage } from '../schema/field-schema';

export const zoneEgressInsight = defineType({
  fields: protoMessage('kuma.mesh.v1alpha1.ZoneEgressInsight'),
  name: 'ZoneEgressInsight',
  scope: 'Global',
  // No hyphens, unlike the other insight paths (Kuma's WsPath).
  path: 'zoneegressinsights',
  readOnly: true,
  kds: KDS_ZONE_TO_GLOBAL,
  providedByGlobal: false,
  providedByZone: false,
  validate: () => [],
});
