/**
 * A tiny TCP round-robin balancer on loopback, standing in for the load
 * balancer in front of several CP instances: each new connection goes to the
 * next target that accepts it (a dead instance is skipped).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Balancer {
  port: number;
  /** Connections handed to each target port so far. */
  counts: Map<number, number>;
  stop(): Promise<void>;
}

export async function startBalancer(targets: () => number[]): Promise<Balancer> {
  let next = 0;
  const counts = new Map<number, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    const list = targets();
    const tryTarget = (left: number) => {
      if (left === 0 || client.destroyed) return client.destroy();
      const port = list[next++ % list.length]!;
      const upstream = connect({ host: '127.0.0.1', port });
      let connected = false;
      upstream.on('error', () => {
        if (connected) client.destroy();
        else tryTarget(left - 1);
      });
      upstream.once('connect', () => {
        connected = true;
        counts.set(port, (counts.get(port) ?? 0) + 1);
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.on('error', () => upstream.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    tryTarget(list.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    counts,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(() => r(undefined)));
    },
  };
}
