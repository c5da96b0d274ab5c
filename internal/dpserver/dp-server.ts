/**
 * The DP server (:5678): one TLS port for both `POST /bootstrap` (HTTP/1.1)
 * and gRPC ADS (HTTP/2), as Kuma serves them. grpc-js cannot share a port
 * with an HTTP server, so the connection is routed by its negotiated ALPN:
 * `h2` goes, decrypted, to the gRPC server listening on a private unix socket
 * in the work dir; everything else is handled by the bootstrap HTTP server.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';

export interface DpServerDeps {
  port: number;
  address: string;
  tls: { certPem: string; keyPem: string };
  workDir: string;
  /** Has every gRPC service added (ADS); bound here on the private socket. */
  grpcServer: grpc.Server;
  /** Handles everything that is not gRPC (`POST /bootstrap`). */
  http: (req: IncomingMessage, res: ServerResponse) => void;
  log: Logger;
}

export async function startDpServer(deps: DpServerDeps): Promise<{ port: number; stop(): Promise<void> }> {
  // unix socket paths are limited to ~107 bytes; fall back to the temp dir for deep work dirs.
  let sock = join(deps.workDir, `dp-server-${process.pid}.sock`);
  if (sock.length > 100) sock = join(tmpdir(), `kuma-dp-server-${process.pid}-${randomBytes(4).toString('hex')}.sock`);
  rmSync(sock, { force: true });
  await new Promise<void>((resolve, reject) =>
    deps.grpcServer.bindAsync(`unix://${sock}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  const http = createHttpServer(deps.http);
  const sockets = new Set<Socket>();
  const tls = createTlsServer({ cert: deps.tls.certPem, key: deps.tls.keyPem, ALPNProtocols: ['h2', 'http/1.1'] }, (client: TLSSocket) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    if (client.alpnProtocol === 'h2') {
      const upstream = connect(sock);
      sockets.add(upstream);
      upstream.once('close', () => sockets.delete(upstream));
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.once('error', close);
      upstream.once('error', close);
      client.once('close', close);
      upstream.once('close', close);
    } else {
      http.emit('connection', client);
    }
  });
  tls.on('tlsClientError', (e) => deps.log.debug({ err: e.message }, 'TLS handshake failed on the DP server'));
  await new Promise<void>((resolve, reject) => {
    tls.once('error', reject);
    tls.listen(deps.port, deps.address, () => resolve());
  });
  const port = (tls.address() as AddressInfo).port;
  deps.log.info({ port }, 'DP server listening (bootstrap + ADS)');
  return {
    port,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => tls.close(() => r(undefined)));
      deps.grpcServer.forceShutdown();
      rmSync(sock, { force: true });
    },
  };
}
