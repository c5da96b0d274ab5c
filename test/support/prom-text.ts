/**
 * A small parser of the Prometheus text exposition format (0.0.4) for tests:
 * `# TYPE` lines and samples `name{label="value",...} value`, with the
 * format's escapes (\\, \", \n) in label values.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** metric family name -> counter | gauge | summary | histogram | untyped */
  types: Map<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

export function parsePromText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (m) types.set(m[1]!, m[2]!);
      continue;
    }
    const name = NAME.exec(line)?.[0];
    if (!name) throw new Error(`line ${i + 1}: no metric name: ${line}`);
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      let j = 1;
      while (rest[j] !== '}') {
        if (rest[j] === ',') j++;
        if (rest[j] === '}') break;
        const ln = NAME.exec(rest.slice(j))?.[0];
        if (!ln || rest[j + ln.length] !== '=' || rest[j + ln.length + 1] !== '"') throw new Error(`line ${i + 1}: bad label at ${j}: ${line}`);
        j += ln.length + 2;
        let v = '';
        while (rest[j] !== '"') {
          if (j >= rest.length) throw new Error(`line ${i + 1}: unterminated label value: ${line}`);
          if (rest[j] === '\\') {
            const e = rest[j + 1];
            v += e === 'n' ? '\n' : e;
            j += 2;
          } else v += rest[j++];
        }
        labels[ln] = v;
        j++;
      }
      rest = rest.slice(j + 1);
    }
    const fields = rest.trim().split(/\s+/);
    // As Go's ParseFloat, which Prometheus uses: Inf and NaN in any case (prom-client writes "Nan").
    const word = (fields[0] ?? '').toLowerCase();
    const value = word === '+inf' || word === 'inf' ? Infinity : word === '-inf' ? -Infinity : word === 'nan' ? NaN : word === '' ? NaN : Number(word);
    if (Number.isNaN(value) && word !== 'nan') throw new Error(`line ${i + 1}: bad value: ${line}`);
    samples.push({ name, labels, value });
  }
  return { samples, types };
}

/** Samples of one name whose labels include `match`. */
export function samplesOf(e: Exposition, name: string, match: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The sum of the matching samples' values (0 when none). */
export function valueOf(e: Exposition, name: string, match: Record<string, string> = {}): number {
  return samplesOf(e, name, match).reduce((a, s) => a + s.value, 0);
}

/** Family names, as a scrape names them (histogram/summary series folded to their family). */
export function familyNames(e: Exposition): Set<string> {
  return new Set(e.types.keys());
}
