/**
 * The DNS wire format (RFC 1035 §4) for kuma-dp's resolver: enough to read a query and write an
 * answer of A records. Pure, no dependencies.
 */

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const TYPE_ANY = 255;
export const CLASS_IN = 1;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface DnsQuestion {
  /** Lower-case, without the trailing dot. */
  name: string;
  type: number;
  class: number;
}

export interface DnsQuery {
  id: number;
  /** Opcode (0 = standard query). */
  opcode: number;
  /** Recursion desired. */
  rd: boolean;
  /** Whether the QR bit was set (a response, which a server must not answer). */
  isResponse: boolean;
  questions: DnsQuestion[];
}

export interface DnsAnswerA {
  name: string;
  ttl: number;
  ip: string;
}

export class DnsFormatError extends Error {}

/** Reads a (possibly compressed) domain name at `offset`; returns it and the offset after it. */
export function readName(buf: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  let jumps = 0;
  for (;;) {
    if (pos >= buf.length) throw new DnsFormatError('name runs past the end of the packet');
    const len = buf[pos]!;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new DnsFormatError('truncated compression pointer');
      if (++jumps > 32) throw new DnsFormatError('compression pointer loop');
      if (next < 0) next = pos + 2;
      pos = ((len & 0x3f) << 8) | buf[pos + 1]!;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new DnsFormatError(`unsupported label type 0x${len.toString(16)}`);
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    if (pos + 1 + len > buf.length) throw new DnsFormatError('label runs past the end of the packet');
    labels.push(buf.toString('latin1', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  const name = labels.join('.');
  if (name.length > 253) throw new DnsFormatError('name longer than 253 characters');
  return { name, next };
}

/** A domain name as uncompressed labels. */
export function encodeName(name: string): Buffer {
  const trimmed = name.replace(/\.$/, '');
  const parts: Buffer[] = [];
  if (trimmed !== '') {
    for (const label of trimmed.split('.')) {
      const b = Buffer.from(label, 'latin1');
      if (b.length === 0 || b.length > 63) throw new DnsFormatError(`label "${label}" of "${name}" is empty or longer than 63 bytes`);
      parts.push(Buffer.from([b.length]), b);
    }
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** Parses the header and question section of a query. */
export function parseQuery(buf: Buffer): DnsQuery {
  if (buf.length < 12) throw new DnsFormatError('packet shorter than a DNS header');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const qdcount = buf.readUInt16BE(4);
  const questions: DnsQuestion[] = [];
  let pos = 12;
  for (let i = 0; i < qdcount; i++) {
    const { name, next } = readName(buf, pos);
    if (next + 4 > buf.length) throw new DnsFormatError('truncated question');
    questions.push({ name: name.toLowerCase(), type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2) });
    pos = next + 4;
  }
  return { id, opcode: (flags >> 11) & 0xf, rd: (flags & 0x0100) !== 0, isResponse: (flags & 0x8000) !== 0, questions };
}

/** The id of a packet, or undefined when it is too short (FORMERR answers need it). */
export function packetId(buf: Buffer): number | undefined {
  return buf.length >= 2 ? buf.readUInt16BE(0) : undefined;
}

function ipBytes(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new DnsFormatError(`"${ip}" is not an IPv4 address`);
  return Buffer.from(parts);
}

/**
 * A response to `query`: the question echoed, then the A answers (owner names compressed to the
 * question when equal). `authoritative` sets AA (names of the mesh domain).
 */
export function buildResponse(query: Pick<DnsQuery, 'id' | 'opcode' | 'rd' | 'questions'>, rcode: number, answers: readonly DnsAnswerA[] = [], authoritative = false): Buffer {
  let flags = 0x8000 | ((query.opcode & 0xf) << 11) | 0x0080 | (rcode & 0xf); // QR, opcode, RA, RCODE
  if (authoritative) flags |= 0x0400;
  if (query.rd) flags |= 0x0100;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.id, 0);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(query.questions.length, 4);
  header.writeUInt16BE(answers.length, 6);
  const parts: Buffer[] = [header];
  const offsets = new Map<string, number>();
  let pos = 12;
  for (const q of query.questions) {
    offsets.set(q.name.toLowerCase(), pos);
    const n = encodeName(q.name);
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(q.type, 0);
    tail.writeUInt16BE(q.class, 2);
    parts.push(n, tail);
    pos += n.length + 4;
  }
  for (const a of answers) {
    const at = offsets.get(a.name.toLowerCase());
    const owner = at !== undefined && at < 0x4000 ? Buffer.from([0xc0 | (at >> 8), at & 0xff]) : encodeName(a.name);
    const rr = Buffer.alloc(10);
    rr.writeUInt16BE(TYPE_A, 0);
    rr.writeUInt16BE(CLASS_IN, 2);
    rr.writeUInt32BE(Math.max(0, Math.floor(a.ttl)) >>> 0, 4);
    rr.writeUInt16BE(4, 8);
    parts.push(owner, rr, ipBytes(a.ip));
  }
  return Buffer.concat(parts);
}

/** A bare error response for a packet that could not be parsed (header only, FORMERR). */
export function formatErrorResponse(id: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x8000 | 0x0080 | RCODE.FORMERR, 2);
  return header;
}

/** A standard query for `name` (used by tests and by forwarding checks). */
export function buildQuery(id: number, name: string, type = TYPE_A, rd = true): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(rd ? 0x0100 : 0, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, encodeName(name), tail]);
}

export interface DnsResponse {
  id: number;
  rcode: number;
  authoritative: boolean;
  questions: DnsQuestion[];
  /** A records only; other answer types are skipped. */
  answers: DnsAnswerA[];
}

/** Parses a response's header, questions and A answers. */
export function parseResponse(buf: Buffer): DnsResponse {
  const q = parseQuery(buf);
  const flags = buf.readUInt16BE(2);
  const ancount = buf.readUInt16BE(6);
  let pos = 12;
  for (let i = 0; i < q.questions.length; i++) pos = readName(buf, pos).next + 4;
  const answers: DnsAnswerA[] = [];
  for (let i = 0; i < ancount; i++) {
    const { name, next } = readName(buf, pos);
    if (next + 10 > buf.length) throw new DnsFormatError('truncated answer');
    const type = buf.readUInt16BE(next);
    const ttl = buf.readUInt32BE(next + 4);
    const rdlength = buf.readUInt16BE(next + 8);
    const rdata = next + 10;
    if (rdata + rdlength > buf.length) throw new DnsFormatError('truncated answer data');
    if (type === TYPE_A && rdlength === 4) answers.push({ name: name.toLowerCase(), ttl, ip: [...buf.subarray(rdata, rdata + 4)].join('.') });
    pos = rdata + rdlength;
  }
  return { id: q.id, rcode: flags & 0xf, authoritative: (flags & 0x0400) !== 0, questions: q.questions, answers };
}
