/**
 * `kuma inspect <type> NAME --propagation` as a table, from the body of the global's
 * `_propagation` route (apiserver/propagation-endpoints.ts): the global's row, one row per zone
 * and, under a zone, one row per proxy the resource affects there. Pure: a parsed body in, a
 * table out.
 */
import type { Table } from './printers/table';

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
/** Envoy's errors span lines; a table cell must not. */
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

export function propagationTable(body: unknown): Table {
  const b = obj(body);
  const r = obj(b.resource);
  const rows: string[][] = [['global', 'Stored', str(r.version), str(r.modificationTime), `${str(r.type)} ${r.mesh ? `${str(r.mesh)}/` : ''}${str(r.name)}`]];
  for (const raw of arr(b.zones)) {
    const z = obj(raw);
    const proxies = obj(z.proxies);
    const items = arr(proxies.items).map(obj);
    const detail = [str(z.error) ? oneLine(str(z.error)) : str(z.note)];
    if (z.proxies !== undefined) detail.push(`${str(proxies.acked)}/${str(proxies.total)} proxies ACKed`);
    rows.push([str(z.zone), str(z.state), z.synced ? str(z.version) : '-', str(z.ackedAt ?? z.sentAt) || '-', detail.filter(Boolean).join('; ')]);
    if (z.proxiesNote) rows.push(['  (proxies)', '', '', '', str(z.proxiesNote)]);
    for (const p of items) {
      const waiting = arr(p.waitingFor).map(str);
      const why = p.error ? oneLine(str(p.error)) : waiting.length ? `waiting for the ACK of ${waiting.join(', ')}` : str(p.note);
      rows.push([`  ${p.kind ? `${str(p.kind)}/` : ''}${str(p.name)}`, str(p.state), '', str(p.ackedAt) || '-', why]);
    }
  }
  return { headers: ['WHERE', 'STATE', 'VERSION', 'WHEN', 'DETAIL'], rows };
}
