/**
 * The thin base of every command: `execute()` runs `run()` and turns any
 * error into one line on stderr and a non-zero exit code, so a person never
 * sees a stack trace for a mistake of theirs.
 */
import { Command } from 'clipanion';
import { isKumaError } from '../../../internal/errors';

export abstract class BaseCommand extends Command {
  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    try {
      return (await this.run()) ?? 0;
    } catch (e) {
      this.context.stderr.write(`Error: ${errorLine(e)}\n`);
      return exitCodeOf(e);
    }
  }
}

export function errorLine(e: unknown): string {
  if (isKumaError(e)) {
    const vs = (e as { violations?: { field: string; message: string }[] }).violations ?? [];
    return vs.length ? `${e.message} (${vs.map((v) => `${v.field}: ${v.message}`).join('; ')})` : e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

/** 1 for everything a person got wrong or the server refused; 2 for usage errors (clipanion); 3 for internal failures. */
export function exitCodeOf(e: unknown): number {
  if (isKumaError(e)) return e.code === 'KUMA_INTERNAL' ? 3 : 1;
  return 1;
}
