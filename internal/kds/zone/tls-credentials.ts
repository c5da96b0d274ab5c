/**
 * TLS credentials of the zone's KDS channel. grpc-js passes the target host
 * as the TLS ServerName even when it is an IP address, which RFC 6066
 * forbids and Node answers with a DEP0123 warning on stderr at every dial;
 * for an IP target we drop the ServerName (the certificate is still checked
 * against the IP unless verification is off).
 */
import { isIP } from 'node:net';
import * as grpc from '@grpc/grpc-js';

interface SecureConnector {
  connectionOptions?: { servername?: string; host?: string };
}

export function zoneChannelCredentials(ca: Buffer | null, skipVerify: boolean): grpc.ChannelCredentials {
  const creds = grpc.credentials.createSsl(ca, null, null, skipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {});
  const impl = creds as unknown as { _createSecureConnector?: (...a: unknown[]) => SecureConnector };
  const original = impl._createSecureConnector;
  if (typeof original !== 'function') return creds;
  impl._createSecureConnector = function (this: unknown, ...args: unknown[]) {
    const connector = original.apply(this, args);
    const o = connector.connectionOptions;
    if (o?.servername && isIP(o.servername.replace(/^\[|\]$/g, ''))) delete o.servername;
    return connector;
  };
  return creds;
}
