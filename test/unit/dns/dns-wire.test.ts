/** The DNS wire format against packets built byte by byte (RFC 1035 §4.1). */
import { describe, expect, it } from 'vitest';
import {
  DnsFormatError,
  RCODE,
  TYPE_A,
  TYPE_AAAA,
  buildQuery,
  buildResponse,
  encodeName,
  formatErrorResponse,
  parseQuery,
  parseResponse,
  readName,
} from '../../../internal/dns/dns-wire';

/** A query as dig sends it: id 0xbeef, RD, one question `Backend.Mesh. IN A`, plus an EDNS OPT record. */
const DIG_QUERY = Buffer.from([
  0xbe, 0xef, // id
  0x01, 0x20, // flags: RD, AD
  0x00, 0x01, // qdcount
  0x00, 0x00, // ancount
  0x00, 0x00, // nscount
  0x00, 0x01, // arcount (OPT)
  7, ...Buffer.from('Backend'), 4, ...Buffer.from('Mesh'), 0,
  0x00, 0x01, // QTYPE A
  0x00, 0x01, // QCLASS IN
  0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // OPT: root, type 41, udp 4096, no options
]);

describe('parsing', () => {
  it('reads the header and question of a real-world query (lower-cased name, extra records ignored)', () => {
    expect(parseQuery(DIG_QUERY)).toEqual({ id: 0xbeef, opcode: 0, rd: true, isResponse: false, questions: [{ name: 'backend.mesh', type: TYPE_A, class: 1 }] });
  });

  it('follows compression pointers and refuses loops and truncation', () => {
    // "mesh" at 12, then "backend" + pointer to 12 at 18.
    const buf = Buffer.from([...Buffer.alloc(12), 4, ...Buffer.from('mesh'), 0, 7, ...Buffer.from('backend'), 0xc0, 12]);
    expect(readName(buf, 18)).toEqual({ name: 'backend.mesh', next: 28 });
    const loop = Buffer.from([...Buffer.alloc(12), 0xc0, 12]);
    expect(() => readName(loop, 12)).toThrow(DnsFormatError);
    expect(() => readName(Buffer.from([...Buffer.alloc(12), 9, 0x61]), 12)).toThrow(/past the end/);
    expect(() => parseQuery(Buffer.from([1, 2, 3]))).toThrow(/shorter than a DNS header/);
  });
});

describe('building', () => {
  it('encodes names as length-prefixed labels', () => {
    expect(encodeName('a.bc.')).toEqual(Buffer.from([1, 0x61, 2, 0x62, 0x63, 0]));
    expect(encodeName('')).toEqual(Buffer.from([0]));
    expect(() => encodeName(`${'x'.repeat(64)}.mesh`)).toThrow(DnsFormatError);
  });

  it('writes an authoritative A answer exactly as RFC 1035 lays it out', () => {
    const q = parseQuery(DIG_QUERY);
    const out = buildResponse(q, RCODE.NOERROR, [{ name: 'backend.mesh', ttl: 30, ip: '240.0.0.1' }], true);
    expect([...out]).toEqual([
      0xbe, 0xef,
      0x85, 0x80, // QR, AA, RD, RA, NOERROR
      0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      7, ...Buffer.from('backend'), 4, ...Buffer.from('mesh'), 0, 0x00, 0x01, 0x00, 0x01,
      0xc0, 0x0c, // owner: pointer to the question name
      0x00, 0x01, 0x00, 0x01, // A IN
      0x00, 0x00, 0x00, 0x1e, // TTL 30
      0x00, 0x04, 240, 0, 0, 1,
    ]);
    expect(parseResponse(out)).toEqual({ id: 0xbeef, rcode: 0, authoritative: true, questions: q.questions, answers: [{ name: 'backend.mesh', ttl: 30, ip: '240.0.0.1' }] });
  });

  it('writes NXDOMAIN and error answers without records', () => {
    const q = parseQuery(buildQuery(7, 'nope.mesh', TYPE_AAAA, false));
    const nx = buildResponse(q, RCODE.NXDOMAIN, [], true);
    expect(nx.readUInt16BE(2)).toBe(0x8000 | 0x0400 | 0x0080 | 3);
    expect(parseResponse(nx)).toMatchObject({ id: 7, rcode: RCODE.NXDOMAIN, answers: [], questions: [{ name: 'nope.mesh', type: TYPE_AAAA }] });
    expect([...formatErrorResponse(0x1234)]).toEqual([0x12, 0x34, 0x80, 0x81, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('round-trips its own queries', () => {
    const q = buildQuery(0xffff, 'echo-server.echo-example.svc.1010.mesh');
    expect(parseQuery(q)).toEqual({ id: 0xffff, opcode: 0, rd: true, isResponse: false, questions: [{ name: 'echo-server.echo-example.svc.1010.mesh', type: TYPE_A, class: 1 }] });
  });
});
