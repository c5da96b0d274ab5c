/**
 * RFC 6902 JSON Patch over plain JSON values (what MeshProxyPatch `jsonPatches` do to the protojson
 * form of an Envoy resource). Pure: the input document is never touched; a failing operation
 * throws and nothing of the patch is applied.
 */

export interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

/** An operation could not be applied; `index` is its position in the patch list. */
export class JsonPatchError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(`jsonPatches[${index}]: ${message}`);
    this.name = 'JsonPatchError';
  }
}

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON pointer (it must start with "/")`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

function arrayIndex(arr: unknown[], token: string, pointer: string, allowEnd: boolean): number {
  if (allowEnd && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`path "${pointer}": "${token}" is not an array index`);
  const i = Number(token);
  if (i > arr.length || (!allowEnd && i === arr.length)) throw new Error(`path "${pointer}": index ${i} is out of range (the array has ${arr.length} items)`);
  return i;
}

/** The container holding the pointer's last token, and that token; throws when a parent is missing. */
function parentOf(doc: unknown, pointer: string): { parent: Container; key: string } {
  const ts = tokens(pointer);
  let cur = doc;
  for (let i = 0; i < ts.length - 1; i++) {
    const t = ts[i]!;
    let next: unknown;
    if (Array.isArray(cur)) next = cur[arrayIndex(cur, t, pointer, false)];
    else if (isContainer(cur) && Object.hasOwn(cur, t)) next = (cur as Record<string, unknown>)[t];
    if (!isContainer(next)) throw new Error(`path "${pointer}": "/${ts.slice(0, i + 1).join('/')}" does not exist`);
    cur = next;
  }
  if (!isContainer(cur)) throw new Error(`path "${pointer}": the parent is not an object or array`);
  return { parent: cur, key: ts[ts.length - 1]! };
}

function get(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) return parent[arrayIndex(parent, key, pointer, false)];
  if (!Object.hasOwn(parent, key)) throw new Error(`path "${pointer}" does not exist`);
  return parent[key];
}

/** add; returns the new document (the root itself may be replaced). */
function add(doc: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '') return value;
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, true), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: unknown, pointer: string): unknown {
  if (pointer === '') throw new Error('the root cannot be removed');
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, false), 1);
  else if (!Object.hasOwn(parent, key)) throw new Error(`path "${pointer}" does not exist`);
  else delete parent[key];
  return doc;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function applyOne(doc: unknown, p: JsonPatchOp): unknown {
  switch (p.op) {
    case 'add':
      return add(doc, p.path, structuredClone(p.value));
    case 'remove':
      return remove(doc, p.path);
    case 'replace':
      get(doc, p.path);
      return add(p.path === '' ? doc : remove(doc, p.path), p.path, structuredClone(p.value));
    case 'move': {
      const from = p.from ?? '';
      if (p.path === from) return doc;
      if (p.path.startsWith(`${from}/`)) throw new Error(`"from" ${from} cannot be moved into its own child ${p.path}`);
      const v = get(doc, from);
      return add(remove(doc, from), p.path, v);
    }
    case 'copy':
      return add(doc, p.path, structuredClone(get(doc, p.from ?? '')));
    case 'test':
      if (!deepEqual(get(doc, p.path), p.value)) throw new Error(`test failed: the value at "${p.path}" is not ${JSON.stringify(p.value)}`);
      return doc;
    default:
      throw new Error(`unknown op "${p.op}"`);
  }
}

/** `doc` with every operation applied in order; throws JsonPatchError on the first that fails. */
export function applyJsonPatch(doc: unknown, patches: readonly JsonPatchOp[]): unknown {
  let out = structuredClone(doc);
  patches.forEach((p, i) => {
    try {
      out = applyOne(out, p);
    } catch (e) {
      throw new JsonPatchError(i, e instanceof Error ? e.message : String(e));
    }
  });
  return out;
}
