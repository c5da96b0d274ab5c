/**
 * Readiness of lab components over HTTP: a control plane's /ready on its
 * diagnostics port, an Envoy admin's /ready (200 and LIVE), a demo app's /.
 */
import type { Readiness } from './plan';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One check: true when the component answers as ready within `timeoutMs`. */
export async function probe(r: Readiness, timeoutMs = 1000): Promise<boolean> {
  return (await probeDetail(r, timeoutMs)) === undefined;
}

/** One check: undefined when ready, otherwise what was seen. */
export async function probeDetail(r: Readiness, timeoutMs = 1000): Promise<string | undefined> {
  try {
    const res = await fetch(r.url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (res.status !== 200) return `${r.url} answered ${res.status} ${text.trim().slice(0, 200)}`;
    if (r.expect === 'live' && !text.includes('LIVE')) return `${r.url} answered ${text.trim().slice(0, 200)}`;
    return undefined;
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return `${r.url}: ${cause ?? (e as Error).message}`;
  }
}

export class NotReadyError extends Error {}

/**
 * Polls until ready. Fails early when `stop` resolves (the process died, or
 * the user interrupted: its text is the error) or after `timeoutMs` with the
 * last answer. Returns how long it took.
 */
export async function waitReady(r: Readiness, opts: { timeoutMs: number; stop?: Promise<string>; intervalMs?: number }): Promise<number> {
  const t0 = Date.now();
  let stopped: string | undefined;
  void opts.stop?.then((why) => (stopped = why));
  for (;;) {
    if (stopped) throw new NotReadyError(stopped);
    const last = await probeDetail(r, 1000);
    if (last === undefined) return Date.now() - t0;
    if (stopped) throw new NotReadyError(stopped);
    if (Date.now() - t0 > opts.timeoutMs) throw new NotReadyError(`not ready after ${Math.round(opts.timeoutMs / 1000)} s (${last})`);
    await sleep(opts.intervalMs ?? 100);
  }
}

/** "0.4 s" */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
