/** ServiceInsight (spec kuma-api-cli.md §1.8): computed on the global and pushed to zones. */
import { KDS_NONE, defineType } from '../define';

export const serviceInsight = defineType({
  name: 'ServiceInsight',
  scope: 'Mesh',
  path: 'service-insights',
  readOnly: true,
  // Each CP computes its own from the Dataplanes it stores (the global sees every zone's), so it is not synced.
  kds: KDS_NONE,
  providedByGlobal: false,
  providedByZone: false,
  validate: () => [],
});
