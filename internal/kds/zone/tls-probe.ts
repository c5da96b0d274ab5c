/**
 * Does host:port complete a TLS handshake? Asked once when a plaintext KDS
 * dial fails without a socket error, because grpc-js then only says
 * "Failed to connect" although the global speaks TLS. The certificate is not
 * checked: the question is the protocol, not the identity.
 */
import { connect } from 'node:tls';

export function probeSpeaksTls(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['h2'], servername: isIpLike(host) ? undefined : host });
    const done = (v: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

function isIpLike(h: string): boolean {
  return /^[\d.]+$/.test(h) || h.includes(':');
}
