/**
 * The demo application's HTTP side (`kuma demo-app http`): every request is
 * answered with JSON naming who answered and what was asked, so tests can see
 * which instance, zone and path a request reached through the mesh:
 *
 *   {"service": "web", "instance": "web-1", "zone": "zone-1", "path": "/x?y=1", "method": "GET", "headers": {...}}
 *
 * Failure injection for retry and outlier tests: with failRate r (0..1) a
 * share r of requests is answered with failStatus (default 503). By default
 * the failures are spread evenly and predictably (request n fails when
 * floor(n*r) > floor((n-1)*r): r=0.5 fails the 2nd, 4th, ... request);
 * `failRandom` draws each request at random instead. A request may also ask
 * for a status itself with the header `x-demo-status: 503`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FORCE_STATUS_HEADER = 'x-demo-status';

export interface HttpEchoOptions {
  port: number;
  /** Listen address; default 127.0.0.1. */
  address?: string;
  service: string;
  instance: string;
  zone?: string;
  /** Share of requests to fail, 0..1; default 0. */
  failRate?: number;
  /** Status of an injected failure; default 503. */
  failStatus?: number;
  /** Draw failures at random instead of spreading them evenly. */
  failRandom?: boolean;
}

export interface EchoReply {
  service: string;
  instance: string;
  zone: string;
  path: string;
  method: string;
  headers: Record<string, string | string[]>;
  /** Present (true) on an injected failure. */
  injectedFailure?: boolean;
}

export interface RunningServer {
  port: number;
  address: string;
  close(): Promise<void>;
}

/** Whether request number n (1-based) is one of the evenly spread failures at rate r. */
export function failsDeterministically(n: number, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  // Integer math on a fixed scale avoids 0.1+0.2-style drift.
  const scale = 1_000_000;
  const r = Math.round(rate * scale);
  return Math.floor((n * r) / scale) > Math.floor(((n - 1) * r) / scale);
}

export function validateFailRate(rate: number): void {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new Error(`invalid fail rate ${rate}: expected a number from 0 to 1`);
}

export function createHttpEcho(opts: HttpEchoOptions, random: () => number = Math.random): Server {
  const failRate = opts.failRate ?? 0;
  validateFailRate(failRate);
  const failStatus = opts.failStatus ?? 503;
  let served = 0;
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    served++;
    const forced = Number(req.headers[FORCE_STATUS_HEADER]);
    const inject = opts.failRandom ? random() < failRate : failsDeterministically(served, failRate);
    const status = Number.isInteger(forced) && forced >= 200 && forced <= 599 ? forced : inject ? failStatus : 200;
    const reply: EchoReply = {
      service: opts.service,
      instance: opts.instance,
      zone: opts.zone ?? '',
      path: req.url ?? '/',
      method: req.method ?? 'GET',
      headers: req.headers as Record<string, string | string[]>,
    };
    if (status !== 200) reply.injectedFailure = true;
    // Drain the request body so keep-alive connections stay usable.
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify(reply);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-demo-instance': opts.instance });
      res.end(body);
    });
  });
}

export async function startHttpEcho(opts: HttpEchoOptions, random?: () => number): Promise<RunningServer> {
  const server = createHttpEcho(opts, random);
  const address = opts.address ?? '127.0.0.1';
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port, address, () => res());
  });
  return {
    port: (server.address() as AddressInfo).port,
    address,
    close: () =>
      new Promise<void>((res) => {
        server.close(() => res());
        server.closeAllConnections();
      }),
  };
}
