/**
 * Traffic permissions as Envoy RBAC (spec kuma-kds-xds.md §3.5; Kuma
 * pkg/plugins/policies/meshtrafficpermission/xds/rbac_configurer.go and the legacy
 * TrafficPermission configurer).
 *
 * Principals are the client's certificate SANs: `spiffe://<mesh>/<service>` for kuma.io/service and
 * `kuma://<tag>/<value>` for every other tag. An ALLOW rule set with no policy denies everything
 * (mTLS on and nothing permits = deny all).
 */
import type { Policy, Principal, RBAC as RbacRules } from '../../../../proto/gen/envoy/config/rbac/v3/rbac';
import { RBAC_Action } from '../../../../proto/gen/envoy/config/rbac/v3/rbac';
import type { Filter } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import { RBAC as HttpRbac } from '../../../../proto/gen/envoy/extensions/filters/http/rbac/v3/rbac';
import type { HttpFilter } from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import { RBAC as NetworkRbac } from '../../../../proto/gen/envoy/extensions/filters/network/rbac/v3/rbac';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { TAG, type Resource } from '../../../resources/model';
import type { Tags } from '../../context/dataplane-view';
import type { Rule, Subset } from '../../policies/rules';
import { MATCH_ALL, selectorsOf } from '../../policies/selectors';
import { httpFilter, networkFilter } from './common';
import { kumaId, spiffeId, statName } from './names';

export interface RbacConfig {
  rules: DeepPartial<RbacRules>;
  shadowRules?: DeepPartial<RbacRules>;
}

const MTP_POLICY = 'MeshTrafficPermission';

function principalOfTag(mesh: string, key: string, value: string): DeepPartial<Principal> {
  const name = key === TAG.service ? spiffeId(mesh, value) : kumaId(key, value);
  return { identifier: { $case: 'authenticated', value: { principalName: { matchPattern: { $case: 'exact', value: name } } } } };
}

function combine(principals: DeepPartial<Principal>[]): DeepPartial<Principal> {
  if (principals.length === 0) return { identifier: { $case: 'any', value: true } };
  if (principals.length === 1) return principals[0]!;
  return { identifier: { $case: 'andIds', value: { ids: principals } } };
}

/** One client group (a rule subset) as a principal: AND of its tags, negated ones wrapped in NOT. */
export function principalOfSubset(mesh: string, subset: Subset): DeepPartial<Principal> {
  return combine(
    subset.map((t) => {
      const p = principalOfTag(mesh, t.key, t.value);
      return t.not ? { identifier: { $case: 'notId', value: p } } : p;
    }),
  );
}

function anyPermission(principals: DeepPartial<Principal>[]): DeepPartial<Policy> {
  return { permissions: [{ rule: { $case: 'any', value: true } }], principals };
}

/** RBAC of MeshTrafficPermission `from` rules: Allow and AllowWithShadowDeny allow; AllowWithShadowDeny also shadow-denies. */
export function rbacOfMtpRules(mesh: string, rules: readonly Rule[]): RbacConfig {
  const allow: DeepPartial<Principal>[] = [];
  const shadowDeny: DeepPartial<Principal>[] = [];
  for (const rule of rules) {
    const action = rule.conf.action;
    if (action === 'Allow') allow.push(principalOfSubset(mesh, rule.subset));
    else if (action === 'AllowWithShadowDeny') shadowDeny.push(principalOfSubset(mesh, rule.subset));
  }
  const all = [...allow, ...shadowDeny];
  const out: RbacConfig = { rules: { action: RBAC_Action.ALLOW, policies: all.length > 0 ? { [MTP_POLICY]: anyPermission(all) } : {} } };
  if (shadowDeny.length > 0) out.shadowRules = { action: RBAC_Action.DENY, policies: { [MTP_POLICY]: anyPermission(shadowDeny) } };
  return out;
}

/** A legacy source selector as a principal: AND of its non-wildcard tags (any client when none). */
function principalOfSelector(mesh: string, selector: Tags): DeepPartial<Principal> {
  const keys = Object.keys(selector)
    .filter((k) => selector[k] !== MATCH_ALL)
    .sort();
  return combine(keys.map((k) => principalOfTag(mesh, k, selector[k]!)));
}

/** RBAC of legacy TrafficPermissions matching an inbound: one policy per TrafficPermission. */
export function rbacOfTrafficPermissions(mesh: string, permissions: readonly Resource[]): RbacConfig {
  const policies: Record<string, DeepPartial<Policy>> = {};
  for (const tp of permissions) {
    const principals = selectorsOf(tp.spec, 'sources').map((s) => principalOfSelector(mesh, s));
    if (principals.length > 0) policies[tp.name] = anyPermission(principals);
  }
  return { rules: { action: RBAC_Action.ALLOW, policies } };
}

/** envoy.filters.http.rbac: a denied request gets HTTP 403. */
export function httpRbacFilter(rbac: RbacConfig): DeepPartial<HttpFilter> {
  return httpFilter('envoy.filters.http.rbac', HttpRbac, { rules: rbac.rules, ...(rbac.shadowRules ? { shadowRules: rbac.shadowRules } : {}) });
}

/** envoy.filters.network.rbac: a denied connection is closed. */
export function networkRbacFilter(rbac: RbacConfig, listenerName: string): DeepPartial<Filter> {
  return networkFilter('envoy.filters.network.rbac', NetworkRbac, {
    // the trailing dot turns "inbound_..._8080rbac.allowed" into "inbound_..._8080.rbac.allowed"
    statPrefix: `${statName(listenerName)}.`,
    rules: rbac.rules,
    ...(rbac.shadowRules ? { shadowRules: rbac.shadowRules } : {}),
  });
}
