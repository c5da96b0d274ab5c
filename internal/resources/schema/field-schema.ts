/**
 * What fields a resource spec may hold, per type, so that decoding can turn
 * snake_case field names into camelCase (but never the keys of data maps such
 * as tags) and name every unknown field by its JSON path, as Kuma's strict
 * proto/JSON decoding does. A list is written like its element: the decoder
 * walks arrays transparently.
 */
import { PROTO_FIELDS } from './proto-fields.gen';

/** A plain JSON value: string, number, bool, enum, wrapper, Duration, bytes. */
export const VALUE = 'value' as const;
/** Free-form JSON (google.protobuf.Struct, Any): not checked. */
export const FREE = 'free' as const;

export interface MessageSchema {
  readonly kind: 'message';
  /** camelCase field name -> what it holds. */
  readonly fields: ReadonlyMap<string, FieldSchema>;
}

export interface MapSchema {
  readonly kind: 'map';
  readonly value: FieldSchema;
}

export type FieldSchema = typeof VALUE | typeof FREE | MessageSchema | MapSchema;

/** A message whose fields are listed (a Go API struct of a targetRef policy). */
export function message(fields: Record<string, FieldSchema>): MessageSchema {
  return { kind: 'message', fields: new Map(Object.entries(fields)) };
}

export function mapOf(value: FieldSchema): MapSchema {
  return { kind: 'map', value };
}

/** A map whose keys and values are free strings: tags, labels, selectors' match. */
export const STRING_MAP: MapSchema = mapOf(VALUE);

const protoCache = new Map<string, MessageSchema>();

function protoKind(code: string): FieldSchema {
  if (code === '') return VALUE;
  if (code === '*') return FREE;
  if (code.startsWith('map:')) return mapOf(protoKind(code.slice(4)));
  return protoMessage(code);
}

/**
 * The schema of a protobuf message of Kuma 2.14 (e.g. "kuma.mesh.v1alpha1.Mesh"),
 * built once from the generated field tables; recursive messages share one object.
 */
export function protoMessage(name: string): MessageSchema {
  const cached = protoCache.get(name);
  if (cached) return cached;
  const table = PROTO_FIELDS[name];
  if (!table) throw new Error(`no protobuf field table for ${name}; regenerate with scripts/gen-resource-fields.mjs`);
  const fields = new Map<string, FieldSchema>();
  const schema: MessageSchema = { kind: 'message', fields };
  protoCache.set(name, schema);
  for (const [field, code] of Object.entries(table)) fields.set(field, protoKind(code));
  return schema;
}
