/**
 * clipanion's Cli with kumactl's manners: option values are named in help
 * texts (clipanion prints `#0`), and a command line clipanion cannot match
 * is answered in one or two lines on stderr, as cobra does: an unknown
 * command with the closest known one and `kuma --help`; a known command
 * missing required flags with `required flag(s) "x" not set`; a bad option
 * value or an unknown flag with the command's `--help`.
 */
import { Cli, type BaseContext, type CommandClass } from 'clipanion';

/** `--valid-for #0` -> `--valid-for VALID-FOR`: the value named after its flag. */
export function namePlaceholders(text: string): string {
  return text.replace(/((?:-\w,)?--([\w-]+))((?: #\d+)+)/g, (_m, flag: string, long: string, args: string) => `${flag}${args.replace(/ #\d+/g, ` ${long.toUpperCase()}`)}`);
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/** The closest of `options` to `word`, if close enough to be a typo (or `word` is its prefix). */
export function closest(word: string, options: readonly string[]): string | undefined {
  let best: { o: string; d: number } | undefined;
  for (const o of options) {
    const d = o.startsWith(word) ? 0 : editDistance(word, o);
    if (!best || d < best.d) best = { o, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.o : undefined;
}

export class KumaCli extends Cli<BaseContext> {
  readonly #paths: string[][] = [];

  override register(commandClass: CommandClass<BaseContext>): void {
    super.register(commandClass);
    for (const p of commandClass.paths ?? []) if (p.length) this.#paths.push(p);
  }

  // Every usage line and option definition clipanion prints goes through here, before it pads columns.
  override getUsageByIndex(n: number, opts?: { detailed?: boolean; inlineOptions?: boolean }): { usage: string; options: { definition: string; description: string; required: boolean }[] } {
    const u = super.getUsageByIndex(n, opts) as { usage: string; options: { definition: string; description: string; required: boolean }[] };
    return { usage: namePlaceholders(u.usage), options: u.options.map((o) => ({ ...o, definition: namePlaceholders(o.definition) })) };
  }

  /** Runs argv; a line clipanion cannot match is explained on stderr (exit 1) instead of clipanion's usage dump. */
  async runArgv(argv: string[], context: Partial<BaseContext> = {}): Promise<number> {
    let command: ReturnType<Cli<BaseContext>['process']>;
    try {
      command = this.process(argv, context as BaseContext);
    } catch (e) {
      (context.stderr ?? process.stderr).write(this.explain(argv, e as Error));
      return 1;
    }
    // The parsed command, not argv again: parsing compiles clipanion's state machine each time.
    return this.run(command, context as BaseContext);
  }

  /** The one or two lines that say what is wrong with `argv` and how to fix it. */
  explain(argv: string[], e: Error): string {
    const bin = this.binaryName;
    const words = argv.filter((a) => !a.startsWith('-'));
    // The longest command path that the words start with.
    const path = this.#paths.filter((p) => p.every((w, i) => words[i] === w)).sort((a, b) => b.length - a.length)[0];
    if (!path) {
      const depth = this.#deepestPrefix(words);
      const next = [...new Set(this.#paths.filter((p) => p.length > depth && words.slice(0, depth).every((w, i) => p[i] === w)).map((p) => p[depth]!))];
      const word = words[depth] ?? '';
      const parent = [bin, ...words.slice(0, depth)].join(' ');
      if (!word) return `Error: "${parent}" needs a subcommand: one of ${next.sort().join(', ')}\nRun '${bin} --help' for usage.\n`;
      const guess = closest(word, next);
      return `Error: unknown command "${word}" for "${parent}"${guess ? `; did you mean "${guess}"?` : ''}\nRun '${bin} --help' for usage.\n`;
    }
    const name = [bin, ...path].join(' ');
    const def = this.definitions().find((d) => d.path === name);
    const given = new Set(argv.filter((a) => a.startsWith('-')).map((a) => a.replace(/=.*$/, '')));
    const missing = (def?.options ?? [])
      .filter((o) => o.required)
      .map((o) => o.definition.split(' ')[0]!.split(','))
      .filter((names) => !names.some((n) => given.has(n)))
      .map((names) => names[names.length - 1]!.replace(/^--?/, ''));
    if (missing.length) return `Error: required flag(s) ${missing.map((m) => `"${m}"`).join(', ')} not set\nRun '${name} --help' for usage.\n`;
    const unknownFlag = [...given].find((f) => f !== '-h' && f !== '--help' && !(def?.options ?? []).some((o) => o.definition.split(' ')[0]!.split(',').includes(f)));
    if (unknownFlag) return `Error: unknown flag: ${unknownFlag}\nRun '${name} --help' for usage.\n`;
    // Name the positionals the command takes, so `kuma inspect dataplanez` says what it expected.
    const positionals = [...(def?.usage ?? '').matchAll(/<([^>]+)>/g)].map((m) => m[1]!);
    const expected = positionals.length ? `: expected ${positionals.join(' ')} (usage: ${def!.usage})` : '';
    const message = e.name === 'UnknownSyntaxError' ? `invalid arguments for "${name}"${expected}` : e.message.split('\n')[0]!;
    return `Error: ${message}\nRun '${name} --help' for usage.\n`;
  }

  #deepestPrefix(words: string[]): number {
    let depth = 0;
    while (depth < words.length && this.#paths.some((p) => p.length > depth && words.slice(0, depth + 1).every((w, i) => p[i] === w))) depth++;
    return depth;
  }
}
