/**
 * Prometheus' text exposition format (0.0.4) read into metric families (pure), for kuma-dp's
 * OpenTelemetry pusher: Envoy's `/stats/prometheus` and the applications' endpoints both speak it.
 * A sample belongs to the family whose `# TYPE` line came last when its name is the family's (or,
 * for a histogram or summary, the family's plus `_bucket`, `_sum` or `_count`); any other sample
 * starts an untyped family of its own. Lines that do not parse are skipped, as a scrape of a
 * misbehaving application should not cost the rest.
 */

export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: [string, string][];
  value: number;
  timestampMs?: number;
}

export interface MetricFamily {
  name: string;
  type: FamilyType;
  help: string;
  samples: Sample[];
}

const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Partial<Record<FamilyType, string[]>> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

function parseValue(v: string): number | undefined {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (v === 'NaN') return NaN;
  const n = Number(v);
  return v !== '' && !Number.isNaN(n) ? n : undefined;
}

/** `{a="x",b="y\"z"}` from index `i` (at "{"); the labels and the index after "}". */
function parseLabels(line: string, i: number): { labels: [string, string][]; end: number } | undefined {
  const labels: [string, string][] = [];
  let p = i + 1;
  for (;;) {
    while (line[p] === ' ' || line[p] === ',') p++;
    if (line[p] === '}') return { labels, end: p + 1 };
    const eq = line.indexOf('=', p);
    if (eq < 0 || line[eq + 1] !== '"') return undefined;
    const key = line.slice(p, eq).trim();
    let value = '';
    let q = eq + 2;
    for (; q < line.length && line[q] !== '"'; q++) {
      if (line[q] === '\\' && q + 1 < line.length) {
        const c = line[++q];
        value += c === 'n' ? '\n' : c;
      } else value += line[q];
    }
    if (q >= line.length) return undefined;
    labels.push([key, value]);
    p = q + 1;
  }
}

function parseSample(line: string): Sample | undefined {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  let name: string;
  let labels: [string, string][] = [];
  let rest: string;
  if (brace >= 0 && (space < 0 || brace < space)) {
    name = line.slice(0, brace);
    const l = parseLabels(line, brace);
    if (!l) return undefined;
    labels = l.labels;
    rest = line.slice(l.end).trim();
  } else {
    if (space < 0) return undefined;
    name = line.slice(0, space);
    rest = line.slice(space + 1).trim();
  }
  const [v = '', ts] = rest.split(/\s+/);
  const value = parseValue(v);
  if (name === '' || value === undefined) return undefined;
  const timestampMs = ts !== undefined ? Number(ts) : undefined;
  return { name, labels, value, ...(timestampMs !== undefined && Number.isFinite(timestampMs) ? { timestampMs } : {}) };
}

export function parsePrometheusText(text: string): MetricFamily[] {
  const families: MetricFamily[] = [];
  const byName = new Map<string, MetricFamily>();
  let current: MetricFamily | undefined;
  const family = (name: string): MetricFamily => {
    let f = byName.get(name);
    if (!f) {
      f = { name, type: 'untyped', help: '', samples: [] };
      byName.set(name, f);
      families.push(f);
    }
    return f;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(TYPE|HELP)\s+(\S+)\s*(.*)$/.exec(line);
      if (!m) continue;
      current = family(m[2]!);
      if (m[1] === 'TYPE' && TYPES.has(m[3]!)) current.type = m[3] as FamilyType;
      else if (m[1] === 'HELP') current.help = m[3]!;
      continue;
    }
    const s = parseSample(line);
    if (!s) continue;
    const owns = (f: MetricFamily | undefined): f is MetricFamily =>
      f !== undefined && (s.name === f.name || (SUFFIXES[f.type] ?? []).some((x) => s.name === f.name + x));
    if (!owns(current)) current = family(s.name);
    current.samples.push(s);
  }
  return families;
}
