/**
 * A zone dialling grpc:// at the TLS KDS port sends the HTTP/2 preface in
 * clear; the TLS layer rejects it before gRPC sees anything. Name that on
 * the global once per client address. grpc-js keeps its HTTP/2 servers in a
 * private map (pinned 1.14); if that ever moves, this does nothing.
 */
import type { EventEmitter } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { RepeatLimiter } from '../repeat-limiter';

const NOT_TLS = /wrong version number|http request|unknown protocol|unsupported protocol|packet length too long|record layer failure/i;

export function watchPlaintextOnTls(server: grpc.Server, port: number, log: Logger): void {
  const http2Servers = (server as unknown as { http2Servers?: Map<EventEmitter, unknown> }).http2Servers;
  if (!(http2Servers instanceof Map)) return;
  const limiter = new RepeatLimiter();
  for (const h of http2Servers.keys()) {
    h.on('tlsClientError', (err: Error, socket: { remoteAddress?: string; destroy(): void }) => {
      socket.destroy();
      if (!NOT_TLS.test(err.message)) return;
      const peer = socket.remoteAddress ?? 'unknown';
      const msg = `a client at ${peer} spoke plaintext to the TLS KDS port ${port}: a zone CP must dial it with grpcs://HOST:${port} in KUMA_MULTIZONE_ZONE_GLOBAL_ADDRESS (or turn TLS off here with KUMA_MULTIZONE_GLOBAL_KDS_TLS_ENABLED=false)`;
      if (limiter.check(peer).loud) log.error({ peer }, msg);
      else log.debug({ peer }, msg);
    });
  }
}
