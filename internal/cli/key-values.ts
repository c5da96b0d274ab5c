/**
 * `key=value` flag values. Like pflag's StringToString, one value may carry
 * several pairs separated by commas (`--headers a=1,b=2`), and the flag may be
 * repeated; a later key wins. A value whose comma pieces are not all pairs
 * (`--var list=a,b`) is kept whole rather than rejected.
 */
import { BadRequestError } from '../errors';

export function parseKeyValueFlags(flag: string, values: string[] = [], opts: { commaSeparated?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const pieces = value.split(',');
    const parts = opts.commaSeparated && pieces.every((p) => p.indexOf('=') > 0) ? pieces : [value];
    for (const kv of parts) {
      const i = kv.indexOf('=');
      if (i <= 0) throw new BadRequestError(`invalid ${flag} "${kv}": expected key=value`);
      out[kv.slice(0, i)] = kv.slice(i + 1);
    }
  }
  return out;
}
