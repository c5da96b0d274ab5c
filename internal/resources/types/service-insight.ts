/**
 * ServiceInsight (spec kuma-api-cli.md §1.8): one record per mesh,
 * `all-services-<mesh>`, computed by the CP; readable with
 * `kuma get serviceinsight all-services-default -o yaml` as the seed shows.
 */
import { KDS_NONE, defineType } from '../define';
import { protoMessage } from '../schema/field-schema';

export const serviceInsight = defineType({
  fields: protoMessage('kuma.mesh.v1alpha1.ServiceInsight'),
  name: 'ServiceInsight',
  scope: 'Mesh',
  path: 'service-insights',
  cliSingular: 'serviceinsight',
  cliPlural: 'serviceinsights',
  readOnly: true,
  // Each CP computes its own from the Dataplanes it stores (the global sees every zone's), so it is not synced.
  kds: KDS_NONE,
  providedByGlobal: false,
  providedByZone: false,
  validate: () => [],
});
