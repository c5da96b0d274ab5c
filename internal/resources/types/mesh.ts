/** Mesh (spec kuma-api-cli.md §1.3). */
import { KDS_GLOBAL_TO_ZONE_KEEP_NAME, defineType } from '../define';
import type { Spec } from '../model';
import { Violations, checkEnum, isObject } from '../validation';
import { protoMessage } from '../schema/field-schema';

const BACKEND_TYPES = ['builtin', 'provided'] as const;

function validate(spec: Spec) {
  const vs = new Violations();
  const mtls = spec.mtls;
  if (mtls !== undefined) {
    if (!isObject(mtls)) {
      vs.add('mtls', 'must be an object');
    } else {
      const backends = Array.isArray(mtls.backends) ? mtls.backends : [];
      if (mtls.backends !== undefined && !Array.isArray(mtls.backends)) vs.add('mtls.backends', 'must be a list');
      const names = new Set<string>();
      backends.forEach((b, i) => {
        const f = `mtls.backends[${i}]`;
        if (!isObject(b)) return vs.add(f, 'must be an object');
        if (typeof b.name !== 'string' || b.name === '') vs.add(`${f}.name`, 'cannot be empty');
        else if (names.has(b.name)) vs.add(`${f}.name`, `"${b.name}" is already used for another backend`);
        else names.add(b.name);
        if (typeof b.type !== 'string' || !(BACKEND_TYPES as readonly string[]).includes(b.type)) {
          vs.add(`${f}.type`, 'could not find installed plugin for this type');
        }
        checkEnum(vs, `${f}.mode`, b.mode, ['STRICT', 'PERMISSIVE']);
      });
      const enabled = mtls.enabledBackend;
      if (enabled !== undefined && enabled !== '' && (typeof enabled !== 'string' || !names.has(enabled))) {
        vs.add('mtls.enabledBackend', 'has to be set to one of the backends in the mesh');
      }
    }
  }
  if (spec.meshServices !== undefined && isObject(spec.meshServices)) {
    checkEnum(vs, 'meshServices.mode', spec.meshServices.mode, ['Disabled', 'Everywhere', 'ReachableBackends', 'Exclusive']);
  }
  for (const key of ['networking', 'routing', 'constraints', 'tracing', 'logging', 'metrics'] as const) {
    if (spec[key] !== undefined && !isObject(spec[key])) vs.add(key, 'must be an object');
  }
  if (spec.routing !== undefined && isObject(spec.routing)) {
    for (const b of ['localityAwareLoadBalancing', 'zoneEgress', 'defaultForbidMeshExternalServiceAccess']) {
      const v = spec.routing[b];
      if (v !== undefined && typeof v !== 'boolean') vs.add(`routing.${b}`, 'must be true or false');
    }
  }
  return vs.list;
}

export const mesh = defineType({
  fields: protoMessage('kuma.mesh.v1alpha1.Mesh'),
  kds: KDS_GLOBAL_TO_ZONE_KEEP_NAME,
  name: 'Mesh',
  scope: 'Global',
  path: 'meshes',
  cliSingular: 'mesh',
  cliPlural: 'meshes',
  shortName: 'm',
  pluralDisplayName: 'Meshes',
  validate,
});
