/**
 * The demo application's TCP side (`kuma demo-app tcp`): echoes every line
 * back prefixed with `<service>/<instance>: `, so a test sees which instance
 * a TCP connection reached. A last line without a newline is echoed when the
 * client half-closes.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { RunningServer } from './http-echo';

export interface TcpEchoOptions {
  port: number;
  address?: string;
  service: string;
  instance: string;
}

export function createTcpEcho(opts: TcpEchoOptions): Server {
  const prefix = `${opts.service}/${opts.instance}: `;
  return createServer({ allowHalfOpen: true }, (sock: Socket) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        sock.write(`${prefix}${buf.slice(0, nl + 1)}`);
        buf = buf.slice(nl + 1);
      }
    });
    sock.on('end', () => {
      if (buf !== '') sock.write(`${prefix}${buf}`);
      sock.end();
    });
    sock.on('error', () => sock.destroy());
  });
}

export async function startTcpEcho(opts: TcpEchoOptions): Promise<RunningServer> {
  const server = createTcpEcho(opts);
  const address = opts.address ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
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
        for (const s of sockets) s.destroy();
      }),
  };
}
