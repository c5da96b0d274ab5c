/** TrafficPermission (spec kuma-api-cli.md §1.10): sources and destinations only, no conf. */
import type { Spec } from '../model';
import { Violations, checkSelectors } from '../validation';
import { legacyPolicy } from './legacy-policy';

function validate(spec: Spec) {
  const vs = new Violations();
  checkSelectors(vs, 'sources', spec.sources, { required: true });
  checkSelectors(vs, 'destinations', spec.destinations, { required: true });
  return vs.list;
}

export const trafficPermission = legacyPolicy({
  name: 'TrafficPermission',
  path: 'traffic-permissions',
  cliSingular: 'traffic-permission',
  cliPlural: 'traffic-permissions',
  validate,
});
