/** common_api.Match lists (`rules[].matches`, MeshTrafficPermission's allow/deny): SPIFFE ID matchers. */
import { MUST_BE_DEFINED, type Violations, checkEnum, isObject, isUnset, listAt } from '../validation';

export const SPIFFE_MATCH_TYPES = ['Exact', 'Prefix'] as const;

/** Checks each `{spiffeID: {type, value}}` of a list; returns how many items the list has. */
export function checkSpiffeMatches(vs: Violations, field: string, list: unknown): number {
  const matches = listAt(vs, field, list);
  matches.forEach((m, i) => {
    const f = `${field}[${i}]`;
    const spiffe = isObject(m) ? m.spiffeID : undefined;
    if (!isObject(spiffe)) {
      vs.add(`${f}.spiffeID`, MUST_BE_DEFINED);
      return;
    }
    if (isUnset(spiffe.type)) vs.add(`${f}.spiffeID.type`, MUST_BE_DEFINED);
    else checkEnum(vs, `${f}.spiffeID.type`, spiffe.type, SPIFFE_MATCH_TYPES);
    if (typeof spiffe.value !== 'string' || spiffe.value === '') vs.add(`${f}.spiffeID.value`, MUST_BE_DEFINED);
  });
  return matches.length;
}
