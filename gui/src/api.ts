/** The REST API as the UI reads it: same origin, JSON, polled so pages stay live. */
import { useEffect, useState } from 'preact/hooks';

export const REFRESH_MS = 3000;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T = any>(path: string): Promise<T> {
  const r = await fetch(path, { headers: { accept: 'application/json' } });
  const text = await r.text();
  if (!r.ok) {
    let detail = text;
    try {
      const j = JSON.parse(text);
      detail = j.detail ?? j.title ?? text;
    } catch {
      // not JSON: keep the text
    }
    throw new ApiError(r.status, `${r.status}: ${detail}`);
  }
  return JSON.parse(text) as T;
}

export async function getText(path: string): Promise<string> {
  const r = await fetch(path);
  const text = await r.text();
  if (!r.ok) throw new ApiError(r.status, `${r.status}: ${text.slice(0, 300)}`);
  return text;
}

export interface Polled<T> {
  data?: T;
  error?: ApiError | Error;
  loading: boolean;
}

/** Fetches `path` now and every REFRESH_MS (or once when `every` is 0); a new path starts over. */
export function usePoll<T = any>(path: string | null, every = REFRESH_MS, fetcher: (p: string) => Promise<T> = getJson): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ loading: true });
  useEffect(() => {
    if (!path) return;
    let alive = true;
    let timer: number | undefined;
    setState({ loading: true });
    const tick = async () => {
      try {
        const data = await fetcher(path);
        if (alive) setState({ data, loading: false });
      } catch (e) {
        if (alive) setState((s) => ({ data: s.data, error: e as Error, loading: false }));
      }
      if (alive && every > 0) timer = window.setTimeout(tick, every);
    };
    void tick();
    return () => {
      alive = false;
      if (timer) clearTimeout(timer);
    };
  }, [path]);
  return state;
}

export interface Page<T> {
  total: number;
  items: T[];
  next: string | null;
}

/** Query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | string[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.filter(Boolean).forEach((x) => q.append(k, x));
    else if (v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;
