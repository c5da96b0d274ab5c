import { describe, expect, it } from 'vitest';
import { children, oid, pem, readTlv, sequence, time, tlv, unsignedInteger } from '../../../internal/tls/der';

const hex = (b: Buffer) => b.toString('hex');

describe('DER encoder', () => {
  it('encodes short, one-byte and two-byte lengths', () => {
    expect(hex(tlv(0x04, Buffer.alloc(3)))).toBe('0403000000');
    expect(hex(tlv(0x04, Buffer.alloc(200))).slice(0, 6)).toBe('0481c8');
    expect(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
  });

  it('encodes object identifiers with multi-byte arcs', () => {
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(oid('2.5.29.17'))).toBe('0603551d11');
    expect(hex(oid('1.3.6.1.5.5.7.3.1'))).toBe('06082b06010505070301');
  });

  it('keeps integers positive and minimal', () => {
    expect(hex(unsignedInteger(Buffer.from([0x80, 1])))).toBe('0203008001');
    expect(hex(unsignedInteger(Buffer.from([0, 0, 0x7f])))).toBe('02017f');
    expect(hex(unsignedInteger(Buffer.from([0, 0x80])))).toBe('02020080');
  });

  it('writes UTCTime through 2049 and GeneralizedTime from 2050, in whole seconds', () => {
    expect(time(new Date('2049-12-31T23:59:59.999Z')).toString('latin1', 2)).toBe('491231235959Z');
    expect(time(new Date('2049-12-31T23:59:59.999Z'))[0]).toBe(0x17);
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1', 2)).toBe('20500101000000Z');
    expect(time(new Date('2050-01-01T00:00:00Z'))[0]).toBe(0x18);
  });

  it('reads back what it wrote', () => {
    const der = sequence(oid('2.5.29.17'), tlv(0x04, Buffer.alloc(300, 1)), sequence());
    const top = readTlv(der, 0);
    expect(top.end).toBe(der.length);
    expect(children(der, top).map((t) => t.tag)).toEqual([0x06, 0x04, 0x30]);
    expect(() => readTlv(der.subarray(0, 10), 0)).toThrow(/runs past/);
  });

  it('armours PEM in 64-character lines', () => {
    const text = pem('CERTIFICATE', Buffer.alloc(100, 7));
    const lines = text.split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.at(-1)).toBe('-----END CERTIFICATE-----');
    expect(lines.slice(1, -1).map((l) => l.length)).toEqual([64, 64, 8]);
  });
});
