/**
 * kuma-dp's readiness reporter (spec kuma-api-cli.md §4.4, §4.6): HTTP on
 * 127.0.0.1:<KUMA_READINESS_PORT, default 9902>, `GET /ready` answers 200
 * `READY` once Envoy's admin `/ready` says LIVE, 503 with Envoy's state (or
 * why it is unknown) before, and 503 `TERMINATING` once kuma dp run is
 * stopping. Its port travels in the bootstrap request (`readinessPort`);
 * Kuma's CP refuses to generate config for a sidecar without one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AdminAddress, getAdmin } from './envoy-admin';

export const DEFAULT_READINESS_PORT = 9902;

export class ReadinessServer {
  readonly #server: Server;
  #admin: AdminAddress | undefined;
  #terminating = false;

  constructor() {
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || path !== '/ready') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      void this.#state().then(([code, text]) => res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' }).end(text));
    });
  }

  async #state(): Promise<[number, string]> {
    if (this.#terminating) return [503, 'TERMINATING'];
    if (!this.#admin) return [503, 'NOT READY: Envoy is not running yet'];
    try {
      const r = await getAdmin(this.#admin, '/ready');
      const state = r.body.trim();
      return r.status === 200 && state === 'LIVE' ? [200, 'READY'] : [503, state || `NOT READY: Envoy admin answered ${r.status}`];
    } catch (e) {
      return [503, `NOT READY: Envoy admin is not reachable: ${(e as Error).message}`];
    }
  }

  /** Binds 127.0.0.1:port (0: any free port); rejects when the port is taken. Resolves to the bound port. */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  /** Where Envoy's admin listens, once the bootstrap is known. */
  setAdmin(a: AdminAddress | undefined): void {
    this.#admin = a;
  }

  /** From now on /ready answers 503 (a stop has begun: traffic should go elsewhere while Envoy drains). */
  terminating(): void {
    this.#terminating = true;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
