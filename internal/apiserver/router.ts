/**
 * A minimal router: routes are tried in registration order; a pattern
 * segment `:name` captures one path segment. Specific routes are registered
 * before generic ones, so `/zones/_overview` wins over `/zones/:name`.
 *
 * Matching works on the raw request path, segment by segment, and decodes
 * each segment on its own. WHATWG URL parsing would first resolve `..`,
 * `%2e%2e` and `.` segments, turning a resource route into its parent's
 * (`/meshes/m/traffic-routes/..` into `/meshes/m`); here such a segment stays
 * a parameter value and fails its rule (path-params.ts) before any handler runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Violation } from '../errors';
import { PATH_PARAM_RULES } from './path-params';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  url: URL;
  /** Whether the caller is admin (localhost-is-admin). */
  admin: boolean;
}

export type Handler = (c: RequestContext) => void | Promise<void>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export type RouteMatch =
  | { handler: Handler; params: Record<string, string> }
  /** Only the method did not match. */
  | { allowed: string[] }
  /** A route matched but a parameter broke its rule (or a segment was not valid percent-encoding). */
  | { invalid: Violation[] };

export class Router {
  #routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): void {
    const segments = pattern.split('/').filter((s) => s.length > 0);
    for (const s of segments) {
      if (s.startsWith(':') && !PATH_PARAM_RULES[s.slice(1)]) {
        throw new Error(`route ${pattern}: parameter ${s} has no rule in path-params.ts`);
      }
    }
    this.#routes.push({ method, segments, handler });
  }

  /** The handler and params for a raw request path (no query), or why there is none; undefined when no route has this shape. */
  match(method: string, rawPath: string): RouteMatch | undefined {
    const segs = splitRaw(rawPath);
    if (!segs) return { invalid: [{ field: 'path', message: 'malformed percent-encoding in the request path' }] };
    const allowed: string[] = [];
    for (const r of this.#routes) {
      const params = matchSegments(r.segments, segs);
      if (!params) continue;
      if (r.method !== method) {
        allowed.push(r.method);
        continue;
      }
      const violations: Violation[] = [];
      for (const [k, v] of Object.entries(params)) violations.push(...PATH_PARAM_RULES[k]!(v, k));
      return violations.length ? { invalid: violations } : { handler: r.handler, params };
    }
    return allowed.length ? { allowed } : undefined;
  }
}

/** The path part of a request target, before any query or fragment. */
export function rawPathOf(target: string): string {
  const cut = target.search(/[?#]/);
  return cut < 0 ? target : target.slice(0, cut);
}

/**
 * Decoded segments of a raw path. Empty segments are kept (`/meshes//x` has an
 * empty mesh name, which its rule rejects); only the leading slash is dropped.
 */
function splitRaw(path: string): string[] | undefined {
  const body = path.startsWith('/') ? path.slice(1) : path;
  if (body === '') return [];
  const out: string[] = [];
  for (const s of body.split('/')) {
    try {
      out.push(decodeURIComponent(s));
    } catch {
      return undefined;
    }
  }
  return out;
}

function matchSegments(pattern: string[], segs: string[]): Record<string, string> | undefined {
  if (pattern.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segs[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return undefined;
  }
  return params;
}
