/** MeshTCPRoute (spec kuma-api-cli.md §1.11; Kuma meshtcproute validator.go): `to[]` items with `rules[].default.backendRefs`. */
import { message } from '../schema/field-schema';
import { MUST_BE_DEFINED, type Violations, isObject, listAt } from '../validation';
import { BACKEND_REF, ROUTE_TOP_KINDS, checkBackendRefs, routeToKinds } from './route-backend-refs';
import { type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';

const RULE = message({ default: message({ backendRefs: BACKEND_REF }) });

function checkItem(vs: Violations, field: string, item: Record<string, unknown>): void {
  listAt(vs, `${field}.rules`, item.rules).forEach((rule, i) => {
    const f = `${field}.rules[${i}].default.backendRefs`;
    const refs = isObject(rule) && isObject(rule.default) ? rule.default.backendRefs : undefined;
    if (!Array.isArray(refs) || refs.length === 0) vs.add(f, MUST_BE_DEFINED);
    else checkBackendRefs(vs, f, refs);
  });
}

const shape: TargetRefPolicyShape = {
  topKinds: ROUTE_TOP_KINDS,
  to: { kinds: routeToKinds, conf: () => {}, fields: message({}), item: { check: checkItem, fields: { rules: RULE } } },
};

export const meshTcpRoute = defineTargetRefPolicy({ name: 'MeshTCPRoute', path: 'meshtcproutes', shortName: 'mtcpr', singularDisplayName: 'Mesh TCP Route', pluralDisplayName: 'Mesh TCP Routes' }, shape);
