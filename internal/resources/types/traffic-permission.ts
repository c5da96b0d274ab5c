/** TrafficPermission (spec kuma-api-cli.md §1.10): sources and destinations only, no conf. */
import type { Spec } from '../model';
import { Violations, checkSelectors } from '../validation';
import { legacyPolicy } from './legacy-policy';
import { protoMessage } from '../schema/field-schema';

function validate(spec: Spec) {
  const vs = new Violations();
  checkSelectors(vs, 'sources', spec.sources, { required: true });
  checkSelectors(vs, 'destinations', spec.destinations, { required: true });
  return vs.list;
}

export const trafficPermission = legacyPolicy({
  fields: protoMessage('kuma.mesh.v1alpha1.TrafficPermission'),
  name: 'TrafficPermission',
  path: 'traffic-permissions',
  cliSingular: 'traffic-permission',
  cliPlural: 'traffic-permissions',
  validate,
});
