/**
 * The host side: reading tables with iptables-save and writing them with
 * `iptables-restore --noflush` (one transaction per family), for IPv4 and,
 * when the host has it, IPv6. Nothing here decides rules.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { BadRequestError, KumaError } from '../errors';
import type { IpFamily } from './nat-rules';

const TOOLS: Record<IpFamily, { save: string; restore: string }> = {
  ipv4: { save: 'iptables-save', restore: 'iptables-restore' },
  ipv6: { save: 'ip6tables-save', restore: 'ip6tables-restore' },
};

export class IptablesError extends KumaError {
  constructor(message: string) {
    super('KUMA_INTERNAL', message);
  }
}

function run(cmd: string, args: string[], input?: string): { ok: boolean; stdout: string; stderr: string; missing: boolean } {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { ok: !r.error && r.status === 0, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') || (r.error?.message ?? ''), missing };
}

/** Throws when IPv4 iptables is unusable: nothing can be installed without it. */
export function requireIpv4(): void {
  const r = run(TOOLS.ipv4.save, ['-t', 'nat']);
  if (r.missing) throw new BadRequestError('iptables-save was not found on PATH: install iptables (apt-get install iptables) and run as root');
  if (!r.ok) throw new BadRequestError(`cannot read the nat table (${TOOLS.ipv4.save} -t nat: ${r.stderr.trim()}); run as root`);
}

/** Why IPv6 rules cannot be installed here, or undefined when they can. */
export function ipv6Unavailable(): string | undefined {
  if (!existsSync('/proc/net/if_inet6')) return 'IPv6 is disabled on this host';
  const r = run(TOOLS.ipv6.save, ['-t', 'nat']);
  if (r.missing) return `${TOOLS.ipv6.save} was not found on PATH`;
  if (!r.ok) return `${TOOLS.ipv6.save} -t nat failed: ${r.stderr.trim()}`;
  return undefined;
}

export function save(family: IpFamily): string {
  const r = run(TOOLS[family].save, []);
  if (!r.ok) throw new IptablesError(`${TOOLS[family].save} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * Applies `text` in one transaction; on error nothing of it is applied and
 * the message says which line. `test` only parses and checks it (--test), so
 * both families can be checked before either is written.
 */
export function restore(family: IpFamily, text: string, test = false): void {
  const r = run(TOOLS[family].restore, ['--noflush', ...(test ? ['--test'] : [])], text);
  if (!r.ok) throw new IptablesError(`${TOOLS[family].restore} --noflush refused the rules, nothing was changed: ${r.stderr.trim()}`);
}

/** Nameserver addresses of /etc/resolv.conf, in file order. */
export function resolvConfNameservers(path = '/etc/resolv.conf'): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((s): s is string => s !== undefined).map((s) => s.split('%')[0]!);
}

/** The UID of a user name through NSS (`id -u`), undefined when there is none. */
export function uidOf(user: string): number | undefined {
  const r = run('id', ['-u', '--', user]);
  return r.ok && /^\d+$/.test(r.stdout.trim()) ? Number(r.stdout.trim()) : undefined;
}
