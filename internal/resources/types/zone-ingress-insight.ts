/** ZoneIngressInsight (spec kuma-api-cli.md §1.7): written by the CP only, so nothing to validate. */
import { KDS_ZONE_TO_GLOBAL, defineType } from '../define';

export const zoneIngressInsight = defineType({
  name: 'ZoneIngressInsight',
  scope: 'Global',
  path: 'zone-ingress-insights',
  readOnly: true,
  kds: KDS_ZONE_TO_GLOBAL,
  providedByGlobal: false,
  providedByZone: false,
  validate: () => [],
});
