/**
 * kuma-dp's end of MeshAccessLog Tcp backends (Kuma's access log streamer): Envoy's file logger
 * writes one `{"address": "host:port", "message": ...}` JSON line per entry into a named pipe, and
 * this forwards each message to its address over a TCP connection kept per address.
 *
 * The pipe exists before Envoy starts and stays open read-write here, so Envoy's open never blocks
 * waiting for a reader and the read side never sees end-of-file between writers.
 */
import { execFile } from 'node:child_process';
import { constants, openSync, statSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Lines kept per address while its connection is down; older ones are dropped. */
const MAX_PENDING_BYTES = 1 << 20;

export interface StreamerLog {
  warn(o: object, msg: string): void;
  info(o: object, msg: string): void;
}

export class AccessLogStreamer {
  readonly path: string;
  readonly #log: StreamerLog | undefined;
  #pipe: net.Socket | undefined;
  #ino = 0;
  #rest = '';
  readonly #conns = new Map<string, net.Socket>();

  constructor(path: string, log?: StreamerLog) {
    this.path = path;
    this.#log = log;
  }

  async start(): Promise<void> {
    // A pipe left by a killed kuma-dp of the same name has no reader: replace it.
    try {
      unlinkSync(this.path);
    } catch {
      /* absent */
    }
    await execFileP('mkfifo', ['-m', '600', this.path]);
    this.#ino = statSync(this.path).ino;
    const fd = openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK);
    const pipe = new net.Socket({ fd, readable: true, writable: false });
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk: string) => this.#onData(chunk));
    pipe.on('error', (e) => this.#log?.warn({ err: e.message, path: this.path }, 'access log pipe failed'));
    this.#pipe = pipe;
  }

  #onData(chunk: string): void {
    const lines = (this.#rest + chunk).split('\n');
    this.#rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') this.#forward(line);
  }

  #forward(line: string): void {
    let entry: { address?: unknown; message?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return;
    }
    if (typeof entry.address !== 'string') return;
    const message = typeof entry.message === 'string' ? entry.message : `${JSON.stringify(entry.message)}\n`;
    const conn = this.#conn(entry.address);
    if (conn && conn.writableLength < MAX_PENDING_BYTES) conn.write(message);
  }

  #conn(address: string): net.Socket | undefined {
    const existing = this.#conns.get(address);
    if (existing) return existing;
    const i = address.lastIndexOf(':');
    const port = Number(address.slice(i + 1));
    if (i <= 0 || !Number.isInteger(port)) return undefined;
    const host = address.slice(0, i).replace(/^\[|\]$/g, '');
    const conn = net.connect({ host, port });
    // A broken collector costs the lines sent meanwhile, never kuma-dp: the next line reconnects.
    conn.on('error', (e) => this.#log?.warn({ err: e.message, address }, 'access log collector unreachable'));
    conn.on('close', () => {
      if (this.#conns.get(address) === conn) this.#conns.delete(address);
    });
    this.#conns.set(address, conn);
    return conn;
  }

  async stop(): Promise<void> {
    this.#pipe?.destroy();
    this.#pipe = undefined;
    await Promise.all(
      [...this.#conns.values()].map(
        (c) =>
          new Promise<void>((resolve) => {
            c.end(() => resolve());
            setTimeout(() => (c.destroy(), resolve()), 500).unref();
          }),
      ),
    );
    this.#conns.clear();
    // Only our own pipe: a newer kuma-dp of the same name may have replaced it.
    try {
      if (statSync(this.path).ino === this.#ino) unlinkSync(this.path);
    } catch {
      /* gone */
    }
  }
}
