/** Request/response plumbing for the API server: body limits, JSON out, Kuma's error body. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isKumaError, type Violation } from '../errors';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly violations: Violation[] = [],
  ) {
    super(detail);
  }
}

/** go-restful pretty-prints with a one-space indent; kumactl and the GUI do not care, humans with curl do. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body, null, 1), 'application/json');
}

/** How long an answer waits for the rest of a request body it does not need before closing the connection. */
const UNREAD_BODY_WAIT_MS = 1_000;

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain'): void {
  const write = (close: boolean) => {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...(close ? { connection: 'close' } : {}) });
    res.end(text);
  };
  // An answer sent while the client is still sending its body (a refusal that never read it) makes Node
  // close the connection under a keep-alive client, which then sees ECONNRESET instead of the answer.
  const req = res.req as IncomingMessage | undefined;
  if (!req || req.complete) return write(false);
  const timer = setTimeout(() => write(true), UNREAD_BODY_WAIT_MS);
  const done = () => {
    clearTimeout(timer);
    write(false);
  };
  req.once('end', done);
  req.once('error', done);
  req.resume();
}

/** Kuma's error body (AIP-193 plus the legacy `details`/`causes` copies), spec §2.7. */
export function sendError(res: ServerResponse, status: number, title: string, detail: string, violations: Violation[] = []): void {
  const body: Record<string, unknown> = { type: '/std-errors', status, title, detail };
  if (violations.length) body.invalid_parameters = violations.map((v) => ({ field: v.field, reason: v.message }));
  body.details = detail;
  if (violations.length) body.causes = violations.map((v) => ({ field: v.field, message: v.message }));
  sendJson(res, status, body);
}

/** Maps any thrown error to Kuma's status, title and detail; `title` is the handler's. */
export function sendFailure(res: ServerResponse, e: unknown, title: string): void {
  if (e instanceof HttpError) return sendError(res, e.status, e.title, e.detail, e.violations);
  if (isKumaError(e)) {
    const vs = (e as { violations?: Violation[] }).violations ?? [];
    switch (e.code) {
      case 'KUMA_VALIDATION':
        return sendError(res, 400, title, 'Resource is not valid', vs);
      case 'KUMA_BAD_REQUEST':
        return sendError(res, 400, title, e.message, vs);
      case 'KUMA_NOT_FOUND':
        return sendError(res, 404, title, 'Not found');
      case 'KUMA_CONFLICT':
      case 'KUMA_ALREADY_EXISTS':
        return sendError(res, 409, 'Conflict', e.message);
      case 'KUMA_READ_ONLY':
        return sendError(res, 405, 'Method not allowed', e.message);
      case 'KUMA_ACCESS_DENIED':
        return sendError(res, 403, 'Access Denied', e.message);
      case 'KUMA_UNAUTHENTICATED':
        return sendError(res, 401, 'Invalid authentication data', e.message);
      default:
        break;
    }
  }
  sendError(res, 500, title, 'Internal Server Error');
}

const JSON_TYPES = ['application/json'];
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

export type BodyFormat = 'json' | 'yaml';

/** Which parser a request body needs; a content type we cannot read is a 415 that says what we accept. */
export function bodyFormat(req: IncomingMessage): BodyFormat {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === '' || JSON_TYPES.includes(ct)) return 'json';
  if (YAML_TYPES.includes(ct)) return 'yaml';
  throw new HttpError(415, 'Unsupported Media Type', `content type "${ct}" is not supported; send application/json or application/yaml`);
}

/** Reads the whole body, refusing (413) past `limit` bytes without buffering the rest. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? -1);
    if (declared > limit) {
      req.resume();
      reject(new HttpError(413, 'Request Entity Too Large', `the request body is ${declared} bytes; the limit is ${limit} bytes (apiServer.maxBodyBytes)`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, 'Request Entity Too Large', `the request body is larger than ${limit} bytes (apiServer.maxBodyBytes)`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

/** Localhost is admin (Kuma 2.13 rules): loopback peer, loopback Host, no proxy headers, no cross-site fetch. */
export function isLocalAdmin(req: IncomingMessage): boolean {
  const addr = req.socket.remoteAddress ?? '';
  const loopback = addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
  if (!loopback) return false;
  if (req.headers.forwarded || req.headers['x-forwarded-for'] || req.headers['x-real-ip']) return false;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (host && !['localhost', '::1'].includes(host) && !host.startsWith('127.')) return false;
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === '' || site === 'none' || site === 'same-origin';
}
