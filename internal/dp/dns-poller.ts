/**
 * kuma-dp's side of Kuma DNS: polls the mesh's VIP records from the control plane's DP server
 * (`GET https://<cp>:5678/dns?mesh=<mesh>&name=<name>`, authenticated with the dataplane token in
 * `authorization`, as the ADS stream is) and hands them to the resolver (internal/dns/dns-server.ts).
 *
 * The first poll runs at once, then one every `intervalMs` (default 5 s, well below the 30 s TTL
 * of the answers). A failed poll keeps the last records and is logged once until a poll succeeds.
 */
import type { Dispatcher } from 'undici';
import { bootstrapUrl } from './bootstrap-client';

export const DEFAULT_DNS_POLL_INTERVAL_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;

export interface DnsRecordsUpdate {
  domain: string;
  ttl: number;
  records: { name: string; ip: string; port: number }[];
}

export interface DnsPollerOptions {
  cpAddress: string;
  caCert?: string;
  skipVerify?: boolean;
  mesh: string;
  name: string;
  /** The dataplane token (read again before every poll, so a rotated token file is picked up). */
  token: () => Promise<string> | string;
  intervalMs?: number;
  onRecords: (u: DnsRecordsUpdate) => void;
  log?: { warn(o: object, msg: string): void; info(o: object, msg: string): void; debug?(o: object, msg: string): void };
}

/** https://<cp>/dns?mesh=..&name=.. from --cp-address. */
export function dnsUrl(cpAddress: string, mesh: string, name: string): string {
  const u = new URL(bootstrapUrl(cpAddress));
  u.pathname = '/dns';
  u.searchParams.set('mesh', mesh);
  if (name) u.searchParams.set('name', name);
  return u.toString();
}

/** Checks the body of a 200 answer; throws on anything else. */
export function parseDnsRecords(text: string): DnsRecordsUpdate {
  const o = JSON.parse(text) as Partial<DnsRecordsUpdate>;
  if (!o || typeof o !== 'object' || !Array.isArray(o.records)) throw new Error('the answer has no "records" list');
  const records = o.records
    .filter((r) => r && typeof r.name === 'string' && typeof r.ip === 'string')
    .map((r) => ({ name: r.name, ip: r.ip, port: typeof r.port === 'number' ? r.port : 0 }));
  return { domain: typeof o.domain === 'string' && o.domain ? o.domain : 'mesh', ttl: typeof o.ttl === 'number' && o.ttl >= 0 ? o.ttl : 30, records };
}

/** name -> ip of an update (the first ip of a name wins; names are lower-cased). */
export function recordMap(u: DnsRecordsUpdate): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of u.records) {
    const n = r.name.toLowerCase();
    if (!m.has(n)) m.set(n, r.ip);
  }
  return m;
}

export class DnsPoller {
  readonly #o: DnsPollerOptions;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #dispatcher: Dispatcher | undefined;
  #failing = false;
  #last = '';
  #polls = 0;

  constructor(opts: DnsPollerOptions) {
    this.#o = opts;
  }

  /** Successful polls so far (tests, diagnostics). */
  get polls(): number {
    return this.#polls;
  }

  /** Polls now and then every interval until stop(). Resolves after the first poll (whatever its outcome). */
  async start(): Promise<void> {
    const { Agent } = await import('undici');
    if (this.#stopped) return;
    this.#dispatcher = new Agent({ connect: { ca: this.#o.caCert || undefined, rejectUnauthorized: !this.#o.skipVerify } });
    await this.#tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#dispatcher?.close().catch(() => undefined);
  }

  /** One poll; throws on failure. */
  async poll(): Promise<DnsRecordsUpdate> {
    const { request } = await import('undici');
    const url = dnsUrl(this.#o.cpAddress, this.#o.mesh, this.#o.name);
    const token = (await this.#o.token()).trim();
    const res = await request(url, {
      method: 'GET',
      dispatcher: this.#dispatcher,
      headers: { accept: 'application/json', ...(token ? { authorization: token } : {}) },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${text.trim().slice(0, 300)}`);
    return parseDnsRecords(text);
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    try {
      const u = await this.poll();
      this.#polls++;
      if (this.#failing) this.#o.log?.info({}, 'Kuma DNS records are being received again');
      this.#failing = false;
      const key = JSON.stringify(u);
      if (key !== this.#last) {
        this.#last = key;
        this.#o.log?.info({ names: recordMap(u).size, domain: u.domain }, 'Kuma DNS records updated');
      }
      this.#o.onRecords(u);
    } catch (e) {
      if (!this.#failing && !this.#stopped) this.#o.log?.warn({ err: (e as Error).message }, 'could not get the Kuma DNS records from the control plane; keeping the last ones');
      this.#failing = true;
    }
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#tick(), this.#o.intervalMs ?? DEFAULT_DNS_POLL_INTERVAL_MS);
  }
}
