/**
 * LISTEN on one dedicated connection: a NOTIFY means "the log has new revs".
 * The connection is re-opened with backoff when it drops, and every
 * (re)connect is followed by a catch-up, since notifications sent while it was
 * down are gone. A slow poll covers a connection that looks alive but
 * delivers nothing (a half-open TCP link).
 */
import pg, { type ClientConfig } from 'pg';
import type { Logger } from 'pino';

export interface ChangeFeedOptions {
  config: ClientConfig;
  channel: string;
  /** Reads the log; called after a notification, a reconnect and each poll. */
  onChange: () => Promise<void>;
  pollIntervalMs: number;
  log: Logger;
}

export class ChangeFeed {
  readonly #o: ChangeFeedOptions;
  #client?: pg.Client;
  #stopped = false;
  #timer?: NodeJS.Timeout;
  #poll?: NodeJS.Timeout;
  #backoffMs = 100;
  #running = false;
  #again = false;
  #connectedOnce = false;

  constructor(o: ChangeFeedOptions) {
    this.#o = o;
  }

  /** Resolves once the first LISTEN is in place. */
  async start(): Promise<void> {
    await this.#connect();
    this.#poll = setInterval(() => this.#kick(), this.#o.pollIntervalMs);
    this.#poll.unref();
  }

  async #connect(): Promise<void> {
    const c = new pg.Client(this.#o.config);
    c.on('error', () => this.#lost(c));
    c.on('end', () => this.#lost(c));
    c.on('notification', (n) => {
      if (n.channel === this.#o.channel) this.#kick();
    });
    await c.connect();
    await c.query(`LISTEN ${this.#o.channel}`);
    if (this.#stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    this.#client = c;
    this.#backoffMs = 100;
    if (this.#connectedOnce) this.#o.log.info({}, 'store change feed reconnected; catching up');
    this.#connectedOnce = true;
    this.#kick();
  }

  #lost(c: pg.Client): void {
    if (this.#client !== c) return;
    this.#client = undefined;
    c.end().catch(() => undefined);
    if (this.#stopped) return;
    this.#o.log.info({}, 'store change feed lost its connection; reconnecting');
    this.#retry();
  }

  #retry(): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect().catch(() => {
        this.#backoffMs = Math.min(this.#backoffMs * 2, 2000);
        this.#retry();
      });
    }, this.#backoffMs);
  }

  /** Coalesces bursts: one catch-up at a time, one more if something arrived meanwhile. */
  #kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void this.#o
      .onChange()
      .catch(() => undefined)
      .finally(() => {
        this.#running = false;
        if (this.#again) {
          this.#again = false;
          this.#kick();
        }
      });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#poll);
    const c = this.#client;
    this.#client = undefined;
    await c?.end().catch(() => undefined);
  }
}
