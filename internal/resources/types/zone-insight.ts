/** ZoneInsight (spec kuma-api-cli.md §1.6): each CP keeps its own, written by the CP only. */
import { KDS_NONE, defineType } from '../define';
import { protoMessage } from '../schema/field-schema';

export const zoneInsight = defineType({
  fields: protoMessage('kuma.system.v1alpha1.ZoneInsight'),
  name: 'ZoneInsight',
  scope: 'Global',
  path: 'zone-insights',
  readOnly: true,
  kds: KDS_NONE,
  providedByGlobal: false,
  providedByZone: false,
  validate: () => [],
});
