/**
 * The few DER (X.690) pieces an X.509 certificate is built of, and a reader
 * that walks TLVs. Enough for the identity certificates of identity-cert.ts,
 * which are issued per proxy: building them with a generic ASN.1 schema
 * library cost most of the issuance, building them from bytes costs little.
 * Only definite lengths, single-byte tags (all X.509 needs).
 */

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV: tag, length, the concatenated contents. */
export function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = contents.length === 1 ? contents[0]! : Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

export const sequence = (...parts: Buffer[]): Buffer => tlv(TAG.sequence, ...parts);

/** Context-specific tag `n`: constructed (EXPLICIT wrappers, [0] version, [3] extensions) or primitive (IMPLICIT strings). */
export const context = (n: number, constructed: boolean, ...parts: Buffer[]): Buffer => tlv((constructed ? 0xa0 : 0x80) | n, ...parts);

export const TRUE = Buffer.from([TAG.boolean, 1, 0xff]);
export const NULL = Buffer.from([TAG.null, 0]);

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const b: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return tlv(TAG.oid, Buffer.from(out));
}

/** A non-negative INTEGER from its big-endian magnitude (a 0 byte is prepended when the high bit is set). */
export function unsignedInteger(magnitude: Buffer): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0 && magnitude[i + 1]! < 0x80) i++;
  const m = magnitude.subarray(i);
  return tlv(TAG.integer, m[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m);
}

export const bitString = (bytes: Buffer, unusedBits = 0): Buffer => tlv(TAG.bitString, Buffer.from([unusedBits]), bytes);
export const octetString = (bytes: Buffer): Buffer => tlv(TAG.octetString, bytes);

/**
 * RFC 5280 §4.1.2.5 Time: UTCTime through 2049, GeneralizedTime from 2050,
 * whole seconds, Zulu.
 */
export function time(d: Date): Buffer {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const y = d.getUTCFullYear();
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return y < 2050 ? tlv(TAG.utcTime, Buffer.from(`${p(y % 100)}${rest}`, 'latin1')) : tlv(TAG.generalizedTime, Buffer.from(`${p(y, 4)}${rest}`, 'latin1'));
}

/** A TLV found by `readTlv`: its tag, where it starts, where its contents start, where it ends. */
export interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

export function readTlv(der: Uint8Array, at: number, limit = der.length): Tlv {
  if (at + 2 > limit) throw new Error(`DER: truncated TLV at ${at}`);
  const tag = der[at]!;
  if ((tag & 0x1f) === 0x1f) throw new Error(`DER: multi-byte tag at ${at}`);
  let len = der[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) throw new Error(`DER: bad length at ${at}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[p++]!;
  }
  if (p + len > limit) throw new Error(`DER: TLV at ${at} runs past its parent`);
  return { tag, start: at, contentStart: p, end: p + len };
}

/** The TLVs directly inside a constructed TLV. */
export function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const t = readTlv(der, at, parent.end);
    out.push(t);
    at = t.end;
  }
  return out;
}

/** PEM armour with 64-character lines (RFC 7468), no trailing newline. */
export function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`;
}
