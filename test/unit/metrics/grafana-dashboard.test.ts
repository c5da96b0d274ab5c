/**
 * packaging/grafana/kuma-cp.json: every PromQL expression parses (Prometheus'
 * own lezer grammar) and selects only metrics a CP exports, so the dashboard
 * cannot silently drift from internal/metrics.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { CpMetrics } from '../../../internal/metrics/cp-metrics';
import { parsePromText } from '../../support/prom-text';

const DASHBOARD = join(__dirname, '../../../packaging/grafana/kuma-cp.json');

interface Panel {
  title?: string;
  panels?: Panel[];
  targets?: { expr?: string }[];
}

function expressions(): { where: string; expr: string }[] {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: { name: string; definition?: string }[] } };
  const out: { where: string; expr: string }[] = [];
  const walk = (ps: Panel[]) => {
    for (const p of ps) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ where: `panel "${p.title}"`, expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(d.panels);
  // Template variables: label_values(<selector>, label) is Grafana's, the selector inside is PromQL.
  for (const v of d.templating.list) {
    const m = /^label_values\((.*),\s*\w+\)$/.exec(v.definition ?? '');
    if (m) out.push({ where: `variable $${v.name}`, expr: m[1]! });
  }
  return out;
}

/** Grafana's interval variables stand for a duration; label-value variables sit inside strings and parse as they are. */
const substitute = (expr: string) => expr.replace(/\$__(rate_interval|interval|range)/g, '5m');

function parse(expr: string): { errors: string[]; metrics: string[] } {
  const text = substitute(expr);
  const errors: string[] = [];
  const metrics: string[] = [];
  parser.parse(text).iterate({
    enter: (n) => {
      if (n.type.isError) errors.push(`at ${n.from}: "${text.slice(Math.max(0, n.from - 10), n.to + 10)}"`);
      if (n.name === 'VectorSelector') {
        const id = n.node.getChild('Identifier');
        if (id) metrics.push(text.slice(id.from, id.to));
      }
    },
  });
  return { errors, metrics };
}

/** Every sample name a CP exposes: families by their TYPE, with the series names histograms and summaries add. */
async function exported(): Promise<Set<string>> {
  const m = new CpMetrics({ instanceId: 'i', mode: 'zone', zone: 'z', clusterId: () => 'c' });
  const names = new Set<string>();
  for (const [family, type] of parsePromText(await m.text()).types) {
    names.add(family);
    if (type === 'histogram') ['_bucket', '_sum', '_count'].forEach((s) => names.add(family + s));
    if (type === 'summary') ['_sum', '_count'].forEach((s) => names.add(family + s));
  }
  return names;
}

describe('Grafana dashboard packaging/grafana/kuma-cp.json', () => {
  const exprs = expressions();

  it('has panels for xDS, KDS, store, certificates and the runtime', () => {
    expect(exprs.length).toBeGreaterThan(20);
  });

  it('parses every expression as PromQL', () => {
    const bad = exprs.map((e) => ({ ...e, errors: parse(e.expr).errors })).filter((e) => e.errors.length);
    expect(bad).toEqual([]);
    // The check can fail: a broken expression is reported.
    expect(parse('sum(rate(xds_generation_count[5m])').errors.length).toBeGreaterThan(0);
  });

  it('selects only metrics a control plane exports', async () => {
    const names = await exported();
    expect(parse('rate(nope_total{zone="$zone"}[$__rate_interval]) / on() xds_generation_count').metrics).toEqual(['nope_total', 'xds_generation_count']);
    const unknown = exprs.flatMap((e) => parse(e.expr).metrics.filter((m) => !names.has(m)).map((m) => `${e.where}: ${m}`));
    expect(unknown).toEqual([]);
    const used = new Set(exprs.flatMap((e) => parse(e.expr).metrics));
    for (const m of ['xds_generation', 'xds_delivery', 'xds_requests_received', 'kds_delta_delivery', 'store_bucket', 'resources_count', 'cert_generation', 'cp_info', 'leader']) {
      expect(used, m).toContain(m);
    }
  });
});
