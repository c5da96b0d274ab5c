/** MeshTrafficPermission (spec kuma-api-cli.md §1.11): `from` + `rules`, inbound only. */
import { MUST_BE_DEFINED, type Violations, checkEnum, isObject, isUnset, listAt } from '../validation';
import { type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';
import { VALUE, message } from '../schema/field-schema';
import { MATCH } from '../schema/target-ref-fields';

const ACTIONS = ['Allow', 'Deny', 'AllowWithShadowDeny'] as const;
const MATCH_LISTS = ['allow', 'allowWithShadowDeny', 'deny'] as const;

function fromConf(vs: Violations, field: string, conf: Record<string, unknown>): void {
  if (isUnset(conf.action) || conf.action === '') vs.add(`${field}.action`, MUST_BE_DEFINED);
  else checkEnum(vs, `${field}.action`, conf.action, ACTIONS);
}

/** rules[].default: lists of SPIFFE ID matches (Kuma common_api.Match). */
function ruleConf(vs: Violations, field: string, conf: Record<string, unknown>): void {
  let total = 0;
  for (const key of MATCH_LISTS) {
    const matches = listAt(vs, `${field}.${key}`, conf[key]);
    total += matches.length;
    matches.forEach((m, i) => {
      const f = `${field}.${key}[${i}]`;
      const spiffe = isObject(m) ? m.spiffeID : undefined;
      if (!isObject(spiffe)) {
        vs.add(`${f}.spiffeID`, MUST_BE_DEFINED);
        return;
      }
      if (isUnset(spiffe.type)) vs.add(`${f}.spiffeID.type`, MUST_BE_DEFINED);
      else checkEnum(vs, `${f}.spiffeID.type`, spiffe.type, ['Exact', 'Prefix']);
      if (typeof spiffe.value !== 'string' || spiffe.value === '') vs.add(`${f}.spiffeID.value`, MUST_BE_DEFINED);
    });
  }
  if (total === 0) vs.add(field, "at least one of 'allow', 'allowWithShadowDeny', 'deny' has to be defined");
}

/** Kuma meshtrafficpermission Conf (from) and RuleConf (rules). */
const FROM_FIELDS = message({ action: VALUE });
const RULE_FIELDS = message({ allow: MATCH, deny: MATCH, allowWithShadowDeny: MATCH });

const shape: TargetRefPolicyShape = {
  topKinds: ['Mesh', 'MeshSubset', 'MeshService', 'MeshServiceSubset', 'Dataplane'],
  from: { kinds: ['Mesh', 'MeshSubset', 'MeshService', 'MeshServiceSubset'], conf: fromConf, fields: FROM_FIELDS },
  rules: { conf: ruleConf, fields: RULE_FIELDS },
};

export const meshTrafficPermission = defineTargetRefPolicy({ name: 'MeshTrafficPermission', path: 'meshtrafficpermissions', shortName: 'mtp' }, shape);
