/**
 * REST/YAML representation of resources (spec kuma-api-cli.md §1.1): meta keys
 * first (type, mesh, name, creationTime, modificationTime, labels, kri), then the
 * spec fields flat, or under `spec:` for plugin types. Parsing accepts
 * snake_case proto names as well as camelCase; the type's field schema says
 * which keys are fields (camelized) and which are data (tags, Struct), and
 * every unknown field is reported by its JSON path.
 */
import { parseAllDocuments } from 'yaml';
import { BadRequestError, type Violation } from '../errors';
import type { Resource, Spec } from './model';
import { kriOf } from './kri';
import type { Registry, ResourceDescriptor } from './registry';
import { decodeValue, put, unknownFieldReason } from './schema/decode';

/** Meta keys that are never part of a flat spec. */
const META_KEYS = new Set(['type', 'mesh', 'name', 'creationTime', 'modificationTime', 'labels', 'kri', 'creation_time', 'modification_time']);

/** The only top-level keys of a nested-spec (plugin) type; `status` is server-owned and ignored. */
const NESTED_TOP_KEYS = ['type', 'mesh', 'name', 'labels', 'spec', 'status', 'creationTime', 'modificationTime', 'kri'];
const NESTED_TOP = new Set([...NESTED_TOP_KEYS, 'creation_time', 'modification_time']);

/** The REST JSON object of a stored resource. */
/** The REST/YAML form of a resource; `status` (server-owned, computed) goes next to a nested spec. */
export function toRest(d: ResourceDescriptor, r: Resource, status?: Spec): Record<string, unknown> {
  const out: Record<string, unknown> = { type: r.type };
  if (d.scope === 'Mesh' && r.mesh) out.mesh = r.mesh;
  out.name = r.name;
  out.creationTime = r.creationTime;
  out.modificationTime = r.modificationTime;
  if (Object.keys(r.labels).length > 0) out.labels = r.labels;
  const kri = kriOf(d, r);
  if (kri) out.kri = kri;
  if (d.nestedSpec) {
    out.spec = r.spec;
    if (status) out.status = status;
  } else {
    Object.assign(out, r.spec);
  }
  return out;
}

export interface ParsedResource {
  descriptor: ResourceDescriptor;
  type: string;
  mesh: string;
  name: string;
  labels: Record<string, string>;
  spec: Spec;
  /** Fields the type does not have (and objects where a plain value belongs), by JSON path; every write path rejects them. */
  unknownFields: Violation[];
}

/**
 * Turns one REST/YAML document into its parts. Throws BadRequestError for a
 * document that is not an object or names no known type; field rules are
 * left to validation so that every violation is reported at once.
 */
export function fromRest(registry: Registry, doc: unknown, expectType?: string): ParsedResource {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new BadRequestError('the document must be a YAML/JSON object with at least "type" and "name"');
  }
  const obj = doc as Record<string, unknown>;
  const type = typeof obj.type === 'string' ? obj.type : expectType;
  if (!type) throw new BadRequestError('the resource has no "type"; add e.g. "type: Mesh"');
  const descriptor = registry.byName(type);
  if (!descriptor) throw new BadRequestError(`unknown type "${type}"; see "kuma get --help" for the list of types`);
  const unknownFields: Violation[] = [];
  let spec: Spec;
  if (descriptor.nestedSpec) {
    const s = obj.spec;
    if (s !== undefined && (s === null || typeof s !== 'object' || Array.isArray(s))) {
      throw new BadRequestError(`invalid ${type} object: "spec" must be an object`);
    }
    for (const k of Object.keys(obj)) {
      if (!NESTED_TOP.has(k)) unknownFields.push({ field: k, message: `${unknownFieldReason(k, NESTED_TOP_KEYS)}; the fields of a ${type} go under "spec"` });
    }
    spec = (s === undefined || s === null ? {} : decodeValue(descriptor.fields, s, 'spec', 0, unknownFields)) as Spec;
  } else {
    const flat: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (!META_KEYS.has(k)) put(flat, k, v);
    spec = decodeValue(descriptor.fields, flat, '', 0, unknownFields) as Spec;
    const nested = unknownFields.find((v) => v.field === 'spec');
    if (nested) nested.message += `; the fields of a ${type} sit at the top level, next to "type" and "name"`;
  }
  const labels = obj.labels && typeof obj.labels === 'object' && !Array.isArray(obj.labels) ? (obj.labels as Record<string, string>) : {};
  return {
    descriptor,
    type,
    mesh: descriptor.scope === 'Mesh' ? (typeof obj.mesh === 'string' ? obj.mesh : '') : '',
    name: typeof obj.name === 'string' ? obj.name : '',
    labels: { ...labels },
    spec: descriptor.normalize ? descriptor.normalize(spec) : spec,
    unknownFields,
  };
}

/** Splits a multi-document YAML (or JSON) text; empty documents are skipped. */
export function parseYamlDocuments(text: string): unknown[] {
  const docs = parseAllDocuments(text);
  const out: unknown[] = [];
  for (const [i, d] of docs.entries()) {
    if (d.errors.length > 0) {
      throw new BadRequestError(`resource[${i}]: failed to parse YAML: ${d.errors[0]!.message.split('\n')[0]}`);
    }
    const js = d.toJS();
    if (js === null || js === undefined) continue;
    out.push(js);
  }
  return out;
}
