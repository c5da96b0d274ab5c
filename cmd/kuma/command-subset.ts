/**
 * The commands a command line can mean. clipanion compiles one state machine
 * over every registered command before it parses anything, and over our ~40
 * commands that took more CPU than the rest of `kuma control-plane run` up
 * to its first line of work. Registering only the commands whose path starts
 * the line gives the same parse for a line that parses; main.ts falls back to
 * the whole tree for help and for lines that do not parse, so usage listings
 * and error explanations still see every command.
 */
import type { CommandClass } from 'clipanion';

export function commandsFor(argv: readonly string[], all: readonly CommandClass[]): CommandClass[] | undefined {
  if (argv.some((a) => a === '-h' || a === '--help')) return undefined;
  const matches = all.filter((c) => (c.paths ?? []).some((p) => p.length > 0 && p.every((w, i) => argv[i] === w)));
  return matches.length ? matches : undefined;
}
