/**
 * The rules `kuma install transparent-proxy` writes, per flag combination, as
 * the --dry-run text (iptables-restore input for IPv4, then IPv6: the nat
 * table, and the raw table's conntrack zones with DNS), golden.
 */
import { describe, expect, it } from 'vitest';
import { dryRunText } from '../../../internal/transparent-proxy/install';
import { natRules } from '../../../internal/transparent-proxy/nat-rules';
import { parseTransparentProxyFlags, type TransparentProxyFlags } from '../../../internal/transparent-proxy/options';
import { expectGolden } from './golden';

const env = { uidOf: (u: string) => (u === 'kuma-dp' ? 5678 : undefined), nameservers: () => ['10.0.0.53', 'fd00::53'] };
const opts = (f: TransparentProxyFlags) => parseTransparentProxyFlags(f, env);

const cases: [string, TransparentProxyFlags, boolean?][] = [
  ['01-defaults', {}],
  ['02-ports-and-exclusions', { redirectInboundPort: '16006', redirectOutboundPort: '16001', excludeInboundPorts: ['22', '8000-8010'], excludeOutboundPorts: ['5432'], excludeInboundIps: ['192.168.0.0/16,fd00::/8'], excludeOutboundIps: ['10.0.0.1', 'fe80::/10'] }],
  ['03-redirect-dns-resolv-conf', { redirectDns: true, redirectDnsPort: '15054' }],
  ['04-redirect-all-dns', { redirectAllDnsTraffic: true, ipFamilyMode: 'ipv4' }],
  ['05-no-inbound-gateway', { redirectInbound: 'false', kumaDpUser: '1001', ipFamilyMode: 'ipv4' }],
  ['06-verbose', { kumaDpUid: '0', ipFamilyMode: 'ipv4' }, true],
  ['07-dns-without-conntrack-zone-split', { redirectAllDnsTraffic: true, skipDnsConntrackZoneSplit: true, ipFamilyMode: 'ipv4' }],
];

describe('transparent proxy rules (golden: test/unit/transparent-proxy/golden)', () => {
  for (const [name, flags, verbose] of cases) {
    it(name, () => expectGolden(`${name}.rules`, dryRunText(opts(flags), verbose ?? false)));
  }

  it('the kuma-dp UID is excluded before anything is redirected to Envoy', () => {
    const { rules } = natRules(opts({ kumaDpUid: '777' }), 'ipv4');
    const outbound = rules.filter((r) => r[1] === 'KUMA_MESH_OUTBOUND').map((r) => r.join(' '));
    const returnUid = outbound.findIndex((r) => / -m owner --uid-owner 777 .*-j RETURN$/.test(r));
    const toEnvoy = outbound.findIndex((r) => r.endsWith('-j KUMA_MESH_OUTBOUND_REDIRECT'));
    expect(returnUid).toBeGreaterThanOrEqual(0);
    expect(toEnvoy).toBeGreaterThan(returnUid);
  });

  it('only IPv4 nameservers and exclusions go to iptables, only IPv6 ones to ip6tables', () => {
    const o = opts({ redirectDns: true, excludeOutboundIps: ['10.1.1.1,fd00::1'] });
    const v4 = natRules(o, 'ipv4').rules.map((r) => r.join(' ')).join('\n');
    const v6 = natRules(o, 'ipv6').rules.map((r) => r.join(' ')).join('\n');
    expect(v4).toContain('-d 10.0.0.53/32');
    expect(v4).not.toContain('fd00::');
    expect(v6).toContain('-d fd00::53/128');
    expect(v6).toContain('-d fd00::1 ');
    expect(v6).not.toContain('10.');
  });

  it('every rule carries the comment that marks it as ours', () => {
    for (const r of natRules(opts({ redirectAllDnsTraffic: true, excludeInboundPorts: ['22'] }), 'ipv4').rules) {
      expect(r.some((t) => t.startsWith('kuma/mesh/transparent/proxy/'))).toBe(true);
    }
  });
});
