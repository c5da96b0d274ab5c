/** ZoneInsight (spec kuma-api-cli.md §1.6): each CP keeps its own, written by the CP only. */
import { KDS_NONE, defineType } from '../define';

export const zoneInsight = defineType({
  name: 'ZoneInsight',
  scope: 'Global',
  path: 'zone-insights',
  readOnly: true,
  kds: KDS_NONE,
  providedByGlobal: false,
  providedByZone: false,
  validate: () => [],
});
