/**
 * The order install and uninstall talk to iptables in, against a fake host
 * that records every call: both families are checked (--test) before either
 * is written, so a refused IPv6 rule leaves IPv4 untouched too.
 */
import { describe, expect, it } from 'vitest';
import { install, uninstall, type Host, type RunIo } from '../../../internal/transparent-proxy/install';
import type { IpFamily } from '../../../internal/transparent-proxy/nat-rules';

const EMPTY_NAT = '*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';

function fakeHost(opts: { ipv6?: string; refuse?: (f: IpFamily, test: boolean) => boolean; saved?: string } = {}) {
  const calls: string[] = [];
  const host: Host = {
    requireIpv4: () => void calls.push('require ipv4'),
    ipv6Unavailable: () => opts.ipv6,
    save: (f) => (calls.push(`save ${f}`), opts.saved ?? EMPTY_NAT),
    restore: (f, text, test = false) => {
      calls.push(`${test ? 'test' : 'apply'} ${f}`);
      if (opts.refuse?.(f, test)) throw new Error(`${f} refused line 3`);
      expect(text.startsWith('*nat\n')).toBe(true);
    },
    uidOf: (u) => (u === 'kuma-dp' ? 5678 : undefined),
    resolvConfNameservers: () => ['10.0.0.53'],
  };
  return { host, calls };
}

function io(dryRun = false) {
  let out = '';
  let err = '';
  const run: RunIo = { dryRun, verbose: false, out: (s) => void (out += s), err: (s) => void (err += s) };
  return { run, out: () => out, err: () => err };
}

describe('install and uninstall against the host', () => {
  it('checks both families before writing either, then writes both', () => {
    const { host, calls } = fakeHost();
    expect(install({}, io().run, host)).toBe(0);
    expect(calls).toEqual(['require ipv4', 'save ipv4', 'save ipv6', 'test ipv4', 'test ipv6', 'apply ipv4', 'apply ipv6']);
  });

  it('a refused IPv6 rule writes nothing at all', () => {
    const { host, calls } = fakeHost({ refuse: (f, test) => f === 'ipv6' && test });
    expect(() => install({}, io().run, host)).toThrow('ipv6 refused line 3');
    expect(calls.filter((c) => c.startsWith('apply'))).toEqual([]);
  });

  it('without IPv6 on the host, dualstack warns and installs IPv4; ipv4 mode never asks', () => {
    const a = fakeHost({ ipv6: 'IPv6 is disabled on this host' });
    const o = io();
    install({}, o.run, a.host);
    expect(a.calls).toEqual(['require ipv4', 'save ipv4', 'test ipv4', 'apply ipv4']);
    expect(o.err()).toContain('Warning: IPv6 is disabled on this host: installing the IPv4 rules only');
    const b = fakeHost();
    install({ ipFamilyMode: 'ipv4' }, io().run, b.host);
    expect(b.calls).not.toContain('save ipv6');
  });

  it('--dry-run touches nothing; bad flags fail before the host is asked anything', () => {
    const { host, calls } = fakeHost();
    const o = io(true);
    expect(install({ kumaDpUid: '0' }, o.run, host)).toBe(0);
    expect(o.out()).toContain('# iptables-restore --noflush\n*nat\n');
    expect(() => install({ redirectDnsPort: 'x' }, io().run, host)).toThrow('invalid transparent proxy flags');
    expect(calls).toEqual([]);
  });

  it('uninstall with nothing of ours writes nothing and says so', () => {
    const { host, calls } = fakeHost();
    const o = io();
    expect(uninstall(o.run, host)).toBe(0);
    expect(o.out()).toContain('nothing to remove');
    expect(calls.filter((c) => !c.startsWith('save') && c !== 'require ipv4')).toEqual([]);
  });

  it('uninstall checks, then removes ours in every family that has some', () => {
    const saved = '*nat\n:OUTPUT ACCEPT [0:0]\n:KUMA_MESH_OUTBOUND - [0:0]\n-A OUTPUT -p tcp -j KUMA_MESH_OUTBOUND\nCOMMIT\n';
    const { host, calls } = fakeHost({ saved });
    expect(uninstall(io().run, host)).toBe(0);
    expect(calls).toEqual(['require ipv4', 'save ipv4', 'save ipv6', 'test ipv4', 'test ipv6', 'apply ipv4', 'apply ipv6']);
  });
});
