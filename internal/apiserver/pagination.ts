/** List query parameters of the REST API (spec §2.4): size, offset, name, label filters, next link. */
import type { IncomingMessage } from 'node:http';
import type { Violation } from '../errors';
import type { ListOptions } from '../store/resource-store';
import { HttpError } from './http-util';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface Page {
  size: number;
  offset: number;
}

export function parsePage(q: URLSearchParams, title: string): Page {
  let size = DEFAULT_PAGE_SIZE;
  const rawSize = q.get('size');
  const bad = (field: string, reason: string, detail = 'Invalid page size'): never => {
    throw new HttpError(400, title, detail, [{ field, message: reason }] as Violation[]);
  };
  if (rawSize !== null && rawSize !== '') {
    if (!/^-?\d+$/.test(rawSize)) bad('size', 'invalid format');
    size = Number(rawSize);
    if (size <= 0) bad('size', 'must be greater than 0');
    if (size > MAX_PAGE_SIZE) bad('size', `invalid page size of ${size}. Maximum page size is ${MAX_PAGE_SIZE}`);
  }
  let offset = 0;
  const rawOffset = q.get('offset');
  if (rawOffset !== null && rawOffset !== '') {
    if (!/^\d+$/.test(rawOffset)) bad('offset', `invalid: invalid offset: ${rawOffset}`, `invalid: invalid offset: ${rawOffset}`);
    offset = Number(rawOffset);
  }
  return { size, offset };
}

/** name= (substring) and filter[labels.<key>]=<value>; other filter[] keys are refused as Kuma does. */
export function parseFilters(q: URLSearchParams, title: string): Pick<ListOptions, 'nameContains' | 'labels'> {
  const out: Pick<ListOptions, 'nameContains' | 'labels'> = {};
  const name = q.get('name');
  if (name) out.nameContains = name;
  for (const [k, v] of q) {
    const m = /^filter\[(.*)\]$/.exec(k);
    if (!m) continue;
    const key = m[1]!;
    if (!key.startsWith('labels.')) throw new HttpError(400, title, 'filters are only supported on labels', [{ field: k, message: 'filters are only supported on labels' }]);
    out.labels = { ...out.labels, [key.slice('labels.'.length)]: v };
  }
  return out;
}

/** The absolute `next` link: same query, offset replaced; scheme from the connection, host from Host. */
export function nextLink(req: IncomingMessage, url: URL, nextOffset: number | undefined): string | null {
  if (nextOffset === undefined) return null;
  const q = new URLSearchParams(url.search);
  q.set('offset', String(nextOffset));
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  return `${scheme}://${req.headers.host ?? 'localhost'}${url.pathname}?${q.toString()}`;
}
