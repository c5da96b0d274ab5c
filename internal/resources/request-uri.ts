/**
 * URLs read the way Go's net/url reads them (url.ParseRequestURI), which Kuma's validators and
 * plugins use: the WHATWG parser would turn `http://h:1` into path `/` and resolve `..`, so a
 * "path must not be defined" rule could not be told apart from a bare host.
 */

export interface RequestUri {
  scheme: string;
  /** `host[:port]` as written (Go's url.Host). */
  host: string;
  hostname: string;
  /** The port as written; '' when absent. */
  port: string;
  path: string;
  query: string;
  fragment: string;
  user: string;
}

const URI_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;

/**
 * An absolute `scheme://authority[path][?query][#fragment]` URL; undefined for anything
 * ParseRequestURI refuses or reads as opaque (`host:port` has scheme `host`, no authority).
 */
export function parseRequestUri(raw: string): RequestUri | undefined {
  if (/[\s\x00-\x1f\x7f]/.test(raw)) return undefined;
  const m = URI_RE.exec(raw);
  if (!m) return undefined;
  let authority = m[2]!;
  let user = '';
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    user = authority.slice(0, at);
    authority = authority.slice(at + 1);
  }
  let hostname = authority;
  let port = '';
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end < 0) return undefined;
    hostname = authority.slice(1, end);
    const rest = authority.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return undefined;
    port = rest.slice(1);
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0) {
      hostname = authority.slice(0, colon);
      port = authority.slice(colon + 1);
    }
  }
  // Go accepts only digits after the colon of a host.
  if (!/^\d*$/.test(port)) return undefined;
  return { scheme: m[1]!.toLowerCase(), host: authority, hostname, port, path: m[3]!, query: m[4] ?? '', fragment: m[5] ?? '', user };
}

/** The port of a URL as a number, or the scheme's default (80 / 443). */
export function portOrDefault(u: RequestUri): number {
  if (u.port !== '') return Number(u.port);
  return u.scheme === 'https' ? 443 : 80;
}

/** govalidator.IsURL, as Kuma uses it for Zipkin: a host is required, the scheme is optional. */
export function isUrl(raw: string): boolean {
  if (raw === '' || raw.length >= 2083 || raw.startsWith('.') || /\s/.test(raw)) return false;
  const u = parseRequestUri(raw.includes('://') ? raw : `http://${raw}`);
  if (!u || u.hostname === '' || u.hostname.startsWith('.')) return false;
  if (u.port !== '' && (Number(u.port) < 1 || Number(u.port) > 65535)) return false;
  return /^[a-zA-Z0-9._~\-%:]+$/.test(u.hostname) || /^[0-9a-fA-F:.]+$/.test(u.hostname);
}
