/** ServiceInsight (spec kuma-api-cli.md §1.8): computed on the global and pushed to zones. */
import { KDS_GLOBAL_TO_ZONE, defineType } from '../define';

export const serviceInsight = defineType({
  name: 'ServiceInsight',
  scope: 'Mesh',
  path: 'service-insights',
  readOnly: true,
  kds: KDS_GLOBAL_TO_ZONE,
  providedByGlobal: false,
  providedByZone: false,
  validate: () => [],
});
