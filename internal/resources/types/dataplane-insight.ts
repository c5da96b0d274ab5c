/** DataplaneInsight (spec kuma-api-cli.md §1.7): written by the CP only, so nothing to validate. */
import { KDS_ZONE_TO_GLOBAL, defineType } from '../define';
import { protoMessage } from '../schema/field-schema';

export const dataplaneInsight = defineType({
  fields: protoMessage('kuma.mesh.v1alpha1.DataplaneInsight'),
  name: 'DataplaneInsight',
  scope: 'Mesh',
  path: 'dataplane-insights',
  readOnly: true,
  kds: KDS_ZONE_TO_GLOBAL,
  providedByGlobal: false,
  providedByZone: false,
  validate: () => [],
});
