/**
 * One place that turns a command's result into text: the REST value for
 * `-o yaml|json`, the table otherwise. Nothing is formatted twice.
 */
import { renderJson } from './printers/json';
import { renderTable, type Table } from './printers/table';
import { renderYaml } from './printers/yaml';

export type Format = 'table' | 'yaml' | 'json';

export async function renderOutput(format: Format, rest: unknown, table: () => Table): Promise<string> {
  switch (format) {
    case 'json':
      return renderJson(rest);
    case 'yaml':
      return renderYaml(rest);
    default:
      return renderTable(table());
  }
}

/** A REST list `{total, items, next}` as the server sent it; missing parts read as empty. */
export interface RestList {
  total: number;
  items: unknown[];
  next: string | null;
}

export function asRestList(v: unknown): RestList {
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const items = Array.isArray(o.items) ? o.items : [];
  return { total: typeof o.total === 'number' ? o.total : items.length, items, next: typeof o.next === 'string' ? o.next : null };
}
