/**
 * MeshProxyPatch (Kuma 2.14 meshproxypatch api + validator.go): a single-item policy whose
 * `default.appendModifications[]` each change one kind of generated Envoy resource. A `value` is
 * the YAML/JSON of the Envoy message and must decode as it under protojson's strict rules
 * (internal/proto/envoy-json.ts); `jsonPatches` are RFC 6902 operations on its protojson form.
 */
import { parse as parseYaml } from 'yaml';
import { envoyJsonToBinary, protojsonReason } from '../../proto/envoy-json';
import { mustBeOneOf } from '../one-of';
import { FREE, VALUE, message } from '../schema/field-schema';
import { MUST_BE_DEFINED, MUST_NOT_BE_DEFINED, type Violations, isObject, isUnset, listAt } from '../validation';
import { type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';

export const MODIFICATION_KINDS = ['cluster', 'listener', 'networkFilter', 'httpFilter', 'virtualHost'] as const;
export type ModificationKind = (typeof MODIFICATION_KINDS)[number];

/** The Envoy message each modification kind's `value` holds. */
export const ENVOY_TYPE: Record<ModificationKind, string> = {
  cluster: 'envoy.config.cluster.v3.Cluster',
  listener: 'envoy.config.listener.v3.Listener',
  networkFilter: 'envoy.config.listener.v3.Filter',
  httpFilter: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter',
  virtualHost: 'envoy.config.route.v3.VirtualHost',
};

const RESOURCE_OPS = ['Add', 'Patch', 'Remove'] as const;
const FILTER_OPS = ['AddFirst', 'AddLast', 'AddBefore', 'AddAfter', 'Patch', 'Remove'] as const;
/** RFC 6902. Kuma's validator lists all but `test`, which its patch library still applies. */
export const JSON_PATCH_OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;

const NAME_BEFORE = 'must be defined. You need to pick a filter before which this one will be added';
const NAME_AFTER = 'must be defined. You need to pick a filter after which this one will be added';

/** The YAML (or JSON) text of a `value`, parsed; throws with the parser's reason. */
export function parseValue(text: string): unknown {
  return parseYaml(text);
}

function checkValue(vs: Violations, field: string, value: unknown, kind: ModificationKind): void {
  if (isUnset(value)) {
    vs.add(field, MUST_BE_DEFINED);
    return;
  }
  if (typeof value !== 'string') {
    vs.add(field, 'must be a string holding the YAML or JSON of the Envoy resource');
    return;
  }
  try {
    const parsed = parseValue(value);
    envoyJsonToBinary(ENVOY_TYPE[kind], parsed ?? {});
  } catch (e) {
    vs.add(field, `native Envoy resource is not valid: ${protojsonReason(e)}`);
  }
}

function oneOfErr(field: string, msg: string, ops: string[]): string {
  return `"${field}" ${msg} when "op" is one of [${ops.map((o) => `"${o}"`).join(', ')}]`;
}

function checkJsonPatches(vs: Violations, field: string, patches: unknown[]): void {
  if (patches.length === 0) vs.add(field, 'must not be empty');
  patches.forEach((p, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(p)) {
      vs.add(f, 'must be an object');
      return;
    }
    const op = p.op;
    if (typeof op !== 'string' || !(JSON_PATCH_OPS as readonly string[]).includes(op)) vs.add(`${f}.op`, mustBeOneOf('op', JSON_PATCH_OPS));
    const fromOps = ['move', 'copy'];
    if (fromOps.includes(op as string)) {
      if (isUnset(p.from)) vs.add(`${f}.from`, oneOfErr('from', 'must not be empty', fromOps));
      else if (typeof p.from !== 'string') vs.add(`${f}.from`, 'must be a string (a JSON pointer)');
    } else if (!isUnset(p.from)) vs.add(`${f}.from`, oneOfErr('from', 'is allowed only', fromOps));
    const valueOps = ['add', 'replace', 'test'];
    if (valueOps.includes(op as string)) {
      if (p.value === undefined) vs.add(`${f}.value`, oneOfErr('value', 'must not be empty', valueOps));
    } else if (p.value !== undefined && p.value !== null) vs.add(`${f}.value`, oneOfErr('value', 'is allowed only', valueOps));
    if (isUnset(p.path)) vs.add(`${f}.path`, MUST_BE_DEFINED);
    else if (typeof p.path !== 'string') vs.add(`${f}.path`, 'must be a string (a JSON pointer)');
    else if ((p.path === '' || p.path === '/') && op === 'remove') vs.add(`${f}.path`, 'root path cannot be removed');
    else if (p.path !== '' && !p.path.startsWith('/')) vs.add(`${f}.path`, 'must be a JSON pointer starting with "/"');
  });
}

function checkPatch(vs: Violations, field: string, mod: Record<string, unknown>, kind: ModificationKind): void {
  const patches = listAt(vs, `${field}.jsonPatches`, mod.jsonPatches);
  const entity = field.slice(field.lastIndexOf('.') + 1);
  if (!isUnset(mod.value)) {
    if (patches.length > 0) vs.add(field, `${entity} must have only one type defined: value, jsonPatches`);
    else checkValue(vs, `${field}.value`, mod.value, kind);
  } else if (!isUnset(mod.jsonPatches)) {
    checkJsonPatches(vs, `${field}.jsonPatches`, patches);
  } else {
    vs.add(field, `${entity} must have exactly one defined: value, jsonPatches`);
  }
}

function matchName(mod: Record<string, unknown>): unknown {
  return isObject(mod.match) ? mod.match.name : undefined;
}

function checkModification(vs: Violations, field: string, mod: Record<string, unknown>, kind: ModificationKind): void {
  const op = mod.operation;
  const filter = kind === 'networkFilter' || kind === 'httpFilter';
  const ops: readonly string[] = filter ? FILTER_OPS : RESOURCE_OPS;
  if (typeof op !== 'string' || !ops.includes(op)) {
    vs.add(`${field}.operation`, `invalid operation. Available operations: ${ops.map((o) => `"${o}"`).join(', ')}`);
    return;
  }
  if (!isUnset(mod.match) && !isObject(mod.match)) vs.add(`${field}.match`, 'must be an object');
  if (op !== 'Patch' && !isUnset(mod.jsonPatches)) vs.add(`${field}.jsonPatches`, 'is allowed only with operation "Patch"');
  switch (op) {
    case 'Add':
      if (kind === 'virtualHost') {
        if (!isUnset(matchName(mod))) vs.add(`${field}.match.name`, MUST_NOT_BE_DEFINED);
      } else if (!isUnset(mod.match)) vs.add(`${field}.match`, MUST_NOT_BE_DEFINED);
      checkValue(vs, `${field}.value`, mod.value, kind);
      break;
    case 'AddFirst':
    case 'AddLast':
      checkValue(vs, `${field}.value`, mod.value, kind);
      break;
    case 'AddBefore':
    case 'AddAfter':
      if (isUnset(matchName(mod))) vs.add(`${field}.match.name`, op === 'AddBefore' ? NAME_BEFORE : NAME_AFTER);
      checkValue(vs, `${field}.value`, mod.value, kind);
      break;
    case 'Patch':
      if (filter && isUnset(matchName(mod))) vs.add(`${field}.match.name`, MUST_BE_DEFINED);
      checkPatch(vs, field, mod, kind);
      break;
    case 'Remove':
      if (!isUnset(mod.value)) vs.add(`${field}.value`, MUST_NOT_BE_DEFINED);
      break;
  }
}

function conf(vs: Violations, field: string, c: Record<string, unknown>): void {
  const f = `${field}.appendModifications`;
  const mods = listAt(vs, f, c.appendModifications);
  if (mods.length === 0) vs.add(f, 'must not be empty');
  mods.forEach((m, i) => {
    const mf = `${f}[${i}]`;
    if (!isObject(m)) {
      vs.add(mf, 'must be an object');
      return;
    }
    const set = MODIFICATION_KINDS.filter((k) => !isUnset(m[k]));
    if (set.length !== 1) {
      vs.add(mf, `exactly one modification can be defined at a time. Currently, ${set.length} modifications are defined`);
      return;
    }
    const kind = set[0]!;
    if (!isObject(m[kind])) vs.add(`${mf}.${kind}`, 'must be an object');
    else checkModification(vs, `${mf}.${kind}`, m[kind], kind);
  });
}

const JSON_PATCH = message({ op: VALUE, path: VALUE, from: VALUE, value: FREE });
const modification = (match: Record<string, 'value' | 'free'>) => message({ operation: VALUE, match: message(match), value: VALUE, jsonPatches: JSON_PATCH });
const FILTER_MATCH = { name: VALUE, listenerName: VALUE, listenerTags: FREE, origin: VALUE } as const;

/** Kuma meshproxypatch Conf. */
const CONF_FIELDS = message({
  appendModifications: message({
    cluster: modification({ name: VALUE, origin: VALUE }),
    listener: modification({ name: VALUE, origin: VALUE, tags: FREE }),
    networkFilter: modification(FILTER_MATCH),
    httpFilter: modification(FILTER_MATCH),
    virtualHost: modification({ name: VALUE, origin: VALUE, routeConfigurationName: VALUE }),
  }),
});

const shape: TargetRefPolicyShape = {
  // Kuma's kinds for a policy of the system role (every policy on Universal).
  topKinds: ['Mesh', 'MeshSubset', 'MeshGateway', 'MeshService', 'MeshServiceSubset', 'Dataplane'],
  default: { conf, fields: CONF_FIELDS },
};

export const meshProxyPatch = defineTargetRefPolicy({ name: 'MeshProxyPatch', path: 'meshproxypatches', shortName: 'mpp' }, shape);
