/** Dataplane-only list filters (spec §2.4): fuzzy `tag=key:value` (repeatable, ANDed) and `gateway=`. */
import type { Resource } from '../resources/model';
import { HttpError } from './http-util';

type Tags = Record<string, string>;

function dataplaneTags(spec: Record<string, unknown>): Tags[] {
  const net = (spec.networking ?? {}) as { inbound?: { tags?: Tags }[]; gateway?: { tags?: Tags } };
  const out = (net.inbound ?? []).map((i) => i.tags ?? {});
  if (net.gateway?.tags) out.push(net.gateway.tags);
  return out;
}

export function dataplaneFilter(q: URLSearchParams, title: string): ((r: Resource) => boolean) | undefined {
  const tags = q.getAll('tag').map((t) => {
    const i = t.indexOf(':');
    return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)];
  });
  const gw = q.get('gateway');
  if (gw !== null && !['true', 'false', 'builtin', 'delegated'].includes(gw)) {
    throw new HttpError(400, title, `shoud use \`true\`, \`false\`, 'builtin' or 'delegated' instead of ${gw}`, [{ field: 'gateway', message: `shoud use \`true\`, \`false\`, 'builtin' or 'delegated' instead of ${gw}` }]);
  }
  if (tags.length === 0 && gw === null) return undefined;
  return (r) => {
    const all = dataplaneTags(r.spec);
    const ok = tags.every(([k, v]) => all.some((t) => t[k!] !== undefined && t[k!]!.includes(v!)));
    if (!ok) return false;
    if (gw === null) return true;
    const g = (r.spec.networking as { gateway?: { type?: string } } | undefined)?.gateway;
    if (gw === 'false') return !g;
    if (gw === 'true') return !!g;
    const type = g?.type ?? 'DELEGATED';
    return !!g && type.toLowerCase() === gw;
  };
}
