/** Secret (spec kuma-api-cli.md §1.9): mesh-scoped base64 bytes, admin only. */
import { KDS_GLOBAL_TO_ZONE_KEEP_NAME, defineType } from '../define';
import { validateSecretData } from './data-source';
import { protoMessage } from '../schema/field-schema';

export const secret = defineType({
  fields: protoMessage('kuma.system.v1alpha1.Secret'),
  kds: KDS_GLOBAL_TO_ZONE_KEEP_NAME,
  name: 'Secret',
  scope: 'Mesh',
  path: 'secrets',
  cliSingular: 'secret',
  cliPlural: 'secrets',
  adminOnly: true,
  // Pushed global→zone, and a zone may keep its own (zone-created ones never go up).
  providedByGlobal: true,
  providedByZone: true,
  validate: validateSecretData,
});
