/**
 * Tables as kumactl prints them: Go's text/tabwriter with min width 1,
 * padding 3, padded with spaces and no flags
 * (app/kumactl/pkg/output/table/writer.go). Every cell but the last of a row
 * is padded to its column's width; the last cell is written as is, so a row
 * whose last cell is empty keeps the padding of the cell before it, exactly as
 * tabwriter does.
 */

export const MIN_WIDTH = 1;
export const PADDING = 3;

export interface Table {
  headers: string[];
  rows: string[][];
  /** Printed after an empty line, e.g. the pagination hint. */
  footer?: string;
}

/** Width in runes, as tabwriter counts (it does not know about wide characters). */
function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function renderTable(t: Table): string {
  const lines = t.headers.length > 0 ? [t.headers, ...t.rows] : t.rows;
  const columns = Math.max(0, ...lines.map((l) => l.length - 1));
  const widths: number[] = [];
  for (let c = 0; c < columns; c++) {
    let w = MIN_WIDTH;
    for (const l of lines) {
      // Only cells followed by a tab belong to a column.
      if (c < l.length - 1) w = Math.max(w, runeLength(l[c] ?? '') + PADDING);
    }
    widths.push(w);
  }
  let out = '';
  for (const l of lines) {
    for (let c = 0; c < l.length; c++) {
      const cell = l[c] ?? '';
      out += c < l.length - 1 ? cell + ' '.repeat(widths[c]! - runeLength(cell)) : cell;
    }
    out += '\n';
  }
  if (t.footer) out += `\n${t.footer}\n`;
  return out;
}

/** kumactl's pagination footer (app/kumactl/pkg/output/table/pagination.go). */
export function paginationFooter(nextOffset: string | undefined): string | undefined {
  return nextOffset ? `Rerun command with --offset=${nextOffset} argument to retrieve more resources` : undefined;
}

/** The `offset` query parameter of a list's absolute `next` URL, if any. */
export function nextOffsetOf(next: unknown): string | undefined {
  if (typeof next !== 'string' || next === '') return undefined;
  try {
    return new URL(next, 'http://localhost').searchParams.get('offset') ?? undefined;
  } catch {
    return undefined;
  }
}
