/**
 * iptables-restore input for `--noflush`, so one transaction either applies
 * whole or not at all (a bad rule fails the COMMIT and nothing changes).
 * Pure: the rules to install and the current `iptables-save` text in, the
 * restore text out.
 *
 * What is ours in a saved table: every chain whose name starts with
 * KUMA_MESH_, and every rule of another chain that jumps to one of them or
 * carries our comment. Installing first deletes those, then declares and
 * fills the chains again, so a second install leaves the same table as the
 * first; uninstall deletes them and nothing else.
 */
import { CHAIN_PREFIX, COMMENT_PREFIX, type Rule, type TableRules } from './nat-rules';

export interface SavedTable {
  name: string;
  chains: string[];
  /** `-A CHAIN ...` lines exactly as iptables-save prints them. */
  rules: string[];
}

export interface Owned {
  chains: string[];
  /** Our rules in chains that are not ours (PREROUTING, OUTPUT), as saved. */
  foreignChainRules: string[];
}

/** The tables of an `iptables-save` text. */
export function parseSave(text: string): SavedTable[] {
  const tables: SavedTable[] = [];
  let cur: SavedTable | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) tables.push((cur = { name: line.slice(1).trim(), chains: [], rules: [] }));
    else if (!cur) continue;
    else if (line.startsWith(':')) cur.chains.push(line.slice(1).split(' ')[0]!);
    else if (line.startsWith('-A ')) cur.rules.push(line.trimEnd());
  }
  return tables;
}

export function ownedIn(t: SavedTable | undefined): Owned {
  if (!t) return { chains: [], foreignChainRules: [] };
  const chains = t.chains.filter((c) => c.startsWith(CHAIN_PREFIX));
  const jumpsToOurs = new RegExp(`(^|\\s)-[jg] ${CHAIN_PREFIX}\\S*`);
  const foreignChainRules = t.rules.filter((r) => !chainOf(r).startsWith(CHAIN_PREFIX) && (r.includes(COMMENT_PREFIX) || jumpsToOurs.test(r)));
  return { chains, foreignChainRules };
}

export function hasOwned(o: Owned): boolean {
  return o.chains.length > 0 || o.foreignChainRules.length > 0;
}

/**
 * Install: per table, remove what is ours from `saved`, then create the new
 * chains and rules, in one COMMIT. A table with no new rules still loses an
 * earlier install's (DNS turned off: the raw table's); one with neither is left out.
 */
export function installText(tables: TableRules[], saved: SavedTable[], verbose = false): string {
  return tables.map((t) => tableInstallText(t, saved, verbose)).join('');
}

function tableInstallText(rules: TableRules, saved: SavedTable[], verbose: boolean): string {
  const owned = ownedIn(saved.find((t) => t.name === rules.table));
  if (rules.rules.length === 0 && rules.chains.length === 0 && !hasOwned(owned)) return '';
  const stale = owned.chains.filter((c) => !rules.chains.includes(c));
  const lines = [
    `*${rules.table}`,
    // A declared chain that exists is flushed by iptables-restore --noflush: re-declaring ours empties them.
    ...rules.chains.map((c) => `:${c} - [0:0]`),
    ...owned.foreignChainRules.map(asDelete),
    ...stale.map((c) => `-F ${c}`),
    ...stale.map((c) => `-X ${c}`),
    ...rules.rules.map((r) => render(r, verbose)),
    'COMMIT',
  ];
  return lines.join('\n') + '\n';
}

/** Uninstall: our rules and chains out of every saved table; '' when there is nothing of ours. */
export function uninstallText(saved: SavedTable[]): string {
  let out = '';
  for (const t of saved) {
    const o = ownedIn(t);
    if (!hasOwned(o)) continue;
    // Jumps first, then empty the chains (they may jump to each other), then delete them.
    const lines = [`*${t.name}`, ...o.foreignChainRules.map(asDelete), ...o.chains.map((c) => `-F ${c}`), ...o.chains.map((c) => `-X ${c}`), 'COMMIT'];
    out += lines.join('\n') + '\n';
  }
  return out;
}

function chainOf(rule: string): string {
  return rule.split(' ')[1] ?? '';
}

function asDelete(savedRule: string): string {
  return `-D${savedRule.slice(2)}`;
}

/** Kuma's --verbose: long option names, easier to read in --dry-run output. */
const LONG: Record<string, string> = {
  '-A': '--append',
  '-p': '--protocol',
  '-s': '--source',
  '-d': '--destination',
  '-o': '--out-interface',
  '-m': '--match',
  '-j': '--jump',
  '--dport': '--destination-port',
};

function render(rule: Rule, verbose: boolean): string {
  return rule.map((tok) => (verbose ? (LONG[tok] ?? tok) : tok)).map(quote).join(' ');
}

function quote(tok: string): string {
  return /[\s"]/.test(tok) ? `"${tok.replace(/"/g, '\\"')}"` : tok;
}
