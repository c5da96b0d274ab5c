/**
 * kuma.io/protocol values and how several of them combine (Kuma pkg/util/protocol, spec
 * kuma-kds-xds.md §3.4).
 */

export type Protocol = 'tcp' | 'http' | 'http2' | 'grpc' | 'kafka' | 'tls';

/** Each protocol with the protocols it is carried over, most specific first (Kuma protocolStacks). */
const STACKS: Record<string, readonly string[]> = {
  grpc: ['grpc', 'http2', 'tcp'],
  http2: ['http2', 'tcp'],
  http: ['http', 'tcp'],
  kafka: ['kafka', 'tcp'],
  tls: ['tls', 'tcp'],
  tcp: ['tcp'],
};

/** The protocol a kuma.io/protocol tag names; anything else (incl. missing) is plain TCP. */
export function parseProtocol(tag: string | undefined): Protocol {
  const p = (tag ?? '').toLowerCase();
  return p in STACKS ? (p as Protocol) : 'tcp';
}

/** The most specific protocol both sides speak (grpc + http2 = http2, http + http2 = tcp). */
export function commonOf(a: string, b: string): Protocol {
  const pa = parseProtocol(a);
  const pb = parseProtocol(b);
  if (pa === pb) return pa;
  const other = STACKS[pb]!;
  for (const p of STACKS[pa]!) if (other.includes(p)) return p as Protocol;
  return 'tcp';
}

/** The common protocol of a list of kuma.io/protocol tags ("tcp" for an empty list). */
export function commonProtocol(tags: readonly string[]): Protocol {
  if (tags.length === 0) return 'tcp';
  let acc = parseProtocol(tags[0]);
  for (let i = 1; i < tags.length; i++) acc = commonOf(acc, tags[i]!);
  return acc;
}

/** HTTP-family protocols get an http_connection_manager; the rest a tcp_proxy. */
export function isHttpFamily(p: string): boolean {
  return p === 'http' || p === 'http2' || p === 'grpc';
}

/** Upstreams that must be spoken to over HTTP/2. */
export function isHttp2(p: string): boolean {
  return p === 'http2' || p === 'grpc';
}
