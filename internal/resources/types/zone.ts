/** Zone (spec kuma-api-cli.md §1.6): `enabled` is the only field. */
import { KDS_NONE, defineType } from '../define';
import type { Spec } from '../model';
import { Violations, checkBool } from '../validation';

function validate(spec: Spec) {
  const vs = new Violations();
  checkBool(vs, 'enabled', spec.enabled);
  return vs.list;
}

export const zone = defineType({
  name: 'Zone',
  scope: 'Global',
  path: 'zones',
  cliSingular: 'zone',
  cliPlural: 'zones',
  insightType: 'ZoneInsight',
  overview: { type: 'ZoneOverview', resourceField: 'zone', insightField: 'zoneInsight' },
  // Never synced: the global creates its own on first connect, a zone keeps one for itself.
  kds: KDS_NONE,
  providedByGlobal: true,
  providedByZone: true,
  validate,
});
