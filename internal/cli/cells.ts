/**
 * Table cell formatters of kumactl (app/kumactl/pkg/output/table/cells.go,
 * spec kuma-api-cli.md §3.4). Pure: the caller passes `now`.
 */

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_HOURS = 24;
const YEAR_DAYS = 365;
/** Go's time.Time.Sub saturates at the int64-nanosecond range (about 292 years). */
const MAX_GO_DURATION_MS = 9_223_372_036_854;

function since(then: number, now: number): number {
  return Math.max(-MAX_GO_DURATION_MS, Math.min(MAX_GO_DURATION_MS, now - then));
}

/**
 * A readable duration: `Ns` below a minute, `Nm` below an hour, `Nh` below a
 * day, `Nd` below a year, else `Ny`. More than a second negative (a time in
 * the future) is `never`; slightly negative is `0s`. Go truncates toward
 * zero, and so do we.
 */
export function formatDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND_MS);
  if (seconds < -1) return 'never';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE_MS);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR_MS);
  if (hours < DAY_HOURS) return `${hours}h`;
  if (hours < DAY_HOURS * YEAR_DAYS) return `${Math.trunc(hours / DAY_HOURS)}d`;
  return `${Math.trunc(ms / HOUR_MS / DAY_HOURS / YEAR_DAYS)}y`;
}

/** Parses an RFC3339 time; undefined when absent or malformed. */
export function parseTime(t: unknown): number | undefined {
  if (typeof t !== 'string' || t === '') return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** How long ago `t` was: `never` when there is no time (table.Ago). */
export function ago(t: unknown, now: number): string {
  const ms = parseTime(t);
  return ms === undefined ? 'never' : formatDuration(since(ms, now));
}

/** Age of a resource from its modificationTime (table.TimeSince); the Go zero time if unset. */
export function age(t: unknown, now: number): string {
  const ms = parseTime(t) ?? Date.parse('0001-01-01T00:00:00Z');
  return formatDuration(since(ms, now));
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, or `-` (table.Date). */
export function date(t: unknown): string {
  const ms = parseTime(t);
  if (ms === undefined) return '-';
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function onOff(on: unknown): string {
  return on === true ? 'on' : 'off';
}

/** jsonpb prints uint64 counters as strings; missing is 0. */
export function count(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return 0;
}

/**
 * Kuma's MultiValueTagSet.String(): tag names sorted, each `name=v1,v2` with
 * its distinct values sorted, pairs separated by a space.
 */
export function tagSetString(tagMaps: unknown[]): string {
  const values = new Map<string, Set<string>>();
  for (const tags of tagMaps) {
    if (!tags || typeof tags !== 'object') continue;
    for (const [k, v] of Object.entries(tags as Record<string, unknown>)) {
      if (typeof v !== 'string') continue;
      if (!values.has(k)) values.set(k, new Set());
      values.get(k)!.add(v);
    }
  }
  return [...values.keys()]
    .sort()
    .map((k) => `${k}=${[...values.get(k)!].sort().join(',')}`)
    .join(' ');
}
