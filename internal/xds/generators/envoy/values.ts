/**
 * Reading loose policy JSON into typed values, and the small protobuf value types Envoy wants.
 *
 * Legacy policy `conf` objects are stored as the user wrote them (snake_case or camelCase, see
 * resources/codec.ts DATA_MAP_KEYS), so field access accepts both spellings.
 */
import type { Duration } from '../../../../proto/gen/google/protobuf/duration';
import { durationMs, isDuration } from '../../../resources/validation';

export type Obj = Record<string, unknown>;

const snakeNames = new Map<string, string>();

/** `connectTimeout` -> `connect_timeout`; field names are few, so the conversion is computed once each. */
function snake(camel: string): string {
  let s = snakeNames.get(camel);
  if (s === undefined) snakeNames.set(camel, (s = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)));
  return s;
}

/** A field by its camelCase name, or its snake_case spelling. */
export function field(o: unknown, camel: string): unknown {
  if (typeof o !== 'object' || o === null) return undefined;
  const r = o as Obj;
  return r[camel] !== undefined ? r[camel] : r[snake(camel)];
}

export function objAt(o: unknown, camel: string): Obj | undefined {
  const v = field(o, camel);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

export function listAt(o: unknown, camel: string): unknown[] {
  const v = field(o, camel);
  return Array.isArray(v) ? v : [];
}

export function strAt(o: unknown, camel: string): string | undefined {
  const v = field(o, camel);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function boolAt(o: unknown, camel: string): boolean | undefined {
  const v = field(o, camel);
  return typeof v === 'boolean' ? v : undefined;
}

/** A non-negative integer (also from a numeric string, as proto JSON prints uint64). */
export function uintAt(o: unknown, camel: string): number | undefined {
  const v = field(o, camel);
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** A number, also from a decimal string (k8s IntOrString / proto JSON doubles). */
export function numberAt(o: unknown, camel: string): number | undefined {
  const v = field(o, camel);
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** A duration field ("5s", "1h30m", "250ms", proto "0.5s") in milliseconds. */
export function msAt(o: unknown, camel: string): number | undefined {
  const v = field(o, camel);
  if (typeof v !== 'string' || !isDuration(v)) return undefined;
  const ms = durationMs(v);
  return ms !== undefined && ms >= 0 ? ms : undefined;
}

/** google.protobuf.Duration from milliseconds (sub-millisecond precision kept in nanos). */
export function duration(ms: number): Duration {
  const totalNanos = Math.round(ms * 1e6);
  const seconds = Math.floor(totalNanos / 1e9);
  return { seconds: String(seconds), nanos: totalNanos - seconds * 1e9 };
}

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
