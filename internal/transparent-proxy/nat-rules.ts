/**
 * The nat table of Kuma's transparent proxy, per IP family, as data: the
 * chains to create and the rules to append, in order. Pure: options in,
 * rules out; `restore-text.ts` renders them for iptables-restore.
 *
 * The shape is Kuma's (kumactl install transparent-proxy): PREROUTING jumps
 * to KUMA_MESH_INBOUND (-> KUMA_MESH_INBOUND_REDIRECT -> Envoy's inbound
 * port), OUTPUT to KUMA_MESH_OUTBOUND (-> KUMA_MESH_OUTBOUND_REDIRECT ->
 * Envoy's outbound port); DNS on port 53 goes to kuma-dp's resolver. Every
 * rule carries a `kuma/mesh/transparent/proxy/...` comment, as Kuma tags its
 * rules since 2.9: that is how uninstall (and a second install) finds ours.
 */
import type { PortRange, TransparentProxyOptions } from './options';

export type IpFamily = 'ipv4' | 'ipv6';

export const CHAIN = {
  inbound: 'KUMA_MESH_INBOUND',
  inboundRedirect: 'KUMA_MESH_INBOUND_REDIRECT',
  outbound: 'KUMA_MESH_OUTBOUND',
  outboundRedirect: 'KUMA_MESH_OUTBOUND_REDIRECT',
} as const;

/** Every chain of ours starts with this; iptables-save lines naming one are ours. */
export const CHAIN_PREFIX = 'KUMA_MESH_';
export const COMMENT_PREFIX = 'kuma/mesh/transparent/proxy/';

/** One `-A CHAIN ...` line as tokens (a token may hold spaces: the comment). */
export type Rule = string[];

export interface TableRules {
  table: 'nat' | 'raw';
  chains: string[];
  rules: Rule[];
}

const DNS_PORT = '53';

/** Addresses that differ per family: loopback, and Envoy's inbound passthrough source (Kuma: 127.0.0.6 / ::6). */
const FAMILY = {
  ipv4: { localhost: '127.0.0.1/32', passthroughSource: '127.0.0.6/32' },
  ipv6: { localhost: '::1/128', passthroughSource: '::6/128' },
} as const;

export function natRules(o: TransparentProxyOptions, family: IpFamily): TableRules {
  const f = FAMILY[family];
  const uid = String(o.kumaDpUid);
  const rules: Rule[] = [];
  const add = (chain: string, why: string, ...args: string[]) => rules.push(ruleWithComment(chain, why, ...args));
  const targets = dnsTargets(o, family);
  const dns = targets.length > 0;
  const notDns = dns ? ['-p', 'tcp', '!', '--dport', DNS_PORT] : [];

  if (o.inbound.enabled) {
    add('PREROUTING', 'redirect inbound TCP traffic to our custom chain for processing', '-p', 'tcp', '-j', CHAIN.inbound);
  }
  if (dns) {
    // kuma-dp's own resolver asks the real nameservers: its queries must leave untouched.
    add('OUTPUT', `return DNS queries from the kuma-dp user (UID ${uid})`, '-p', 'udp', '--dport', DNS_PORT, '-m', 'owner', '--uid-owner', uid, '-j', 'RETURN');
    for (const d of targets) {
      add('OUTPUT', `redirect DNS queries${d ? ` to ${d}` : ''} to the kuma-dp DNS proxy`, '-p', 'udp', ...dest(d), '--dport', DNS_PORT, '-j', 'REDIRECT', '--to-ports', String(o.dns.port));
    }
  }
  add('OUTPUT', 'redirect outbound TCP traffic to our custom chain for processing', '-p', 'tcp', '-j', CHAIN.outbound);

  const chains: string[] = [CHAIN.outbound, CHAIN.outboundRedirect];
  if (o.inbound.enabled) {
    chains.unshift(CHAIN.inbound, CHAIN.inboundRedirect);
    for (const ip of o.inbound.excludeIps.filter((i) => familyOf(i) === family)) {
      add(CHAIN.inbound, `exclude inbound traffic from ${ip}`, '-s', ip, '-j', 'RETURN');
    }
    for (const p of o.inbound.excludePorts) add(CHAIN.inbound, `exclude inbound traffic to port ${portText(p)}`, '-p', 'tcp', '--dport', portArg(p), '-j', 'RETURN');
    add(CHAIN.inbound, 'redirect the rest of inbound TCP traffic to the inbound redirect chain', '-p', 'tcp', '-j', CHAIN.inboundRedirect);
    add(CHAIN.inboundRedirect, `redirect inbound TCP traffic to envoy (port ${o.inbound.port})`, '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', String(o.inbound.port));
  }

  for (const p of o.outbound.excludePorts) add(CHAIN.outbound, `exclude outbound traffic to port ${portText(p)}`, '-p', 'tcp', '--dport', portArg(p), '-j', 'RETURN');
  for (const ip of o.outbound.excludeIps.filter((i) => familyOf(i) === family)) {
    add(CHAIN.outbound, `exclude outbound traffic to ${ip}`, '-d', ip, '-j', 'RETURN');
  }
  // Envoy's inbound passthrough connects to the application from this source: not to be captured again.
  add(CHAIN.outbound, 'return traffic from the inbound passthrough source', '-s', f.passthroughSource, '-o', 'lo', '-j', 'RETURN');
  if (o.inbound.enabled) {
    // Envoy reaching a local, non-loopback address of this host: that is an inbound of this proxy.
    add(CHAIN.outbound, `redirect local traffic of the kuma-dp user (UID ${uid}) to the inbound redirect chain`, ...notDns, '!', '-d', f.localhost, '-o', 'lo', '-m', 'owner', '--uid-owner', uid, '-j', CHAIN.inboundRedirect);
  }
  add(CHAIN.outbound, `return loopback traffic of other users than kuma-dp (UID ${uid})`, ...notDns, '-o', 'lo', '-m', 'owner', '!', '--uid-owner', uid, '-j', 'RETURN');
  // Envoy's (and kuma-dp's) own connections go where they were meant to: redirecting them would loop.
  add(CHAIN.outbound, `return outbound traffic of the kuma-dp user (UID ${uid})`, '-m', 'owner', '--uid-owner', uid, '-j', 'RETURN');
  for (const d of targets) {
    add(CHAIN.outbound, `redirect TCP DNS queries${d ? ` to ${d}` : ''} to the kuma-dp DNS proxy`, '-p', 'tcp', ...dest(d), '--dport', DNS_PORT, '-j', 'REDIRECT', '--to-ports', String(o.dns.port));
  }
  add(CHAIN.outbound, 'return traffic to localhost', '-d', f.localhost, '-j', 'RETURN');
  add(CHAIN.outbound, 'redirect the rest of outbound TCP traffic to the outbound redirect chain', '-j', CHAIN.outboundRedirect);
  add(CHAIN.outboundRedirect, `redirect outbound TCP traffic to envoy (port ${o.outbound.port})`, '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', String(o.outbound.port));

  return { table: 'nat', chains, rules };
}

/** `-A chain args` with our comment, placed before the target where iptables-save prints it. */
export function ruleWithComment(chain: string, why: string, ...args: string[]): Rule {
  const j = args.indexOf('-j');
  return ['-A', chain, ...args.slice(0, j), '-m', 'comment', '--comment', COMMENT_PREFIX + why, ...args.slice(j)];
}

/**
 * Where DNS queries are redirected from, for one family: [undefined] (every
 * query) with captureAll, else this family's resolv.conf nameservers; none
 * without DNS redirection.
 */
export function dnsTargets(o: TransparentProxyOptions, family: IpFamily): (string | undefined)[] {
  if (!o.dns.enabled) return [];
  return o.dns.captureAll ? [undefined] : o.dns.servers.filter((s) => familyOf(s) === family);
}

export function familyOf(ipOrCidr: string): IpFamily {
  return ipOrCidr.includes(':') ? 'ipv6' : 'ipv4';
}

function dest(d: string | undefined): string[] {
  if (d === undefined) return [];
  return ['-d', d.includes('/') ? d : `${d}/${familyOf(d) === 'ipv6' ? 128 : 32}`];
}

function portArg(p: PortRange): string {
  return p.from === p.to ? String(p.from) : `${p.from}:${p.to}`;
}

function portText(p: PortRange): string {
  return p.from === p.to ? String(p.from) : `${p.from}-${p.to}`;
}
