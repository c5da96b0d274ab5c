/**
 * What MeshHTTPRoute and MeshTCPRoute share (Kuma 2.14 api/common/v1alpha1 BackendRef;
 * validators.ValidateBackendRef): a backendRef is an inline targetRef plus `weight` and `port`.
 */
import { VALUE, message, type MessageSchema } from '../schema/field-schema';
import { TARGET_REF } from '../schema/target-ref-fields';
import { MUST_BE_DEFINED, type Violations, checkUint32, isObject, isUnset, listAt } from '../validation';
import { type Kind, checkTargetRef } from './target-ref-policy';

export const BACKEND_REF_KINDS: readonly Kind[] = ['MeshService', 'MeshServiceSubset', 'MeshExternalService', 'MeshMultiZoneService'];

export const BACKEND_REF: MessageSchema = message({ ...Object.fromEntries(TARGET_REF.fields), weight: VALUE, port: VALUE });

/** Each backendRef's kind and fields; a MeshMultiZoneService names its port. */
export function checkBackendRefs(vs: Violations, field: string, refs: unknown): unknown[] {
  const list = listAt(vs, field, refs);
  list.forEach((ref, i) => {
    const f = `${field}[${i}]`;
    checkTargetRef(vs, f, ref, BACKEND_REF_KINDS);
    if (!isObject(ref)) return;
    checkUint32(vs, `${f}.weight`, ref.weight);
    checkUint32(vs, `${f}.port`, ref.port, { min: 1, max: 65535 });
    if (ref.kind === 'MeshMultiZoneService' && isUnset(ref.port)) vs.add(`${f}.port`, `${MUST_BE_DEFINED} with kind MeshMultiZoneService`);
  });
  return list;
}

/** validateToRef: a MeshGateway route's items target the whole Mesh, a sidecar's a service. */
export function routeToKinds(topKind: string): readonly Kind[] {
  return topKind === 'MeshGateway' ? ['Mesh'] : ['MeshService', 'MeshExternalService', 'MeshMultiZoneService'];
}

export const ROUTE_TOP_KINDS: readonly Kind[] = ['Mesh', 'MeshSubset', 'MeshService', 'MeshServiceSubset', 'Dataplane', 'MeshGateway'];
