/**
 * One walk of a REST/YAML spec against its field schema: drops nulls (jsonpb
 * omits unset fields), turns snake_case field names into camelCase (never
 * the keys of data maps or free-form JSON), and collects every unknown field
 * with its JSON path. Write paths reject a spec with unknown fields; other
 * readers of a document (a proxy's own resource) may ignore them.
 */
import type { Violation } from '../../errors';
import type { FieldSchema, MessageSchema } from './field-schema';

/** Deeper than any Kuma spec: a hostile document cannot exhaust the stack. */
export const MAX_DEPTH = 64;

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;

export function camel(k: string): string {
  return k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function fieldPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function mapEntryPath(path: string, key: string): string {
  return `${path}[${JSON.stringify(key)}]`;
}

function editDistanceAtMost2(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]! <= 2;
}

/** `unknown field "x"` plus the closest known name, or the known names when there are few. */
export function unknownFieldReason(key: string, known: Iterable<string>): string {
  const names = [...known];
  const lower = camel(key).toLowerCase();
  const close = names.find((n) => n.toLowerCase() === lower) ?? names.find((n) => editDistanceAtMost2(n.toLowerCase(), lower));
  if (close) return `unknown field "${key}", did you mean "${close}"?`;
  if (names.length === 0) return `unknown field "${key}": this object has no fields`;
  if (names.length <= 12) return `unknown field "${key}"; known fields: ${names.join(', ')}`;
  return `unknown field "${key}"`;
}

/** Sets an own property even for the key "__proto__" (a plain assignment would replace the prototype). */
export function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function tooDeep(path: string, out: Violation[]): void {
  out.push({ field: path, message: `is nested deeper than ${MAX_DEPTH} levels` });
}

/** Free-form JSON: only nulls are dropped. */
function dropNulls(v: unknown, path: string, depth: number, out: Violation[]): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (depth > MAX_DEPTH) {
    tooDeep(path, out);
    return undefined;
  }
  if (Array.isArray(v)) return v.map((x, i) => dropNulls(x, `${path}[${i}]`, depth + 1, out));
  const res: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val === null || val === undefined) continue;
    put(res, k, dropNulls(val, mapEntryPath(path, k), depth + 1, out));
  }
  return res;
}

function decodeMessage(schema: MessageSchema, v: Record<string, unknown>, path: string, depth: number, out: Violation[]): Record<string, unknown> {
  const res: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) {
    const key = SNAKE.test(k) ? camel(k) : k;
    const field = schema.fields.get(key);
    if (field === undefined) {
      // Reported even when null (as protojson does), and left out of the spec: a reader that tolerates unknown fields ignores them.
      out.push({ field: fieldPath(path, k), message: unknownFieldReason(k, schema.fields.keys()) });
      continue;
    }
    if (val === null || val === undefined) continue;
    const decoded = decodeValue(field, val, fieldPath(path, key), depth + 1, out);
    if (decoded !== undefined) res[key] = decoded;
  }
  return res;
}

/**
 * Decodes `v` held by a field of schema `schema` at JSON path `path`, pushing
 * every unknown field (and over-deep nesting) onto `out`.
 */
export function decodeValue(schema: FieldSchema, v: unknown, path: string, depth: number, out: Violation[]): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (depth > MAX_DEPTH) {
    tooDeep(path, out);
    return undefined;
  }
  if (Array.isArray(v)) return v.map((x, i) => decodeValue(schema, x, `${path}[${i}]`, depth + 1, out));
  const obj = v as Record<string, unknown>;
  if (schema === 'free') return dropNulls(obj, path, depth, out);
  if (schema === 'value') {
    // A scalar, enum, wrapper or Duration is never an object in proto JSON: keys here would be stored unchecked.
    out.push({ field: path, message: 'must be a plain value (string, number or boolean), not an object' });
    return undefined;
  }
  if (schema.kind === 'map') {
    const res: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(obj)) {
      if (val === null || val === undefined) continue;
      put(res, k, decodeValue(schema.value, val, mapEntryPath(path, k), depth + 1, out));
    }
    return res;
  }
  return decodeMessage(schema, obj, path, depth, out);
}
