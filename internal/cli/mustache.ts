/**
 * The template rendering of `kumactl apply --var` (Kuma pkg/util/template,
 * which uses hoisie/mustache). Only variables are supported: `{{ key }}` is
 * replaced HTML-escaped as mustache does, `{{{ key }}}` and `{{& key }}` raw,
 * `{{! comment }}` is dropped. A dotted key `a.b` is a path into nested
 * values, so `--var a.b=x` fills `{{ a.b }}`. Unknown keys render empty.
 */

export type TemplateContext = { [key: string]: string | TemplateContext };

/** Builds the nested context from `k=v` pairs; `a.b=1 a.c=2` gives {a: {b: 1, c: 2}}. */
export function contextFromVars(vars: Record<string, string>): TemplateContext {
  const ctx: TemplateContext = {};
  for (const [key, value] of Object.entries(vars)) {
    const parts = key.split('.');
    let node = ctx;
    for (const p of parts.slice(0, -1)) {
      const next = node[p];
      if (typeof next !== 'object') node[p] = {};
      node = node[p] as TemplateContext;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return ctx;
}

function lookup(ctx: TemplateContext, key: string): string {
  if (key === '.') return '';
  let node: string | TemplateContext | undefined = ctx;
  for (const p of key.split('.')) {
    if (typeof node !== 'object') return '';
    node = node[p];
  }
  return typeof node === 'string' ? node : '';
}

/** Go's html/template.HTMLEscapeString, which hoisie/mustache applies to `{{ }}` values. */
function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\0]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case "'":
        return '&#39;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&#34;';
      default:
        return '\uFFFD';
    }
  });
}

const TAG = /\{\{\{\s*([^}]*?)\s*\}\}\}|\{\{\s*([&!]?)\s*([^}]*?)\s*\}\}/g;

export function renderTemplate(template: string, vars: Record<string, string>): string {
  const ctx = contextFromVars(vars);
  return template.replace(TAG, (_m, raw: string | undefined, sigil: string, key: string) => {
    if (raw !== undefined) return lookup(ctx, raw);
    if (sigil === '!') return '';
    if (sigil === '&') return lookup(ctx, key);
    return htmlEscape(lookup(ctx, key));
  });
}
