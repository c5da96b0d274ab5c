/**
 * kuma-dp's DNS resolver (`kuma dp run --dns-enabled`; Kuma runs CoreDNS for this, spec
 * kuma-kds-xds.md §3.8): a small UDP server on 127.0.0.1:<--dns-port> answering from the mesh's
 * VIP records, which kuma-dp polls from the control plane (dns-poller.ts).
 *
 * - Names under the mesh domain (`mesh`) and MeshService hostnames the CP sent (HostnameGenerators:
 *   `backend.svc.mesh.local`): A queries for a known name get its VIP (authoritative,
 *   the TTL the CP sent); other types for a known name get an empty NOERROR (the VIPs are IPv4
 *   only); unknown names get NXDOMAIN. Until the first records arrive every such query gets
 *   SERVFAIL, so that clients do not cache a negative answer.
 * - Every other name is forwarded, as Kuma's CoreDNS does (`forward . /etc/resolv.conf`), to the
 *   nameservers of /etc/resolv.conf (tried in order, `forwardTimeoutMs` each; SERVFAIL when none
 *   answers), so an application can use this resolver for everything. Without any nameserver the
 *   answer is REFUSED.
 * - Queries with another opcode get NOTIMP; packets that cannot be parsed or carry other than one
 *   question get FORMERR; responses are ignored. TCP is not served (answers are small).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { DEFAULT_DNS_TTL_S } from './vips';
import { DnsFormatError, RCODE, TYPE_A, TYPE_ANY, buildResponse, formatErrorResponse, packetId, parseQuery } from './dns-wire';

export const DEFAULT_DNS_PORT = 15053;
const DEFAULT_FORWARD_TIMEOUT_MS = 2_000;
export { DEFAULT_DNS_TTL_S };

export interface DnsServerLog {
  debug(o: object, msg: string): void;
  warn(o: object, msg: string): void;
}

export interface Upstream {
  address: string;
  port: number;
}

export interface DnsServerOptions {
  address?: string;
  port?: number;
  /** Where other names go; default: the nameservers of /etc/resolv.conf. Empty: REFUSED. */
  upstreams?: Upstream[];
  forwardTimeoutMs?: number;
  /** The mesh domain before the first records arrive (default `mesh`). */
  domain?: string;
  log?: DnsServerLog;
}

export interface DnsRecordSet {
  /** The mesh domain, e.g. `mesh`. */
  domain: string;
  ttl: number;
  /** name -> IPv4 VIP. */
  records: ReadonlyMap<string, string>;
}

/** `nameserver` lines of a resolv.conf text (port 53). */
export function parseResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const address = m[1]!.replace(/%.*$/, ''); // drop an IPv6 zone
    out.push({ address, port: 53 });
  }
  return out;
}

export function systemUpstreams(path = '/etc/resolv.conf'): Upstream[] {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

function underDomain(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

export class DnsServer {
  readonly #o: DnsServerOptions;
  readonly #upstreams: Upstream[];
  #socket: Socket | undefined;
  #set: DnsRecordSet | undefined;

  constructor(opts: DnsServerOptions = {}) {
    this.#o = opts;
    const listen = { address: opts.address ?? '127.0.0.1', port: opts.port ?? DEFAULT_DNS_PORT };
    // Never forward to ourselves.
    this.#upstreams = (opts.upstreams ?? systemUpstreams()).filter((u) => !(u.port === listen.port && (u.address === listen.address || listen.address === '0.0.0.0')));
  }

  /** Replaces the answers (names are compared case-insensitively). */
  setRecords(set: DnsRecordSet): void {
    const records = new Map<string, string>();
    for (const [name, ip] of set.records) records.set(name.toLowerCase().replace(/\.$/, ''), ip);
    this.#set = { domain: set.domain.toLowerCase().replace(/\.$/, ''), ttl: set.ttl, records };
  }

  get records(): DnsRecordSet | undefined {
    return this.#set;
  }

  get upstreams(): readonly Upstream[] {
    return this.#upstreams;
  }

  /** The bound port (after start). */
  get port(): number {
    return this.#socket?.address().port ?? 0;
  }

  async start(): Promise<void> {
    const socket = createSocket({ type: 'udp4' });
    this.#socket = socket;
    socket.on('message', (msg, rinfo) => void this.#onMessage(msg, rinfo));
    socket.on('error', (e) => this.#o.log?.warn({ err: e.message }, 'DNS server socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.#o.port ?? DEFAULT_DNS_PORT, this.#o.address ?? '127.0.0.1', () => {
        socket.removeListener('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const s = this.#socket;
    this.#socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** The answer to one packet (undefined: no answer, e.g. for a response). Exposed for tests. */
  async answer(msg: Buffer): Promise<Buffer | undefined> {
    let q;
    try {
      q = parseQuery(msg);
    } catch (e) {
      const id = packetId(msg);
      if (!(e instanceof DnsFormatError) || id === undefined) return undefined;
      return formatErrorResponse(id);
    }
    if (q.isResponse) return undefined;
    if (q.opcode !== 0) return buildResponse(q, RCODE.NOTIMP);
    if (q.questions.length !== 1) return buildResponse(q, RCODE.FORMERR);
    const question = q.questions[0]!;
    const set = this.#set;
    const domain = set?.domain ?? (this.#o.domain ?? 'mesh').toLowerCase();
    // MeshService hostnames (`backend.svc.mesh.local`) are records outside the mesh domain.
    if (underDomain(question.name, domain) || set?.records.has(question.name)) {
      if (!set) return buildResponse(q, RCODE.SERVFAIL);
      const ip = set.records.get(question.name);
      if (!ip) return buildResponse(q, RCODE.NXDOMAIN, [], true);
      if (question.type !== TYPE_A && question.type !== TYPE_ANY) return buildResponse(q, RCODE.NOERROR, [], true);
      return buildResponse(q, RCODE.NOERROR, [{ name: question.name, ttl: set.ttl, ip }], true);
    }
    if (this.#upstreams.length === 0) return buildResponse(q, RCODE.REFUSED);
    for (const u of this.#upstreams) {
      const r = await this.#forward(msg, u);
      if (r) return r;
    }
    return buildResponse(q, RCODE.SERVFAIL);
  }

  async #onMessage(msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    const out = await this.answer(msg);
    if (out && this.#socket) this.#socket.send(out, rinfo.port, rinfo.address);
  }

  /** Sends the query as is from a fresh socket (so ids never collide) and relays the first answer. */
  #forward(msg: Buffer, u: Upstream): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const s = createSocket({ type: isIPv6(u.address) ? 'udp6' : 'udp4' });
      const id = msg.readUInt16BE(0);
      let done = false;
      const finish = (r: Buffer | undefined) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        s.close();
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.#o.log?.debug({ upstream: `${u.address}:${u.port}` }, 'DNS upstream did not answer in time');
        finish(undefined);
      }, this.#o.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS);
      s.on('error', (e) => {
        this.#o.log?.debug({ upstream: `${u.address}:${u.port}`, err: e.message }, 'DNS upstream failed');
        finish(undefined);
      });
      s.on('message', (reply, rinfo) => {
        if (reply.length >= 2 && reply.readUInt16BE(0) === id && rinfo.port === u.port) finish(reply);
      });
      s.send(msg, u.port, u.address, (e) => {
        if (e) finish(undefined);
      });
    });
  }
}
