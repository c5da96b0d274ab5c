/** MeshInsight (spec kuma-api-cli.md §1.8): one per mesh, computed by the insight resyncer. */
import { KDS_NONE, defineType } from '../define';

export const meshInsight = defineType({
  name: 'MeshInsight',
  scope: 'Global',
  path: 'mesh-insights',
  readOnly: true,
  kds: KDS_NONE,
  providedByGlobal: false,
  providedByZone: false,
  validate: () => [],
});
