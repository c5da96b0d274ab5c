/**
 * Merging targetRef policy confs (Kuma pkg/plugins/policies/core/rules/merge): later confs override
 * earlier ones field by field; objects merge recursively, scalars and lists are replaced whole,
 * except lists under an `append…` key (MeshProxyPatch appendModifications, MeshPassthrough
 * appendMatch), which are concatenated in merge order (Kuma MADR "Policy array merging").
 */

type Obj = Record<string, unknown>;

const APPENDED = /^append[A-Z]/;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges confs in order (least specific first). Returns a fresh object; the inputs are not touched. */
export function mergeConfs(confs: readonly unknown[]): Obj {
  let out: Obj = {};
  for (const c of confs) if (isObj(c)) out = mergeTwo(out, c);
  return out;
}

function mergeTwo(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined || v === null) continue;
    const prev = out[k];
    if (Array.isArray(prev) && Array.isArray(v) && APPENDED.test(k)) out[k] = [...prev, ...v];
    else out[k] = isObj(prev) && isObj(v) ? mergeTwo(prev, v) : v;
  }
  return out;
}
