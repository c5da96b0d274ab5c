/** `kuma install transparent-proxy` flags: Kuma's defaults, and every mistake named by its flag. */
import { describe, expect, it } from 'vitest';
import type { BadRequestError } from '../../../internal/errors';
import { parseTransparentProxyFlags, type TransparentProxyFlags } from '../../../internal/transparent-proxy/options';

const users: Record<string, number> = { 'kuma-dp': 5678, envoy: 1234 };
const env = (ns: string[] = ['10.0.0.53'], u = users) => ({ uidOf: (n: string) => u[n], nameservers: () => ns });

function violations(f: TransparentProxyFlags, e = env()): string[] {
  try {
    parseTransparentProxyFlags(f, e);
  } catch (err) {
    return (err as BadRequestError).violations.map((v) => `${v.field}: ${v.message}`);
  }
  return [];
}

describe('transparent proxy flags', () => {
  it("defaults are Kuma's: 15006, 15001, 15053, dualstack, the user kuma-dp", () => {
    const o = parseTransparentProxyFlags({}, env());
    expect(o).toMatchObject({ kumaDpUid: 5678, ipFamilyMode: 'dualstack', inbound: { enabled: true, port: 15006 }, outbound: { port: 15001 }, dns: { enabled: false, port: 15053 } });
  });

  it('without a kuma-dp user on the host the UID is 5678', () => {
    expect(parseTransparentProxyFlags({}, env([], {})).kumaDpUid).toBe(5678);
  });

  it('--kuma-dp-user takes a name or a UID; --kuma-dp-uid a UID', () => {
    expect(parseTransparentProxyFlags({ kumaDpUser: 'envoy' }, env()).kumaDpUid).toBe(1234);
    expect(parseTransparentProxyFlags({ kumaDpUser: '42' }, env()).kumaDpUid).toBe(42);
    expect(parseTransparentProxyFlags({ kumaDpUid: '0' }, env()).kumaDpUid).toBe(0);
  });

  it('lists are comma separated and repeatable', () => {
    const o = parseTransparentProxyFlags({ excludeInboundPorts: ['22,80', '8000-8010'], excludeOutboundIps: ['10.0.0.1, 172.16.0.0/12', 'fe80::/10'] }, env());
    expect(o.inbound.excludePorts).toEqual([{ from: 22, to: 22 }, { from: 80, to: 80 }, { from: 8000, to: 8010 }]);
    expect(o.outbound.excludeIps).toEqual(['10.0.0.1', '172.16.0.0/12', 'fe80::/10']);
  });

  it('--redirect-dns takes the resolv.conf nameservers; --redirect-all-dns-traffic none', () => {
    expect(parseTransparentProxyFlags({ redirectDns: true }, env(['10.0.0.53', 'fd00::53'])).dns).toEqual({ enabled: true, port: 15053, captureAll: false, servers: ['10.0.0.53', 'fd00::53'], skipConntrackZoneSplit: false });
    expect(parseTransparentProxyFlags({ redirectAllDnsTraffic: true }, env()).dns).toEqual({ enabled: true, port: 15053, captureAll: true, servers: [], skipConntrackZoneSplit: false });
  });

  it('--redirect-inbound=false turns the inbound redirect off', () => {
    expect(parseTransparentProxyFlags({ redirectInbound: 'false' }, env()).inbound.enabled).toBe(false);
    expect(parseTransparentProxyFlags({ redirectInbound: true }, env()).inbound.enabled).toBe(true);
  });

  it('every mistake is reported at once, each naming its flag', () => {
    expect(
      violations({
        redirectInboundPort: '0',
        redirectOutboundPort: 'x',
        redirectDnsPort: '70000',
        ipFamilyMode: 'ipv6',
        redirectInbound: 'maybe',
        excludeInboundPorts: ['22,abc'],
        excludeOutboundPorts: ['90-80'],
        excludeInboundIps: ['10.0.0.0/33'],
        excludeOutboundIps: ['300.1.1.1'],
        kumaDpUser: 'nobody-here',
      }),
    ).toEqual([
      '--redirect-inbound-port: "0" is not a port (1-65535)',
      '--redirect-outbound-port: "x" is not a port (1-65535)',
      '--redirect-dns-port: "70000" is not a port (1-65535)',
      '--ip-family-mode: "ipv6" is not one of dualstack, ipv4',
      '--redirect-inbound: "maybe" is not true or false',
      '--kuma-dp-user: there is no user "nobody-here" on this host; create it (useradd -u 5678 -U kuma-dp) or pass its UID',
      '--exclude-inbound-ports: "abc" is not a port or a range of ports like 8080-8090 (1-65535)',
      '--exclude-inbound-ips: "10.0.0.0/33" is not an IP address or CIDR (e.g. 10.0.0.1, 172.16.0.0/12, fe80::/10)',
      '--exclude-outbound-ports: "90-80" is not a port or a range of ports like 8080-8090 (1-65535)',
      '--exclude-outbound-ips: "300.1.1.1" is not an IP address or CIDR (e.g. 10.0.0.1, 172.16.0.0/12, fe80::/10)',
    ]);
  });

  it('conflicting flags are refused', () => {
    expect(violations({ kumaDpUser: 'envoy', kumaDpUid: '1' })).toEqual(['--kuma-dp-uid: use either --kuma-dp-user or --kuma-dp-uid, not both']);
    expect(violations({ redirectDns: true, redirectAllDnsTraffic: true })).toEqual(['--redirect-all-dns-traffic: use either --redirect-dns or --redirect-all-dns-traffic, not both']);
    expect(violations({ redirectInboundPort: '15001' })).toEqual(['--redirect-outbound-port: must differ from --redirect-inbound-port (both 15001)']);
    expect(violations({ redirectDns: true }, env([]))).toEqual(['--redirect-dns: no nameserver in /etc/resolv.conf to redirect; use --redirect-all-dns-traffic to redirect every DNS query']);
  });
});
