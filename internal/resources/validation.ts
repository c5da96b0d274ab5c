/**
 * Small building blocks for type validators. A validator walks a spec and
 * collects every violation (field path + Kuma's message) instead of stopping
 * at the first, so a user fixes a file in one round.
 */
import type { Violation } from '../errors';

export class Violations {
  readonly list: Violation[] = [];

  add(field: string, message: string): void {
    this.list.push({ field, message });
  }

  addAll(prefix: string, vs: Violation[]): void {
    for (const v of vs) this.list.push({ field: join(prefix, v.field), message: v.message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}

/** Joins a field path: join("a", "b") = "a.b", join("a", "[0]") = "a[0]". */
export function join(prefix: string, field: string): string {
  if (!prefix) return field;
  if (!field) return prefix;
  return field.startsWith('[') ? prefix + field : `${prefix}.${field}`;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

/** Go/protobuf duration strings as Kuma accepts them: "5s", "1h30m", "250ms", "0s". */
const DURATION_RE = /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^0$/;

export function isDuration(v: unknown): v is string {
  return typeof v === 'string' && DURATION_RE.test(v);
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "1h30m" / "250ms" / "10y"-free durations to milliseconds; undefined if malformed. */
const parsedDurations = new Map<string, number | undefined>();
const PARSED_DURATIONS_MAX = 10_000;

export function durationMs(v: string): number | undefined {
  // Policies repeat the same few durations for every proxy: parse each spelling once.
  if (parsedDurations.has(v)) return parsedDurations.get(v);
  const ms = parseDurationMs(v);
  if (parsedDurations.size < PARSED_DURATIONS_MAX) parsedDurations.set(v, ms);
  return ms;
}

function parseDurationMs(v: string): number | undefined {
  if (v === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  const neg = v.startsWith('-');
  const body = neg ? v.slice(1) : v;
  for (const m of body.matchAll(re)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed !== body.length || consumed === 0) return undefined;
  return neg ? -total : total;
}

/** A positive duration ("> 0"), the common rule for intervals and timeouts. */
export function checkPositiveDuration(vs: Violations, field: string, v: unknown, required = false): void {
  if (v === undefined || v === null) {
    if (required) vs.add(field, 'has to be defined');
    return;
  }
  if (!isDuration(v)) {
    vs.add(field, 'must be a valid duration, e.g. "5s", "1m30s" or "250ms"');
    return;
  }
  const ms = durationMs(v);
  if (ms === undefined || ms <= 0) vs.add(field, 'must be greater than 0');
}

export function checkDurationIfSet(vs: Violations, field: string, v: unknown): void {
  if (v === undefined || v === null) return;
  if (!isDuration(v)) vs.add(field, 'must be a valid duration, e.g. "5s", "1m30s" or "250ms"');
}

export function checkUint32(vs: Violations, field: string, v: unknown, opts: { min?: number; max?: number } = {}): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 4294967295) {
    vs.add(field, 'must be a non-negative integer');
    return;
  }
  if (opts.min !== undefined && v < opts.min) vs.add(field, `must be greater than or equal to ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) vs.add(field, `must be less than or equal to ${opts.max}`);
}

export function checkPort(vs: Violations, field: string, v: unknown, required = false): void {
  if (v === undefined || v === null) {
    if (required) vs.add(field, 'port must be in the range [1, 65535]');
    return;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    vs.add(field, 'port must be in the range [1, 65535]');
  }
}

export function checkEnum(vs: Violations, field: string, v: unknown, allowed: readonly string[]): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'string' || !allowed.includes(v)) {
    vs.add(field, `must be one of: ${allowed.join(', ')}`);
  }
}

// Tag character sets, pkg/core/resources/apis/mesh/validators.go.
const TAG_NAME_RE = /^[a-zA-Z0-9.\-_:/]+$/;
const TAG_VALUE_RE = /^[a-zA-Z0-9.\-_:]+$/;

/** Validates a tag map as Kuma does for Dataplane inbounds and selectors. */
export function checkTags(
  vs: Violations,
  field: string,
  tags: unknown,
  opts: { requireService?: boolean; allowWildcard?: boolean } = {},
): void {
  if (tags === undefined || tags === null) {
    if (opts.requireService) vs.add(`${field}["kuma.io/service"]`, 'tag has to exist');
    return;
  }
  if (!isObject(tags)) {
    vs.add(field, 'must be a map of tag name to value');
    return;
  }
  for (const [k, v] of Object.entries(tags)) {
    if (k === '') vs.add(field, 'tag name must be non-empty');
    else if (!TAG_NAME_RE.test(k)) {
      vs.add(`${field}["${k}"]`, 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores');
    }
    if (typeof v !== 'string' || v === '') {
      vs.add(`${field}["${k}"]`, 'tag value must be non-empty');
    } else if (!(opts.allowWildcard && v === '*') && !TAG_VALUE_RE.test(v)) {
      vs.add(`${field}["${k}"]`, 'tag value must consist of alphanumeric characters, dots, dashes and underscores');
    }
  }
  if (opts.requireService && !('kuma.io/service' in tags)) {
    vs.add(`${field}["kuma.io/service"]`, 'tag has to exist');
  }
}

/** Legacy selector lists (sources/destinations): at least one, each with a non-empty match. */
export function checkSelectors(vs: Violations, field: string, selectors: unknown, opts: { required: boolean; requireService?: boolean }): void {
  if (selectors === undefined || selectors === null || (Array.isArray(selectors) && selectors.length === 0)) {
    if (opts.required) vs.add(field, 'must have at least one element');
    return;
  }
  if (!Array.isArray(selectors)) {
    vs.add(field, 'must be a list of selectors');
    return;
  }
  selectors.forEach((s, i) => {
    const f = `${field}[${i}].match`;
    const match = isObject(s) ? s.match : undefined;
    if (!isObject(match) || Object.keys(match).length === 0) {
      vs.add(f, 'must have at least one tag');
      return;
    }
    checkTags(vs, f, match, { allowWildcard: true });
    if (opts.requireService && !('kuma.io/service' in match)) vs.add(`${f}["kuma.io/service"]`, 'tag has to exist');
  });
}

// ---------------------------------------------------------------------------
// Building blocks for the per-type validators in types/. Messages are Kuma's
// (pkg/core/validators/messages.go, pkg/core/resources/apis/mesh/validators.go)
// so that a violation reads the same as it would against a Kuma CP.
// ---------------------------------------------------------------------------

export const MUST_BE_DEFINED = 'must be defined';
export const MUST_NOT_BE_DEFINED = 'must not be defined';

/** True for a value that is absent in jsonpb terms (undefined or null). */
export function isUnset(v: unknown): v is undefined | null {
  return v === undefined || v === null;
}

/** Returns the object at `field`, or undefined (recording a violation) when it is set but not an object. */
export function objectAt(vs: Violations, field: string, v: unknown): Record<string, unknown> | undefined {
  if (isUnset(v)) return undefined;
  if (!isObject(v)) {
    vs.add(field, 'must be an object');
    return undefined;
  }
  return v;
}

/** Returns the list at `field` ([] when unset), recording a violation when it is set but not a list. */
export function listAt(vs: Violations, field: string, v: unknown): unknown[] {
  if (isUnset(v)) return [];
  if (!Array.isArray(v)) {
    vs.add(field, 'must be a list');
    return [];
  }
  return v;
}

export function checkBool(vs: Violations, field: string, v: unknown): void {
  if (isUnset(v)) return;
  if (typeof v !== 'boolean') vs.add(field, 'must be true or false');
}

export function checkString(vs: Violations, field: string, v: unknown, required = false): void {
  if (isUnset(v) || v === '') {
    if (required) vs.add(field, MUST_BE_DEFINED);
    return;
  }
  if (typeof v !== 'string') vs.add(field, 'must be a string');
}

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** IPv4 dotted quad or an IPv6 literal (what Go's net.ParseIP accepts, minus zones). */
export function isIP(v: string): boolean {
  if (IPV4_RE.test(v)) return true;
  if (!v.includes(':') || !/^[0-9a-fA-F:.]+$/.test(v)) return false;
  const parts = v.split('::');
  if (parts.length > 2) return false;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const all = [...groups(parts[0]!), ...(parts.length === 2 ? groups(parts[1]!) : [])];
  const last = all[all.length - 1];
  const v4Tail = last !== undefined && last.includes('.');
  if (v4Tail && !IPV4_RE.test(last)) return false;
  const hex = v4Tail ? all.slice(0, -1) : all;
  if (!hex.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const width = hex.length + (v4Tail ? 2 : 0);
  return parts.length === 2 ? width < 8 : width === 8;
}

/** True for 0.0.0.0 and :: (Go's IP.IsUnspecified). */
export function isUnspecifiedIP(v: string): boolean {
  return v === '0.0.0.0' || (/^[0:]+$/.test(v) && isIP(v));
}

// govalidator.IsDNSName: labels of [a-zA-Z0-9_-], not starting/ending with '-', total <= 253.
const DNS_LABEL_RE = /^([a-zA-Z0-9_]|[a-zA-Z0-9_][a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])$/;

export function isDNSName(v: string): boolean {
  if (v === '' || v.length > 253) return false;
  const name = v.endsWith('.') ? v.slice(0, -1) : v;
  if (isIP(name)) return false;
  return name.split('.').every((l) => DNS_LABEL_RE.test(l));
}

/** A proxy's networking.address (Kuma dataplane_validator.go validateAddress). */
export function checkProxyAddress(vs: Violations, field: string, v: unknown): void {
  if (isUnset(v) || v === '') {
    vs.add(field, "address can't be empty");
    return;
  }
  if (typeof v !== 'string') {
    vs.add(field, 'address has to be valid IP address or domain name');
    return;
  }
  if (v === '0.0.0.0' || v === '::') vs.add(field, 'must not be 0.0.0.0 or ::');
  if (!isIP(v) && !isDNSName(v)) vs.add(field, 'address has to be valid IP address or domain name');
}

function durationOrViolation(vs: Violations, field: string, v: unknown): number | undefined {
  if (!isDuration(v)) {
    vs.add(field, 'must be a valid duration, e.g. "5s", "1m30s" or "250ms"');
    return undefined;
  }
  return durationMs(v);
}

/** targetRef policies: durations that may be 0 but not negative (ValidateDurationNotNegativeOrNil). */
export function checkDurationNotNegative(vs: Violations, field: string, v: unknown): void {
  if (isUnset(v)) return;
  const ms = durationOrViolation(vs, field, v);
  if (ms !== undefined && ms < 0) vs.add(field, 'must not be negative when defined');
}

/** targetRef policies: durations that must be > 0 when set (ValidateDurationGreaterThanZeroOrNil). */
export function checkDurationGreaterThanZero(vs: Violations, field: string, v: unknown): void {
  if (isUnset(v)) return;
  const ms = durationOrViolation(vs, field, v);
  if (ms !== undefined && ms <= 0) vs.add(field, 'must be greater than zero when defined');
}

/** Integer > 0 when set (ValidateIntegerGreaterThanZeroOrNil). */
export function checkIntGreaterThanZero(vs: Violations, field: string, v: unknown): void {
  if (isUnset(v)) return;
  if (typeof v !== 'number' || !Number.isInteger(v)) vs.add(field, 'must be an integer');
  else if (v <= 0) vs.add(field, 'must be greater than 0');
}

/** Integer percentage 0..100 when set (ValidateUInt32PercentageOrNil). */
export function checkIntPercentage(vs: Violations, field: string, v: unknown): void {
  if (isUnset(v)) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) vs.add(field, 'must be in inclusive range [0, 100]');
}

/** Int-or-string decimal percentage 0..100 (ValidatePercentageOrNil); `required` adds "must be defined". */
export function checkDecimalPercentage(vs: Violations, field: string, v: unknown, opts: { required?: boolean; allowZero?: boolean } = {}): void {
  if (isUnset(v)) {
    if (opts.required) vs.add(field, MUST_BE_DEFINED);
    return;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  if (Number.isNaN(n)) {
    vs.add(field, 'string must be a valid number');
    return;
  }
  if (n < 0 || n > 100) vs.add(field, 'must be in inclusive range [0.0, 100.0]');
  else if (opts.allowZero === false && n === 0) vs.add(field, 'must be greater than 0');
}

/** "must have at least one defined: a, b" (validators.MustHaveAtLeastOne). */
export function mustHaveAtLeastOne(...fields: string[]): string {
  return `must have at least one defined: ${fields.join(', ')}`;
}

/** An OTLP/gRPC collector as Kuma's generators dial it: `host` or `host:port` (port 4317 by default). */
export function isOtelGrpcEndpoint(v: string): boolean {
  const m = /^([^:\s/]+)(?::(\d+))?$/.exec(v);
  return m !== null && (m[2] === undefined || (Number(m[2]) >= 1 && Number(m[2]) <= 65535));
}
