/**
 * MeshMultiZoneService (spec kuma-kds-xds.md §2.5; Kuma meshmultizoneservice/api/v1alpha1): one
 * VIP and hostname in front of the MeshServices of every zone that its `selector.meshService`
 * labels match. Authored on the global only and sent to every zone.
 */
import type { Spec } from '../model';
import { KDS_GLOBAL_TO_ZONE, defineType } from '../define';
import { VALUE, message } from '../schema/field-schema';
import { MUST_BE_DEFINED, Violations, objectAt } from '../validation';
import { MATCH_LABELS, checkMatchLabels, checkPorts , rootedAtSpec } from './mesh-service-common';

function validate(spec: Spec) {
  const vs = new Violations();
  const selector = objectAt(vs, 'selector', spec.selector);
  if (!selector) vs.add('selector', MUST_BE_DEFINED);
  else checkMatchLabels(vs, 'selector.meshService', selector.meshService, true);
  checkPorts(vs, spec, { required: true, targetPort: false });
  return vs.list;
}

export const meshMultiZoneService = defineType({
  name: 'MeshMultiZoneService',
  scope: 'Mesh',
  path: 'meshmultizoneservices',
  cliSingular: 'meshmultizoneservice',
  cliPlural: 'meshmultizoneservices',
  shortName: 'mzsvc',
  nestedSpec: true,
  kds: KDS_GLOBAL_TO_ZONE,
  providedByGlobal: true,
  providedByZone: false,
  fields: message({ selector: message({ meshService: MATCH_LABELS }), ports: message({ port: VALUE, appProtocol: VALUE, name: VALUE }) }),
  validate: rootedAtSpec(validate),
});
