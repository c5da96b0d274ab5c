/**
 * MeshService (spec kuma-kds-xds.md §2.4, §2.5, §3.8; Kuma meshservice/api/v1alpha1): one
 * destination of a zone, its ports and the Dataplanes behind it. Written on a zone (by hand, or
 * generated from Dataplanes in meshServices mode Exclusive/Everywhere: internal/meshservice/),
 * copied to the global and from there to every other zone. VIPs and hostnames are computed by each
 * zone (internal/meshservice/status.ts), never synced.
 */
import type { Spec } from '../model';
import { defineType } from '../define';
import { STRING_MAP, VALUE, message } from '../schema/field-schema';
import { MUST_BE_DEFINED, Violations, checkEnum, checkTags, isObject, isUnset, listAt, objectAt } from '../validation';
import { KDS_ZONE_SYNCED_EVERYWHERE, PORT_FIELDS, checkPorts , rootedAtSpec } from './mesh-service-common';

const IDENTITY_TYPES = ['ServiceTag', 'SpiffeID'];

function validate(spec: Spec) {
  const vs = new Violations();
  const selector = objectAt(vs, 'selector', spec.selector);
  if (selector) {
    const hasTags = !isUnset(selector.dataplaneTags);
    const ref = objectAt(vs, 'selector.dataplaneRef', selector.dataplaneRef);
    if (hasTags && ref) vs.add('selector', 'dataplaneTags and dataplaneRef cannot be defined at the same time');
    if (hasTags) checkTags(vs, 'selector.dataplaneTags', selector.dataplaneTags);
    if (ref && (typeof ref.name !== 'string' || ref.name === '')) vs.add('selector.dataplaneRef.name', MUST_BE_DEFINED);
  }
  checkPorts(vs, spec, { required: false, targetPort: true });
  listAt(vs, 'identities', spec.identities).forEach((raw, i) => {
    const f = `identities[${i}]`;
    if (!isObject(raw)) return vs.add(f, 'must be an object');
    if (isUnset(raw.type)) vs.add(`${f}.type`, MUST_BE_DEFINED);
    else checkEnum(vs, `${f}.type`, raw.type, IDENTITY_TYPES);
    if (typeof raw.value !== 'string' || raw.value === '') vs.add(`${f}.value`, MUST_BE_DEFINED);
  });
  checkEnum(vs, 'state', spec.state, ['Available', 'Unavailable']);
  return vs.list;
}

export const meshService = defineType({
  name: 'MeshService',
  scope: 'Mesh',
  path: 'meshservices',
  cliSingular: 'meshservice',
  cliPlural: 'meshservices',
  shortName: 'msvc',
  nestedSpec: true,
  kds: KDS_ZONE_SYNCED_EVERYWHERE,
  providedByGlobal: false,
  providedByZone: true,
  fields: message({
    selector: message({ dataplaneTags: STRING_MAP, dataplaneRef: message({ name: VALUE }) }),
    ports: PORT_FIELDS,
    identities: message({ type: VALUE, value: VALUE }),
    state: VALUE,
  }),
  validate: rootedAtSpec(validate),
});
