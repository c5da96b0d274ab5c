/**
 * The shared skeleton of the targetRef ("new") policies (spec kuma-api-cli.md
 * §1.11). Rules and messages follow Kuma's ValidateTargetRef
 * (pkg/core/resources/apis/mesh/validators.go) and the per-policy
 * validator.go files; field paths are rooted at `spec` as Kuma prints them.
 */
import type { Violation } from '../../errors';
import type { Spec } from '../model';
import { KDS_BOTH_WAYS, defineType } from '../define';
import type { PolicyInfo, ResourceDescriptor } from '../registry';
import type { FieldSchema, MessageSchema } from '../schema/field-schema';
import { targetRefPolicyFields } from '../schema/target-ref-fields';
import { MUST_BE_DEFINED, MUST_NOT_BE_DEFINED, Violations, checkTags, isObject, isUnset, listAt } from '../validation';

export type Kind =
  | 'Mesh'
  | 'MeshSubset'
  | 'Dataplane'
  | 'MeshGateway'
  | 'MeshService'
  | 'MeshServiceSubset'
  | 'MeshExternalService'
  | 'MeshMultiZoneService'
  | 'MeshHTTPRoute';

/** What a conf check may need to know besides the conf: the kinds that select it. */
export interface ConfContext {
  topKind: string;
  itemKind: string;
}

export type ConfCheck = (vs: Violations, field: string, conf: Record<string, unknown>, ctx: ConfContext) => void;

/**
 * Route policies (MeshHTTPRoute, MeshTCPRoute): a `to[]` item holds `rules[]` and more fields
 * instead of `default`. `check` validates the item besides its targetRef; `fields` are its fields.
 */
export interface ToItemShape {
  check: (vs: Violations, field: string, item: Record<string, unknown>, ctx: ConfContext) => void;
  fields: Record<string, FieldSchema>;
}

export interface TargetRefPolicyShape {
  topKinds: readonly Kind[];
  /** `required`: an empty `to` is a violation ("needs at least one item", MeshRetry). `fields`: the Conf struct. */
  to?: { kinds: readonly Kind[] | ((topKind: string) => readonly Kind[]); conf: ConfCheck; fields: MessageSchema; required?: boolean; item?: ToItemShape };
  from?: { kinds: readonly Kind[]; conf: ConfCheck; fields: MessageSchema };
  /** rules[].default; the rules section replaces `from` (isFromAsRules). `item`: a rule's fields besides `default`. */
  rules?: { conf: ConfCheck; fields: MessageSchema; item?: Record<string, FieldSchema> };
  /**
   * A top-level `default` and no to/from/rules (MeshTrace, MeshMetric, MeshProxyPatch: Kuma's
   * single-item policies). Kuma's Default is a struct, so a missing one is checked as `{}`.
   */
  default?: { conf: ConfCheck; fields: MessageSchema };
  /** Policy-specific cross-field rules run after the common ones. */
  extra?: (vs: Violations, spec: Spec) => void;
}

export function policyInfo(shape: TargetRefPolicyShape): PolicyInfo {
  return { isTargetRef: true, hasToTargetRef: !!shape.to, hasFromTargetRef: !!shape.from, isFromAsRules: !!shape.rules };
}

// Kuma's NameCharacterSet for names referenced from a targetRef.
const REF_NAME = /^[0-9a-z.\-_]*$/;
const PROXY_TYPES = ['Sidecar', 'Gateway'];

function isSet(v: unknown): boolean {
  if (isUnset(v) || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** ValidateTargetRef: the kind must be one of `kinds`, and each kind allows its own fields only. */
export function checkTargetRef(vs: Violations, field: string, ref: unknown, kinds: readonly Kind[]): void {
  if (!isObject(ref)) {
    vs.add(field, 'must be an object');
    return;
  }
  const kind = ref.kind;
  if (!isSet(kind)) {
    vs.add(`${field}.kind`, MUST_BE_DEFINED);
    return;
  }
  if (typeof kind !== 'string' || !(kinds as readonly string[]).includes(kind)) {
    vs.add(`${field}.kind`, 'value is not supported');
    return;
  }
  const notSet = (...names: string[]) => {
    for (const n of names) if (isSet(ref[n])) vs.add(`${field}.${n}`, `must not be set with kind ${kind}`);
  };
  const requireName = () => {
    if (!isSet(ref.name)) vs.add(`${field}.name`, `must be set with kind ${kind}`);
  };
  const checkName = () => {
    if (isSet(ref.name) && (typeof ref.name !== 'string' || !REF_NAME.test(ref.name))) {
      vs.add(`${field}.name`, "invalid characters: must consist of lower case alphanumeric characters, '-', '.' and '_'.");
    }
  };
  const hasLabels = isSet(ref.labels);
  const hasNameOrNs = isSet(ref.name) || isSet(ref.namespace);
  switch (kind) {
    case 'Mesh':
      if (isSet(ref.name)) vs.add(`${field}.name`, 'using name with kind Mesh is not yet supported');
      notSet('mesh', 'tags', 'labels', 'namespace', 'sectionName');
      break;
    case 'Dataplane':
      notSet('tags', 'mesh', 'proxyTypes');
      if (hasLabels && hasNameOrNs) vs.add(`${field}.labels`, 'either labels or name and namespace must be specified');
      break;
    case 'MeshSubset':
      notSet('name', 'mesh', 'labels', 'namespace', 'sectionName');
      checkTags(vs, `${field}.tags`, ref.tags);
      break;
    case 'MeshService':
    case 'MeshHTTPRoute':
      checkName();
      notSet('mesh', 'tags', 'proxyTypes');
      if (!hasLabels) requireName();
      if (hasLabels && hasNameOrNs) vs.add(`${field}.labels`, 'either labels or name and namespace must be specified');
      if (hasLabels && isSet(ref.sectionName)) vs.add(`${field}.sectionName`, 'sectionName should not be combined with labels');
      break;
    case 'MeshServiceSubset':
    case 'MeshGateway':
      requireName();
      checkName();
      notSet('mesh', 'proxyTypes', 'labels', 'namespace', 'sectionName');
      // MeshGateway tags select listeners; every policy here allows that (GatewayListenerTagsAllowed).
      checkTags(vs, `${field}.tags`, ref.tags, { allowWildcard: true });
      break;
    case 'MeshExternalService':
    case 'MeshMultiZoneService':
      checkName();
      notSet('mesh', 'tags', 'proxyTypes');
      if (!hasLabels) requireName();
      if (hasLabels && hasNameOrNs) vs.add(`${field}.labels`, 'either labels or name must be specified');
      if (kind === 'MeshExternalService') notSet('sectionName');
      break;
  }
  if (!isUnset(ref.proxyTypes) && Array.isArray(ref.proxyTypes)) {
    ref.proxyTypes.forEach((p, i) => {
      if (typeof p !== 'string' || !PROXY_TYPES.includes(p)) vs.add(`${field}.proxyTypes[${i}]`, `must be one of: ${PROXY_TYPES.join(', ')}`);
    });
  } else if (!isUnset(ref.proxyTypes)) {
    vs.add(`${field}.proxyTypes`, 'must be a list');
  }
}

function kindOf(ref: unknown): string {
  return isObject(ref) && typeof ref.kind === 'string' ? ref.kind : '';
}

function checkDefault(vs: Violations, field: string, d: unknown, conf: ConfCheck, ctx: ConfContext): void {
  if (isUnset(d)) {
    vs.add(field, MUST_BE_DEFINED);
    return;
  }
  if (!isObject(d)) {
    vs.add(field, 'must be an object');
    return;
  }
  conf(vs, field, d, ctx);
}

function checkItems(
  vs: Violations,
  field: string,
  items: unknown[],
  section: { kinds: readonly Kind[] | ((topKind: string) => readonly Kind[]); conf: ConfCheck; item?: ToItemShape },
  topKind: string,
): void {
  const kinds = typeof section.kinds === 'function' ? section.kinds(topKind) : section.kinds;
  items.forEach((item, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(item)) {
      vs.add(f, 'must be an object');
      return;
    }
    // Kuma's item targetRef is a struct, so a missing one reports its empty kind.
    if (isUnset(item.targetRef)) vs.add(`${f}.targetRef.kind`, MUST_BE_DEFINED);
    else checkTargetRef(vs, `${f}.targetRef`, item.targetRef, kinds);
    const ctx = { topKind, itemKind: kindOf(item.targetRef) };
    if (section.item) section.item.check(vs, f, item, ctx);
    else checkDefault(vs, `${f}.default`, item.default, section.conf, ctx);
  });
}

/** Every violation of a targetRef policy spec (the object under `spec:`). */
export function validateTargetRefPolicy(spec: Spec, shape: TargetRefPolicyShape): Violation[] {
  const vs = new Violations();
  // A missing top-level targetRef means kind Mesh (§1.11).
  const topKind = isUnset(spec.targetRef) ? 'Mesh' : kindOf(spec.targetRef);
  if (!isUnset(spec.targetRef)) checkTargetRef(vs, 'spec.targetRef', spec.targetRef, shape.topKinds);

  const section = (name: 'to' | 'from' | 'rules', supported: boolean): unknown[] => {
    if (!supported) {
      if (!isUnset(spec[name])) vs.add(`spec.${name}`, MUST_NOT_BE_DEFINED);
      return [];
    }
    return listAt(vs, `spec.${name}`, spec[name]);
  };
  const to = section('to', !!shape.to);
  const from = section('from', !!shape.from);
  const rules = section('rules', !!shape.rules);

  if (shape.from && shape.rules && from.length > 0 && rules.length > 0) {
    vs.add('spec', "field 'from' must be empty when 'rules' is defined");
  }
  if (shape.to && shape.from) {
    if (to.length + from.length + rules.length === 0) vs.add('spec', "at least one of 'from', 'to' or 'rules' has to be defined");
  } else if (shape.from) {
    if (from.length + rules.length === 0) vs.add('spec', "at least one of 'from' or 'rules' has to be defined");
  } else if (shape.to?.required && to.length === 0) {
    vs.add('spec.to', 'needs at least one item');
  }

  if (shape.to) checkItems(vs, 'spec.to', to, shape.to, topKind);
  if (shape.from) checkItems(vs, 'spec.from', from, shape.from, topKind);
  if (shape.default) {
    if (isUnset(spec.default) || isObject(spec.default)) shape.default.conf(vs, 'spec.default', spec.default ?? {}, { topKind, itemKind: '' });
    else vs.add('spec.default', 'must be an object');
  }
  if (shape.rules) {
    const conf = shape.rules.conf;
    rules.forEach((rule, i) => {
      const f = `spec.rules[${i}]`;
      if (!isObject(rule)) vs.add(f, 'must be an object');
      else checkDefault(vs, `${f}.default`, rule.default, conf, { topKind, itemKind: '' });
    });
  }
  shape.extra?.(vs, spec);
  return vs.list;
}

/**
 * Kuma's policy-role rule (ComputePolicyRole): a policy may not have both
 * `to` and `from` items. Kuma applies it only to policies in a non-system
 * Kubernetes namespace; on Universal every policy has the system role (the
 * default `mesh-timeout-all-<mesh>` itself has both), so validate() does not
 * call this. Exported for a caller that computes roles.
 */
export function mixedToFromViolation(spec: Spec): Violation | undefined {
  const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
  if (nonEmpty(spec.to) && nonEmpty(spec.from)) {
    return { field: 'spec', message: "it's not allowed to mix 'to' and 'from' arrays in the same policy" };
  }
  return undefined;
}

/**
 * The descriptor of a targetRef policy: nested spec, Kuma's lowercase REST
 * path and kumactl names, authored on either CP, validated by its shape.
 */
export function defineTargetRefPolicy(
  meta: { name: string; path: string; shortName: string; singularDisplayName?: string; pluralDisplayName?: string },
  shape: TargetRefPolicyShape,
): ResourceDescriptor {
  return defineType({
    name: meta.name,
    scope: 'Mesh',
    path: meta.path,
    cliSingular: meta.name.toLowerCase(),
    cliPlural: meta.path,
    shortName: meta.shortName,
    ...(meta.singularDisplayName ? { singularDisplayName: meta.singularDisplayName } : {}),
    ...(meta.pluralDisplayName ? { pluralDisplayName: meta.pluralDisplayName } : {}),
    nestedSpec: true,
    kds: KDS_BOTH_WAYS,
    providedByGlobal: true,
    providedByZone: true,
    policy: policyInfo(shape),
    fields: targetRefPolicyFields({
      ...(shape.to ? { to: shape.to.fields, ...(shape.to.item ? { toItem: shape.to.item.fields } : {}) } : {}),
      ...(shape.from ? { from: shape.from.fields } : {}),
      ...(shape.rules ? { rules: { conf: shape.rules.fields, ...(shape.rules.item ? { item: shape.rules.item } : {}) } } : {}),
      ...(shape.default ? { default: shape.default.fields } : {}),
    }),
    validate: (spec: Spec) => validateTargetRefPolicy(spec, shape),
    // Kuma 2.14's Deprecations() of the policies with `from`.
    deprecations: (spec: Spec) => (Array.isArray(spec.from) && spec.from.length > 0 ? ["'from' field is deprecated, use 'rules' instead"] : []),
  });
}
