/**
 * A raw HTTP/1.1 request: the path goes out byte for byte (fetch would resolve `..` before sending).
 * One connection per request, so a connection the server closed after one case cannot fail the next.
 */
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RawResponse {
  status: number;
  body: string;
}

/**
 * Node's client sends a DELETE/GET body with no Content-Length: the server then rightly reads a
 * request without a body followed by garbage (answered 400 by Node's parser after the real answer
 * was already decided). Frame every body unless the case sets its own framing.
 */
function framed(headers: Record<string, string>, body?: string | Buffer): Record<string, string> {
  if (body === undefined) return headers;
  const names = Object.keys(headers).map((k) => k.toLowerCase());
  if (names.includes('content-length') || names.includes('transfer-encoding')) return headers;
  return { ...headers, 'content-length': String(Buffer.byteLength(body)) };
}

export function rawRequest(port: number, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: framed(headers, body), agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The same over TLS to the DP server (its certificate is self-signed: not verified here). */
export function rawHttpsRequest(port: number, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, method, path, headers: framed(headers, body), agent: false, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
