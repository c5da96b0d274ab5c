/**
 * The DP server (:5678): one TLS port for both `POST /bootstrap` (HTTP/1.1)
 * and gRPC ADS (HTTP/2), as Kuma serves them. One TLS server terminates every
 * connection and routes it by its negotiated ALPN: `h2` is injected into
 * grpc-js as it is (`Server.createConnectionInjector`, gRFC L114), so nghttp2
 * reads and writes the TLS socket natively and no xDS byte passes through
 * JavaScript twice; everything else goes to the bootstrap HTTP server.
 *
 * Sized for connection storms (thousands of proxies reconnecting at once after
 * a CP restart): a deep listen backlog, and per-connection timeouts long enough
 * that a handshake queued behind others is not cut off.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';

/** Pending connections the kernel may queue (capped by net.core.somaxconn). */
export const LISTEN_BACKLOG = 8192;
/** A TLS handshake must finish within this; generous, since thousands may queue on one core. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 30_000;

export interface DpServerDeps {
  port: number;
  address: string;
  tls: { certPem: string; keyPem: string };
  /** Has every gRPC service added (ADS); never bound to a port of its own. */
  grpcServer: grpc.Server;
  /** Handles everything that is not gRPC (`POST /bootstrap`). */
  http: (req: IncomingMessage, res: ServerResponse) => void;
  log: Logger;
}

/**
 * grpc-js options for a server fed by startDpServer. Keepalive pings find dead
 * peers (Envoy answers them); their timeout is long enough for a CP busy with a
 * storm. Channelz is off: it keeps per-session records nobody reads.
 */
export const DP_GRPC_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': 16 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.enable_channelz': 0,
};

export async function startDpServer(deps: DpServerDeps): Promise<{ port: number; connections(): number; stop(): Promise<void> }> {
  // TLS is ours (one context for both protocols); grpc-js sees already decrypted sockets.
  const grpcConnections = deps.grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const http = createHttpServer(deps.http);
  const sockets = new Set<Socket>();
  const tls = createTlsServer(
    { cert: deps.tls.certPem, key: deps.tls.keyPem, ALPNProtocols: ['h2', 'http/1.1'], handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS },
    (client: TLSSocket) => {
      sockets.add(client);
      client.once('close', () => sockets.delete(client));
      // A peer resetting mid-stream is routine; nghttp2 and the HTTP server see the close.
      client.on('error', (e) => deps.log.debug({ err: e.message }, 'DP server connection error'));
      if (client.alpnProtocol === 'h2') grpcConnections.injectConnection(client);
      else http.emit('connection', client);
    },
  );
  tls.on('tlsClientError', (e) => deps.log.debug({ err: e.message }, 'TLS handshake failed on the DP server'));
  await new Promise<void>((resolve, reject) => {
    tls.once('error', reject);
    tls.listen({ port: deps.port, host: deps.address, backlog: LISTEN_BACKLOG }, () => {
      tls.off('error', reject);
      resolve();
    });
  });
  tls.on('error', (e) => deps.log.error({ err: e.message }, 'DP server listener error'));
  const port = (tls.address() as AddressInfo).port;
  deps.log.info({ port }, 'DP server listening (bootstrap + ADS)');
  return {
    port,
    connections: () => sockets.size,
    stop: async () => {
      const closed = new Promise((r) => tls.close(() => r(undefined)));
      grpcConnections.destroy();
      deps.grpcServer.forceShutdown();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
