/** Shared pieces: status badges, tables, pager, filter form, errors. */
import type { ComponentChildren } from 'preact';
import type { Polled } from './api';
import { href, setQuery, type Route } from './router';

export interface Subscription {
  connectTime?: string;
  disconnectTime?: string;
  [k: string]: any;
}

/** Kuma's rule (IsOnline): one subscription connected and not disconnected. The API already reports copies behind an Offline zone as disconnected. */
export function online(insight: { subscriptions?: Subscription[] } | undefined): boolean {
  return (insight?.subscriptions ?? []).some((s) => !!s.connectTime && !s.disconnectTime);
}

export function lastSub(insight: { subscriptions?: Subscription[] } | undefined): Subscription | undefined {
  const s = insight?.subscriptions ?? [];
  return s[s.length - 1];
}

export function Status({ on, label }: { on: boolean; label?: string }) {
  const text = label ?? (on ? 'Online' : 'Offline');
  return <span class={`badge ${on ? 'ok' : 'bad'}`} data-status={text}>{text}</span>;
}

export function time(t?: string): string {
  if (!t) return '—';
  const d = new Date(t);
  return isNaN(d.getTime()) ? t : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function Loading<T>({ p, children }: { p: Polled<T>; children: (d: T) => ComponentChildren }) {
  if (p.data !== undefined) {
    return (
      <>
        {p.error && <p class="error" role="alert">Refresh failed: {p.error.message}</p>}
        {children(p.data)}
      </>
    );
  }
  if (p.error) return <p class="error" role="alert">{p.error.message}</p>;
  return <p aria-busy="true">Loading…</p>;
}

export function Table({ caption, head, children, empty }: { caption: string; head: string[]; children: ComponentChildren; empty?: boolean }) {
  return (
    <div class="scroll">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>{head.map((h) => <th scope="col">{h}</th>)}</tr>
        </thead>
        <tbody>{empty ? <tr><td colSpan={head.length}>Nothing here.</td></tr> : children}</tbody>
      </table>
    </div>
  );
}

export function Pager({ route, total, size, offset }: { route: Route; total: number; size: number; offset: number }) {
  const last = Math.max(0, Math.ceil(total / size) - 1);
  const page = Math.floor(offset / size);
  const go = (p: number) => setQuery(route, { offset: p ? String(p * size) : undefined });
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={page === 0} onClick={() => go(page - 1)}>Previous</button>
      <span data-testid="page-info">Page {page + 1} of {last + 1} ({total} total)</span>
      <button type="button" disabled={page >= last} onClick={() => go(page + 1)}>Next</button>
    </nav>
  );
}

export interface FilterField {
  key: string;
  label: string;
  options?: [string, string][];
  placeholder?: string;
}

/** Filters live in the URL; submitting one resets the page. */
export function Filters({ route, fields }: { route: Route; fields: FilterField[] }) {
  const submit = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const changes: Record<string, string | undefined> = { offset: undefined };
    for (const f of fields) changes[f.key] = String(form.get(f.key) ?? '') || undefined;
    setQuery(route, changes);
  };
  return (
    <form class="filters" role="search" aria-label="Filter" onSubmit={submit}>
      {fields.map((f) => (
        <label>
          {f.label}
          {f.options ? (
            <select name={f.key} value={route.query.get(f.key) ?? ''}>
              {f.options.map(([v, t]) => <option value={v}>{t}</option>)}
            </select>
          ) : (
            <input name={f.key} value={route.query.get(f.key) ?? ''} placeholder={f.placeholder} />
          )}
        </label>
      ))}
      <button type="submit">Apply</button>
    </form>
  );
}

export function A({ to, query, children }: { to: string[]; query?: Record<string, string | undefined>; children: ComponentChildren }) {
  return <a href={href(to, query)}>{children}</a>;
}

export function Tags({ tags }: { tags?: Record<string, string> }) {
  return (
    <ul class="tags">
      {Object.entries(tags ?? {}).map(([k, v]) => <li><code>{k}={v}</code></li>)}
    </ul>
  );
}

export function Fields({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="fields">
      {rows.map(([k, v]) => (
        <div>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
