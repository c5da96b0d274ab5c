/** ZoneIngressInsight (spec kuma-api-cli.md §1.7): written by the CP only, so nothing to validate. */
import { KDS_ZONE_TO_GLOBAL, defineType } from '../define';
import { protoMessage } from '../schema/field-schema';

export const zoneIngressInsight = defineType({
  fields: protoMessage('kuma.mesh.v1alpha1.ZoneIngressInsight'),
  name: 'ZoneIngressInsight',
  scope: 'Global',
  path: 'zone-ingress-insights',
  readOnly: true,
  kds: KDS_ZONE_TO_GLOBAL,
  providedByGlobal: false,
  providedByZone: false,
  validate: () => [],
});
