/**
 * Field schemas shared by the targetRef policies (Kuma 2.14
 * api/common/v1alpha1: targetref.go, match.go, header.go) and the spec
 * skeleton built from a policy's conf schemas.
 */
import { FREE, STRING_MAP, VALUE, message, type FieldSchema, type MessageSchema } from './field-schema';

/** TargetRef, TopLevelTargetRef and OutboundTargetRef have the same fields. */
export const TARGET_REF = message({
  kind: VALUE,
  name: VALUE,
  namespace: VALUE,
  labels: STRING_MAP,
  tags: STRING_MAP,
  sectionName: VALUE,
  mesh: VALUE,
  proxyTypes: VALUE,
});

/** common_api.Match: a SPIFFE ID matcher (spelled `spiffeID` as in spec kuma-api-cli.md §1.11; `spiffeId` gets a did-you-mean). */
export const MATCH = message({ spiffeID: message({ type: VALUE, value: VALUE }) });

/** common_api.HeaderMatch. */
export const HEADER_MATCH = message({ type: VALUE, name: VALUE, value: VALUE });

export interface PolicySections {
  to?: MessageSchema;
  /** Route policies: the fields of a `to[]` item besides targetRef, replacing `default`. */
  toItem?: Record<string, FieldSchema>;
  from?: MessageSchema;
  /** rules[].default, plus any other fields of a rule item (e.g. `matches`). */
  rules?: { conf: MessageSchema; item?: Record<string, FieldSchema> };
  /** The top-level `default` of a single-item policy (MeshTrace). */
  default?: MessageSchema;
}

/**
 * The `spec` of a targetRef policy. A section the policy does not have is
 * left free: its validator already says "must not be defined".
 */
export function targetRefPolicyFields(s: PolicySections): MessageSchema {
  return message({
    targetRef: TARGET_REF,
    to: s.toItem ? message({ targetRef: TARGET_REF, ...s.toItem }) : s.to ? message({ targetRef: TARGET_REF, default: s.to }) : FREE,
    from: s.from ? message({ targetRef: TARGET_REF, default: s.from }) : FREE,
    rules: s.rules ? message({ ...s.rules.item, default: s.rules.conf }) : FREE,
    ...(s.default ? { default: s.default } : {}),
  });
}
