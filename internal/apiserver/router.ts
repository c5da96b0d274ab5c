/**
 * A minimal router: routes are tried in registration order; a pattern
 * segment `:name` captures one path segment. Specific routes are registered
 * before generic ones, so `/zones/_overview` wins over `/zones/:name`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { User } from '../auth/user';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  url: URL;
  /** Who is calling (authn.ts): local admin, a user token's user, or anonymous. */
  user: User;
}

export type Handler = (c: RequestContext) => void | Promise<void>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export class Router {
  #routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): void {
    this.#routes.push({ method, segments: split(pattern), handler });
  }

  /** The handler and params for a request, or a list of allowed methods when only the method did not match. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | { allowed: string[] } | undefined {
    const segs = split(path);
    const allowed: string[] = [];
    for (const r of this.#routes) {
      const params = matchSegments(r.segments, segs);
      if (!params) continue;
      if (r.method === method) return { handler: r.handler, params };
      allowed.push(r.method);
    }
    return allowed.length ? { allowed } : undefined;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function matchSegments(pattern: string[], segs: string[]): Record<string, string> | undefined {
  if (pattern.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    let s: string;
    try {
      s = decodeURIComponent(segs[i]!);
    } catch {
      return undefined;
    }
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return undefined;
  }
  return params;
}
