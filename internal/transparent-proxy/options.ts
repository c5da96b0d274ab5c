/**
 * `kuma install transparent-proxy` flags -> checked options. Pure: the
 * command hands in how to look a user up and the nameservers of
 * /etc/resolv.conf. Every mistake is collected and reported together, each
 * naming its flag, so a bad line never reaches iptables.
 *
 * Defaults and names are Kuma's (transparent proxy configuration reference):
 * inbound 15006, outbound 15001, DNS 15053, ipFamilyMode dualstack, the
 * kuma-dp user `kuma-dp` or else UID 5678.
 */
import { isIP } from 'node:net';
import { BadRequestError, type Violation } from '../errors';

export const DEFAULT_INBOUND_PORT = 15006;
export const DEFAULT_OUTBOUND_PORT = 15001;
export const DEFAULT_DNS_PORT = 15053;
export const DEFAULT_KUMA_DP_USER = 'kuma-dp';
export const DEFAULT_KUMA_DP_UID = 5678;

/** The flags as typed; nothing interpreted yet. */
export interface TransparentProxyFlags {
  kumaDpUser?: string;
  kumaDpUid?: string;
  ipFamilyMode?: string;
  redirectInbound?: string | boolean;
  redirectInboundPort?: string;
  redirectOutboundPort?: string;
  excludeInboundPorts?: string[];
  excludeOutboundPorts?: string[];
  excludeInboundIps?: string[];
  excludeOutboundIps?: string[];
  redirectDns?: boolean;
  redirectAllDnsTraffic?: boolean;
  redirectDnsPort?: string;
  skipDnsConntrackZoneSplit?: boolean;
}

/** A port or an inclusive range of them (`80-88`). */
export interface PortRange {
  from: number;
  to: number;
}

export interface TransparentProxyOptions {
  /** Traffic of this UID (Envoy, kuma-dp's DNS) is never redirected, or it would loop back into Envoy. */
  kumaDpUid: number;
  ipFamilyMode: 'dualstack' | 'ipv4';
  inbound: { enabled: boolean; port: number; excludePorts: PortRange[]; excludeIps: string[] };
  outbound: { port: number; excludePorts: PortRange[]; excludeIps: string[] };
  /** servers: the resolv.conf nameservers whose queries go to kuma-dp; empty with captureAll. */
  dns: { enabled: boolean; port: number; captureAll: boolean; servers: string[]; skipConntrackZoneSplit: boolean };
}

export interface Environment {
  /** The UID of a user name, undefined when there is no such user. */
  uidOf(user: string): number | undefined;
  /** Nameserver addresses of /etc/resolv.conf (only read with --redirect-dns). */
  nameservers(): string[];
}

export function parseTransparentProxyFlags(f: TransparentProxyFlags, env: Environment): TransparentProxyOptions {
  const violations: Violation[] = [];
  const bad = (field: string, message: string) => violations.push({ field, message });

  const inboundPort = port(f.redirectInboundPort, DEFAULT_INBOUND_PORT, '--redirect-inbound-port', bad);
  const outboundPort = port(f.redirectOutboundPort, DEFAULT_OUTBOUND_PORT, '--redirect-outbound-port', bad);
  const dnsPort = port(f.redirectDnsPort, DEFAULT_DNS_PORT, '--redirect-dns-port', bad);
  if (inboundPort === outboundPort) bad('--redirect-outbound-port', `must differ from --redirect-inbound-port (both ${inboundPort})`);

  const ipFamilyMode = f.ipFamilyMode ?? 'dualstack';
  if (ipFamilyMode !== 'dualstack' && ipFamilyMode !== 'ipv4') bad('--ip-family-mode', `"${ipFamilyMode}" is not one of dualstack, ipv4`);

  const inboundEnabled = bool(f.redirectInbound, true, '--redirect-inbound', bad);
  if (f.redirectDns && f.redirectAllDnsTraffic) bad('--redirect-all-dns-traffic', 'use either --redirect-dns or --redirect-all-dns-traffic, not both');
  const dnsEnabled = Boolean(f.redirectDns || f.redirectAllDnsTraffic);
  const servers = f.redirectDns && !f.redirectAllDnsTraffic ? env.nameservers().filter((s) => isIP(s) !== 0) : [];
  if (f.redirectDns && !f.redirectAllDnsTraffic && servers.length === 0) {
    bad('--redirect-dns', 'no nameserver in /etc/resolv.conf to redirect; use --redirect-all-dns-traffic to redirect every DNS query');
  }

  const opts: TransparentProxyOptions = {
    kumaDpUid: kumaDpUid(f, env, bad),
    ipFamilyMode: ipFamilyMode === 'ipv4' ? 'ipv4' : 'dualstack',
    inbound: {
      enabled: inboundEnabled,
      port: inboundPort,
      excludePorts: portList(f.excludeInboundPorts, '--exclude-inbound-ports', bad),
      excludeIps: ipList(f.excludeInboundIps, '--exclude-inbound-ips', bad),
    },
    outbound: {
      port: outboundPort,
      excludePorts: portList(f.excludeOutboundPorts, '--exclude-outbound-ports', bad),
      excludeIps: ipList(f.excludeOutboundIps, '--exclude-outbound-ips', bad),
    },
    dns: { enabled: dnsEnabled, port: dnsPort, captureAll: Boolean(f.redirectAllDnsTraffic), servers, skipConntrackZoneSplit: Boolean(f.skipDnsConntrackZoneSplit) },
  };
  if (violations.length) throw new BadRequestError('invalid transparent proxy flags', violations);
  return opts;
}

type Bad = (field: string, message: string) => void;

function kumaDpUid(f: TransparentProxyFlags, env: Environment, bad: Bad): number {
  if (f.kumaDpUser !== undefined && f.kumaDpUid !== undefined) {
    bad('--kuma-dp-uid', 'use either --kuma-dp-user or --kuma-dp-uid, not both');
    return -1;
  }
  if (f.kumaDpUid !== undefined) {
    const uid = uidNumber(f.kumaDpUid);
    if (uid === undefined) bad('--kuma-dp-uid', `"${f.kumaDpUid}" is not a UID (a number from 0 to 4294967294)`);
    return uid ?? -1;
  }
  if (f.kumaDpUser !== undefined) {
    // Kuma's --kuma-dp-user takes a name or a UID.
    const uid = uidNumber(f.kumaDpUser) ?? env.uidOf(f.kumaDpUser);
    if (uid === undefined) bad('--kuma-dp-user', `there is no user "${f.kumaDpUser}" on this host; create it (useradd -u ${DEFAULT_KUMA_DP_UID} -U ${DEFAULT_KUMA_DP_USER}) or pass its UID`);
    return uid ?? -1;
  }
  return env.uidOf(DEFAULT_KUMA_DP_USER) ?? DEFAULT_KUMA_DP_UID;
}

function uidNumber(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 4294967294 ? n : undefined;
}

function port(raw: string | undefined, dflt: number, flag: string, bad: Bad): number {
  if (raw === undefined) return dflt;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 65535)) {
    bad(flag, `"${raw}" is not a port (1-65535)`);
    return dflt;
  }
  return n;
}

function bool(raw: string | boolean | undefined, dflt: boolean, flag: string, bad: Bad): boolean {
  if (raw === undefined) return dflt;
  if (typeof raw === 'boolean') return raw;
  if (/^(true|1)$/i.test(raw)) return true;
  if (/^(false|0)$/i.test(raw)) return false;
  bad(flag, `"${raw}" is not true or false`);
  return dflt;
}

/** Comma-separated and repeatable, as Kuma's flags are. */
function items(raw: string[] | undefined): string[] {
  return (raw ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

function portList(raw: string[] | undefined, flag: string, bad: Bad): PortRange[] {
  const out: PortRange[] = [];
  for (const item of items(raw)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    const from = m ? Number(m[1]) : NaN;
    const to = m?.[2] !== undefined ? Number(m[2]) : from;
    if (!(from >= 1 && to <= 65535 && from <= to)) bad(flag, `"${item}" is not a port or a range of ports like 8080-8090 (1-65535)`);
    else out.push({ from, to });
  }
  return out;
}

function ipList(raw: string[] | undefined, flag: string, bad: Bad): string[] {
  const out: string[] = [];
  for (const item of items(raw)) {
    const [addr, prefix, extra] = item.split('/');
    const family = isIP(addr ?? '');
    const max = family === 6 ? 128 : 32;
    const okPrefix = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= max);
    if (family === 0 || !okPrefix || extra !== undefined) bad(flag, `"${item}" is not an IP address or CIDR (e.g. 10.0.0.1, 172.16.0.0/12, fe80::/10)`);
    else out.push(item);
  }
  return out;
}
