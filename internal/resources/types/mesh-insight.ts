/** MeshInsight (spec kuma-api-cli.md §1.8): one per mesh, computed by the insight resyncer. */
import { KDS_NONE, defineType } from '../define';
import { protoMessage } from '../schema/field-schema';

export const meshInsight = defineType({
  fields: protoMessage('kuma.mesh.v1alpha1.MeshInsight'),
  name: 'MeshInsight',
  scope: 'Global',
  path: 'mesh-insights',
  readOnly: true,
  kds: KDS_NONE,
  providedByGlobal: false,
  providedByZone: false,
  validate: () => [],
});
