/** A small YAML printer for resource documents (what `kumactl get -o yaml` prints), to keep the bundle small. */
const PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./:@-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|~|-?\d[\d._eE+-]*)$/i;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  return PLAIN.test(s) && !RESERVED.test(s) && !s.endsWith(':') ? s : JSON.stringify(s);
}

function isEmpty(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

function lines(v: unknown, indent: string): string[] {
  if (Array.isArray(v)) {
    if (!v.length) return [];
    return v.flatMap((x) => {
      if (typeof x === 'object' && x !== null && !isEmpty(x)) {
        const inner = lines(x, indent + '  ');
        return [`${indent}- ${inner[0]!.slice(indent.length + 2)}`, ...inner.slice(1)];
      }
      return [`${indent}- ${isEmpty(x) ? (Array.isArray(x) ? '[]' : '{}') : scalar(x)}`];
    });
  }
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v).flatMap(([k, x]) => {
      const key = `${indent}${scalar(k)}:`;
      if (typeof x === 'object' && x !== null && !isEmpty(x)) return [key, ...lines(x, Array.isArray(x) ? indent : indent + '  ')];
      return [`${key} ${isEmpty(x) ? (Array.isArray(x) ? '[]' : '{}') : scalar(x)}`];
    });
  }
  return [indent + scalar(v)];
}

export function toYaml(v: unknown): string {
  return lines(v, '').join('\n') + '\n';
}
