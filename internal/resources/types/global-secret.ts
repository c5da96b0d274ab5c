/** GlobalSecret (spec kuma-api-cli.md §1.9): global-scoped base64 bytes, admin only. */
import { KDS_GLOBAL_TO_ZONE_KEEP_NAME, defineType } from '../define';
import { validateSecretData } from './data-source';
import { protoMessage } from '../schema/field-schema';

export const globalSecret = defineType({
  fields: protoMessage('kuma.system.v1alpha1.Secret'),
  kds: KDS_GLOBAL_TO_ZONE_KEEP_NAME,
  name: 'GlobalSecret',
  scope: 'Global',
  path: 'globalsecrets',
  altPaths: ['global-secrets'],
  cliSingular: 'globalsecret',
  cliPlural: 'globalsecrets',
  cliAliases: ['global-secret', 'global-secrets'],
  adminOnly: true,
  providedByGlobal: true,
  providedByZone: true,
  validate: validateSecretData,
});
