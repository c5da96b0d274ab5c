/** Naming a failed KDS dial: the strings are what grpc-js 1.14 and Node's OpenSSL report. */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { classifyDialError, worthTlsProbe } from '../../../internal/kds/zone/dial-errors';
import { RepeatLimiter } from '../../../internal/kds/repeat-limiter';

const ctx = (scheme: string, more: Partial<Parameters<typeof classifyDialError>[1]> = {}) => ({ scheme, target: '127.0.0.1:5685', zone: 'east', rootCaFile: '', ...more });
const unavailable = (details: string) => ({ code: grpc.status.UNAVAILABLE, details: `No connection established. Last error: ${details}. Resolution note: ` });

describe('classifyDialError', () => {
  it('grpcs:// to a plaintext port', () => {
    const e = unavailable('Error: 80BC4D5F767F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n');
    const d = classifyDialError(e, ctx('grpcs:'));
    expect(d).toMatchObject({ kind: 'tls-to-plaintext', severe: true });
    expect(d.message).toContain('speaks plaintext, not TLS; use grpc://127.0.0.1:5685 in KUMA_MULTIZONE_ZONE_GLOBAL_ADDRESS');
    expect(d.message).not.toContain('\n');
  });

  it('grpc:// to a TLS port: only once the probe saw a TLS handshake', () => {
    const e = unavailable('Failed to connect (2026-12-02T16:31:09.911Z)');
    expect(worthTlsProbe(e, 'grpc:')).toBe(true);
    expect(classifyDialError(e, ctx('grpc:')).kind).toBe('other');
    const d = classifyDialError(e, ctx('grpc:', { peerSpeaksTls: true }));
    expect(d).toMatchObject({ kind: 'plaintext-to-tls', severe: true });
    expect(d.message).toContain("the global's KDS port speaks TLS; use grpcs://127.0.0.1:5685 in KUMA_MULTIZONE_ZONE_GLOBAL_ADDRESS");
  });

  it('does not probe for plain socket errors or TLS dials', () => {
    expect(worthTlsProbe(unavailable('Error: connect ECONNREFUSED 127.0.0.1:1'), 'grpc:')).toBe(false);
    expect(worthTlsProbe(unavailable('Failed to connect'), 'grpcs:')).toBe(false);
    expect(worthTlsProbe({ code: grpc.status.ALREADY_EXISTS, details: 'x' }, 'grpc:')).toBe(false);
  });

  it('a certificate that does not verify names the CA setting', () => {
    for (const reason of ['Error: self-signed certificate', 'Error: unable to verify the first certificate', "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: "]) {
      const d = classifyDialError(unavailable(reason), ctx('grpcs:'));
      expect(d.kind).toBe('tls-verify');
      expect(d.message).toContain('set KUMA_MULTIZONE_ZONE_KDS_ROOT_CA_FILE');
    }
    expect(classifyDialError(unavailable('Error: self-signed certificate'), ctx('grpcs:', { rootCaFile: '/etc/ca.pem' })).message).toContain('KUMA_MULTIZONE_ZONE_KDS_ROOT_CA_FILE (/etc/ca.pem) did not verify it');
  });

  it('a zone name held by another CP is an error with the fix; auth refusals keep their reason', () => {
    const d = classifyDialError({ code: grpc.status.ALREADY_EXISTS, details: 'zone "east" is already connected' }, ctx('grpcs:'));
    expect(d).toMatchObject({ kind: 'zone-name-taken', severe: true });
    expect(d.message).toContain('unique KUMA_MULTIZONE_ZONE_NAME');
    expect(classifyDialError({ code: grpc.status.UNAUTHENTICATED, details: 'bad token' }, ctx('grpcs:'))).toEqual({ kind: 'refused', severe: true, message: 'the global refused this zone: bad token' });
  });

  it('anything else is not severe', () => {
    expect(classifyDialError(unavailable('Error: connect ECONNREFUSED 127.0.0.1:1'), ctx('grpcs:'))).toMatchObject({ kind: 'other', severe: false });
  });
});

describe('RepeatLimiter', () => {
  it('loud once, quiet while it repeats, loud again after the period with the count, and after forget', () => {
    const l = new RepeatLimiter(1_000);
    expect(l.check('a', 0)).toEqual({ loud: true, quieted: 0 });
    expect(l.check('a', 10)).toEqual({ loud: false });
    expect(l.check('a', 20)).toEqual({ loud: false });
    expect(l.check('b', 30)).toEqual({ loud: true, quieted: 0 });
    expect(l.check('a', 1_000)).toEqual({ loud: true, quieted: 2 });
    l.forget('a');
    expect(l.check('a', 1_001)).toEqual({ loud: true, quieted: 0 });
  });
});

describe('probeSpeaksTls', () => {
  it('true for a TLS server, false for a plaintext HTTP/2 server and for a closed port', async () => {
    const { probeSpeaksTls } = await import('../../../internal/kds/zone/tls-probe');
    const { generateServerCert } = await import('../../../internal/tls/self-signed');
    const tls = await import('node:tls');
    const http2 = await import('node:http2');
    const cert = await generateServerCert({ hostnames: ['localhost'] });
    const secure = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (s) => s.end());
    const plain = http2.createServer();
    const listen = (srv: { listen(port: number, host: string, cb: () => void): unknown; address(): unknown }) =>
      new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as { port: number }).port)));
    const [tp, pp] = [await listen(secure), await listen(plain)];
    try {
      expect(await probeSpeaksTls('127.0.0.1', tp)).toBe(true);
      expect(await probeSpeaksTls('127.0.0.1', pp)).toBe(false);
      plain.close();
      expect(await probeSpeaksTls('127.0.0.1', pp)).toBe(false);
    } finally {
      secure.close();
      plain.close();
    }
  });
});
