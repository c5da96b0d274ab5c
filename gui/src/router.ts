/** Hash routing (`#/meshes/default/dataplanes?status=offline`): every page and item has a URL that survives a reload. */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  segments: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const i = h.indexOf('?');
  const path = i < 0 ? h : h.slice(0, i);
  return { segments: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(i < 0 ? '' : h.slice(i + 1)) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** A hash link to `segments` with `query`. */
export function href(segments: string[], query?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) q.set(k, v);
  const s = q.toString();
  return `#/${segments.map(encodeURIComponent).join('/')}${s ? `?${s}` : ''}`;
}

/** Replaces the current query (filters, page) keeping the path; history gets one entry per change. */
export function setQuery(route: Route, changes: Record<string, string | undefined>): void {
  const q: Record<string, string | undefined> = Object.fromEntries(route.query);
  Object.assign(q, changes);
  location.hash = href(route.segments, q);
}
