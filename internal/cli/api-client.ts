/**
 * The kumactl side of the control plane's REST API, on undici. It knows the
 * coordinates of one control plane from the kumactl config (URL, headers,
 * token, TLS files) and turns every non-2xx answer into an ApiError whose
 * message is Kuma's error body on one line. undici is imported on first use
 * so commands that never talk to a control plane do not load it.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import { ApiError, ConfigError } from '../errors';
import { apiErrorFromResponse } from './api-errors';
import type { ApiServerCoordinates } from './kumactl-config';

export const DEFAULT_API_TIMEOUT_MS = 60_000;

export type Query = Record<string, string | string[] | number | undefined>;

export interface ApiResponse {
  status: number;
  text: string;
}

/**
 * URL parsing (undici, WHATWG) resolves `.` and `..` segments, also spelled
 * `%2e`: a name `..` in `/meshes/m/traffic-routes/..` would be sent as
 * `/meshes/m`, and a delete would hit the Mesh. No resource is named so.
 */
function assertNoDotSegments(path: string): void {
  for (const seg of path.split('/')) {
    let s = seg;
    try {
      s = decodeURIComponent(seg);
    } catch {
      // left for the server to refuse
    }
    if (s === '.' || s === '..') {
      throw new ConfigError(`"${s}" is not a valid name: a resource or mesh name must be a lowercase RFC 1123 subdomain (letters, digits, '-' and '.', starting and ending with a letter or digit)`);
    }
  }
}

/** Auth types kumactl knows (Kuma's kumactl has only the `tokens` plugin). */
export const AUTH_TYPES = ['tokens'];

/** The CA bundle of `caCertFile`, checked to hold at least one PEM certificate. */
export function readCaCertFile(file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    throw new ConfigError(`could not read the CA certificate file "${file}" (--ca-cert-file): ${(e as Error).message}`);
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new ConfigError(`the CA certificate file "${file}" (--ca-cert-file) does not hold a PEM certificate; use the control plane's certificate, e.g. <workDir>/kuma-cp.crt`);
  }
  return pem;
}

/** The Authorization header of the coordinates, refusing auth types kumactl does not know. */
export function authorizationHeader(coords: ApiServerCoordinates): string | undefined {
  if (!coords.authType) return undefined;
  if (!AUTH_TYPES.includes(coords.authType)) {
    throw new ConfigError(`authentication plugin of type ${JSON.stringify(coords.authType)} is not found; the supported auth type is "tokens" (authType in the kumactl config)`);
  }
  const token = coords.authConf?.token;
  if (!token) throw new ConfigError('authType "tokens" needs authConf.token in the kumactl config; add it with --auth-conf token=YOUR_TOKEN');
  return `Bearer ${token}`;
}

export class ApiClient {
  readonly baseUrl: string;
  #coords: ApiServerCoordinates;
  #timeoutMs: number;
  #dispatcher: Dispatcher | undefined;

  /** `--log-level info|debug`: one line per request on stderr. */
  onRequest?: (line: string) => void;

  constructor(coords: ApiServerCoordinates, timeoutMs = DEFAULT_API_TIMEOUT_MS) {
    if (!/^https?:\/\//.test(coords.url)) {
      throw new ConfigError(`API Server URL is invalid: "${coords.url}" must start with http:// or https://`);
    }
    this.baseUrl = coords.url.replace(/\/+$/, '');
    this.#coords = coords;
    this.#timeoutMs = timeoutMs;
  }

  /** Absolute URL of an API path, with its query. */
  url(path: string, query: Query = {}): string {
    assertNoDotSegments(path);
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
    }
    const q = qs.toString();
    return `${this.baseUrl}${path.startsWith('/') ? path : `/${path}`}${q ? `?${q}` : ''}`;
  }

  #headers(hasBody: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json' };
    if (hasBody) h['content-type'] = 'application/json';
    for (const { key, value } of this.#coords.headers ?? []) h[key.toLowerCase()] = value;
    const auth = authorizationHeader(this.#coords);
    if (auth) h.authorization = auth;
    return h;
  }

  async #getDispatcher(): Promise<Dispatcher> {
    if (this.#dispatcher) return this.#dispatcher;
    const { Agent } = await import('undici');
    const c = this.#coords;
    const read = (f: string | undefined, what: string) => {
      if (!f) return undefined;
      try {
        return readFileSync(f);
      } catch (e) {
        throw new ConfigError(`could not read the ${what} file "${f}": ${(e as Error).message}`);
      }
    };
    this.#dispatcher = new Agent({
      connect: {
        rejectUnauthorized: !c.skipVerify,
        ca: c.caCertFile ? readCaCertFile(c.caCertFile) : undefined,
        cert: read(c.clientCertFile, 'client certificate'),
        key: read(c.clientKeyFile, 'client key'),
      },
    });
    return this.#dispatcher;
  }

  /** Sends one request; transport failures and timeouts become an ApiError with status 0. */
  async send(method: 'GET' | 'PUT' | 'DELETE' | 'POST', path: string, opts: { query?: Query; body?: unknown } = {}): Promise<ApiResponse> {
    const { request } = await import('undici');
    const url = this.url(path, opts.query);
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    try {
      const res = await request(url, {
        method,
        headers: this.#headers(body !== undefined),
        body,
        dispatcher: await this.#getDispatcher(),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const text = await res.body.text();
      this.onRequest?.(`${method} ${url} -> ${res.statusCode}`);
      return { status: res.statusCode, text };
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      const err = e as Error & { code?: string; cause?: Error };
      if (err.name === 'TimeoutError' || err.name === 'AbortError') {
        throw new ApiError(0, `${method} ${url}: no answer from the control plane within ${this.#timeoutMs / 1000}s (see --api-timeout)`);
      }
      const reason = err.cause?.message || err.message || err.code || String(e);
      const code = (err.cause as { code?: string } | undefined)?.code ?? err.code ?? '';
      const hint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME|ALTNAME/.test(code)
        ? ' (the server certificate is not trusted: pass --ca-cert-file with the control plane certificate, or --skip-verify)'
        : '';
      throw new ApiError(0, `could not connect to the Control Plane API Server at ${this.baseUrl}: ${reason}${hint}`);
    }
  }

  /** GET that must succeed; the parsed JSON body. */
  async getJson<T = unknown>(path: string, query?: Query): Promise<T> {
    return this.#ok(await this.send('GET', path, { query }));
  }

  /** GET that must succeed; the body as the server sent it (the Envoy admin pass-through of `inspect dataplane`). */
  async getText(path: string, query?: Query): Promise<string> {
    const res = await this.send('GET', path, { query });
    if (res.status < 200 || res.status >= 300) throw apiErrorFromResponse(res.status, res.text);
    return res.text;
  }

  /** GET that may find nothing: undefined on 404. */
  async getOptional<T = unknown>(path: string, query?: Query): Promise<T | undefined> {
    const res = await this.send('GET', path, { query });
    if (res.status === 404) return undefined;
    return this.#ok(res);
  }

  async putJson<T = unknown>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const res = await this.send('PUT', path, { body });
    return { status: res.status, body: this.#ok(res) };
  }

  #ok<T>(res: ApiResponse): T {
    if (res.status < 200 || res.status >= 300) throw apiErrorFromResponse(res.status, res.text);
    if (res.text.trim() === '') return {} as T;
    try {
      return JSON.parse(res.text) as T;
    } catch {
      throw new ApiError(res.status, `the control plane answered with a body that is not JSON: ${res.text.slice(0, 200)}`);
    }
  }

  /** Releases the connection pool so the process can exit right away. */
  async close(): Promise<void> {
    const d = this.#dispatcher;
    this.#dispatcher = undefined;
    if (d) await d.close();
  }
}
