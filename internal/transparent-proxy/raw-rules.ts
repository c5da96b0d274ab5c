/**
 * The raw table of Kuma's DNS redirect: conntrack zone splitting. A query an
 * application sends to a nameserver (redirected to kuma dp's resolver) and
 * the query the resolver then sends to that same nameserver would share
 * conntrack entries; Kuma puts application <-> resolver packets in zone 2
 * and resolver <-> upstream packets in zone 1 so that they never collide
 * (transparent proxy configuration reference, `skipConntrackZoneSplit`).
 * Pure, like `nat-rules.ts`; no rules without DNS redirection or with
 * --skip-dns-conntrack-zone-split.
 */
import { dnsTargets, familyOf, ruleWithComment, type IpFamily, type TableRules } from './nat-rules';
import type { TransparentProxyOptions } from './options';

export function rawRules(o: TransparentProxyOptions, family: IpFamily): TableRules {
  const targets = dnsTargets(o, family);
  if (targets.length === 0 || o.dns.skipConntrackZoneSplit) return { table: 'raw', chains: [], rules: [] };
  const uid = String(o.kumaDpUid);
  const rules = [
    ...targets.map((d) => ruleWithComment('PREROUTING', `assign connection tracking zone 1 to DNS responses${d ? ` from ${d}` : ''}`, '-p', 'udp', ...(d ? ['-s', host(d)] : []), '--sport', '53', '-j', 'CT', '--zone', '1')),
    // The first CT target a packet meets wins: the kuma-dp user's own packets are sorted out first.
    ruleWithComment('OUTPUT', `assign connection tracking zone 1 to DNS traffic from the kuma-dp user (UID ${uid})`, '-p', 'udp', '--dport', '53', '-m', 'owner', '--uid-owner', uid, '-j', 'CT', '--zone', '1'),
    ruleWithComment('OUTPUT', 'assign connection tracking zone 2 to DNS responses from the kuma-dp DNS proxy', '-p', 'udp', '--sport', String(o.dns.port), '-m', 'owner', '--uid-owner', uid, '-j', 'CT', '--zone', '2'),
    ...targets.map((d) => ruleWithComment('OUTPUT', `assign connection tracking zone 2 to DNS queries${d ? ` to ${d}` : ''}`, '-p', 'udp', ...(d ? ['-d', host(d)] : []), '--dport', '53', '-j', 'CT', '--zone', '2')),
  ];
  return { table: 'raw', chains: [], rules };
}

function host(ip: string): string {
  return ip.includes('/') ? ip : `${ip}/${familyOf(ip) === 'ipv6' ? 128 : 32}`;
}
