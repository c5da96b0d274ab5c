/**
 * Turns a failed KDS stream into what an operator needs: which mistake it
 * is and the setting that fixes it. grpc-js reports a TLS/plaintext mix-up
 * as a raw OpenSSL line or a bare "Failed to connect", so the zone side
 * names it here. Pure: the one fact it cannot read from the error (does the
 * port answer a TLS handshake?) is probed by the caller and passed in.
 */
import * as grpc from '@grpc/grpc-js';

export type DialErrorKind =
  | 'zone-name-taken'
  | 'refused'
  | 'plaintext-to-tls'
  | 'tls-to-plaintext'
  | 'tls-verify'
  | 'other';

export interface DialError {
  kind: DialErrorKind;
  /** Error level: a configuration mistake that retrying will not fix. */
  severe: boolean;
  message: string;
}

export interface DialContext {
  /** `grpc:` or `grpcs:` */
  scheme: string;
  /** host:port as configured. */
  target: string;
  zone: string;
  rootCaFile: string;
  /** Whether the global's port completed a TLS handshake; only probed for a plaintext dial that failed to connect. */
  peerSpeaksTls?: boolean;
}

const TLS_TO_PLAINTEXT = /wrong version number|packet length too long|unknown protocol|http request|record layer failure|ssl3_get_record/i;
const CERT_FAILURE =
  /self[- ]signed certificate|unable to verify|unable to get (local )?issuer|certificate has expired|certificate is not yet valid|ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate|certificate signature failure|unsupported certificate purpose|CERT_/i;
/** Socket errors that say nothing about TLS: nobody listens, or the host is unknown or unreachable. */
const PLAIN_SOCKET_ERROR = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET/;

export function classifyDialError(e: { code?: number; details?: string; message?: string }, ctx: DialContext): DialError {
  const details = e.details || e.message || '';
  if (e.code === grpc.status.ALREADY_EXISTS) {
    return {
      kind: 'zone-name-taken',
      severe: true,
      message:
        `the global refused this zone CP: another control plane is already connected as zone "${ctx.zone}". ` +
        `Give each zone CP a unique KUMA_MULTIZONE_ZONE_NAME, or stop the other CP; this CP keeps retrying and takes over when the other disconnects. Global said: ${details}`,
    };
  }
  if (e.code === grpc.status.UNAUTHENTICATED || e.code === grpc.status.PERMISSION_DENIED || e.code === grpc.status.INVALID_ARGUMENT) {
    return { kind: 'refused', severe: true, message: `the global refused this zone: ${details}` };
  }
  if (ctx.scheme === 'grpcs:' && TLS_TO_PLAINTEXT.test(details)) {
    return {
      kind: 'tls-to-plaintext',
      severe: true,
      message:
        `TLS handshake with the global at ${ctx.target} failed: the global's KDS port speaks plaintext, not TLS; ` +
        `use grpc://${ctx.target} in KUMA_MULTIZONE_ZONE_GLOBAL_ADDRESS, or enable TLS on the global (KUMA_MULTIZONE_GLOBAL_KDS_TLS_ENABLED=true) (OpenSSL: ${details.match(TLS_TO_PLAINTEXT)![0]})`,
    };
  }
  if (ctx.scheme === 'grpcs:' && CERT_FAILURE.test(details)) {
    const ca = ctx.rootCaFile
      ? `the CA in KUMA_MULTIZONE_ZONE_KDS_ROOT_CA_FILE (${ctx.rootCaFile}) did not verify it; point it at the CA that signed the global's KDS certificate`
      : `set KUMA_MULTIZONE_ZONE_KDS_ROOT_CA_FILE to the CA that signed the global's KDS certificate`;
    return {
      kind: 'tls-verify',
      severe: true,
      message:
        `the global's KDS certificate at ${ctx.target} failed verification (${firstLine(details)}): ${ca}, ` +
        `or (not for production) KUMA_MULTIZONE_ZONE_KDS_TLS_SKIP_VERIFY=true`,
    };
  }
  if (ctx.scheme === 'grpc:' && ctx.peerSpeaksTls) {
    return {
      kind: 'plaintext-to-tls',
      severe: true,
      message: `plaintext connection to the global at ${ctx.target} failed: the global's KDS port speaks TLS; use grpcs://${ctx.target} in KUMA_MULTIZONE_ZONE_GLOBAL_ADDRESS`,
    };
  }
  return { kind: 'other', severe: false, message: details };
}

/** Only a plaintext dial that failed without a plain socket error can be a TLS server in disguise. */
export function worthTlsProbe(e: { code?: number; details?: string }, scheme: string): boolean {
  return scheme === 'grpc:' && e.code === grpc.status.UNAVAILABLE && !PLAIN_SOCKET_ERROR.test(e.details ?? '');
}

function firstLine(s: string): string {
  return s.replace(/^No connection established\. Last error: /, '').replace(/\. Resolution note: ?$/, '').split('\n')[0]!.trim();
}
