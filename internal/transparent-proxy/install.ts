/**
 * `kuma install|uninstall transparent-proxy`: options -> per-family restore
 * texts -> every text checked with `--test` -> applied. Checking all families
 * before writing any is what keeps a refused IPv6 rule from leaving IPv4
 * rules behind.
 */
import * as iptables from './iptables';
import { natRules, type IpFamily, type TableRules } from './nat-rules';
import { parseTransparentProxyFlags, type TransparentProxyFlags, type TransparentProxyOptions } from './options';
import { rawRules } from './raw-rules';
import { installText, parseSave, uninstallText } from './restore-text';

export interface RunIo {
  dryRun: boolean;
  verbose: boolean;
  out: (s: string) => void;
  err: (s: string) => void;
}

/** What install and uninstall need of the host; `iptables.ts` by default, a fake in tests. */
export interface Host {
  requireIpv4(): void;
  ipv6Unavailable(): string | undefined;
  save(family: IpFamily): string;
  restore(family: IpFamily, text: string, test?: boolean): void;
  uidOf(user: string): number | undefined;
  resolvConfNameservers(): string[];
}

const HOST: Host = {
  requireIpv4: iptables.requireIpv4,
  ipv6Unavailable: iptables.ipv6Unavailable,
  save: iptables.save,
  restore: iptables.restore,
  uidOf: iptables.uidOf,
  resolvConfNameservers: () => iptables.resolvConfNameservers(),
};

/** Every table the transparent proxy writes to, for one family. */
function tablesOf(o: TransparentProxyOptions, f: IpFamily): TableRules[] {
  return [natRules(o, f), rawRules(o, f)];
}

const RESTORE_OF: Record<IpFamily, string> = { ipv4: 'iptables-restore', ipv6: 'ip6tables-restore' };

/** The --dry-run text: what a fresh host would be given, per family. Pure. */
export function dryRunText(o: TransparentProxyOptions, verbose: boolean): string {
  const families: IpFamily[] = o.ipFamilyMode === 'dualstack' ? ['ipv4', 'ipv6'] : ['ipv4'];
  return families.map((f) => `# ${RESTORE_OF[f]} --noflush\n${installText(tablesOf(o, f), [], verbose)}`).join('\n');
}

export function install(flags: TransparentProxyFlags, io: RunIo, host: Host = HOST): number {
  const opts = parseTransparentProxyFlags(flags, { uidOf: (u) => host.uidOf(u), nameservers: () => host.resolvConfNameservers() });
  if (io.dryRun) {
    io.out(dryRunText(opts, io.verbose));
    return 0;
  }
  host.requireIpv4();
  const families: IpFamily[] = ['ipv4'];
  if (opts.ipFamilyMode === 'dualstack') {
    const why = host.ipv6Unavailable();
    if (why === undefined) families.push('ipv6');
    else io.err(`Warning: ${why}: installing the IPv4 rules only (--ip-family-mode ipv4 says so without this warning)\n`);
  }
  const texts = families.map((f) => ({ f, text: installText(tablesOf(opts, f), parseSave(host.save(f)), io.verbose) }));
  restoreAll(host, io, texts);
  io.out(`Transparent proxy set up successfully (${families.join(', ')}): run kuma dp as UID ${opts.kumaDpUid} with networking.transparentProxying redirectPortInbound ${opts.inbound.port}, redirectPortOutbound ${opts.outbound.port}.\n`);
  return 0;
}

/** Every family's text tested first (`--test`), then applied: nothing is written unless all would apply. */
function restoreAll(host: Host, io: RunIo, texts: readonly { f: IpFamily; text: string }[]): void {
  for (const { f, text } of texts) host.restore(f, text, true);
  for (const { f, text } of texts) {
    host.restore(f, text);
    if (io.verbose) io.out(`# ${RESTORE_OF[f]} --noflush\n${text}`);
  }
}

export function uninstall(io: RunIo, host: Host = HOST): number {
  host.requireIpv4();
  const families: IpFamily[] = host.ipv6Unavailable() === undefined ? ['ipv4', 'ipv6'] : ['ipv4'];
  const texts = families.map((f) => ({ f, text: uninstallText(parseSave(host.save(f))) })).filter((t) => t.text !== '');
  if (texts.length === 0) {
    io.out('No transparent proxy rules of Kuma were found: nothing to remove.\n');
    return 0;
  }
  if (io.dryRun) {
    io.out(texts.map(({ f, text }) => `# ${RESTORE_OF[f]} --noflush\n${text}`).join('\n'));
    return 0;
  }
  restoreAll(host, io, texts);
  io.out(`Transparent proxy cleaned up successfully (${texts.map((t) => t.f).join(', ')}).\n`);
  return 0;
}
