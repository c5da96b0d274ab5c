/**
 * The input side of `kuma apply`: read every `-f` source (file, directory,
 * stdin or URL), render `--var` templates, split YAML documents, and check
 * each one locally (known writable type, meta rules, the type's validator)
 * before anything is sent. Every problem of every document is collected so a
 * user fixes a batch in one round.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { BadRequestError, isKumaError } from '../errors';
import { fromRest } from '../resources/codec';
import { validateMeta } from '../resources/meta-validator';
import type { Registry, ResourceDescriptor } from '../resources/registry';
import { renderTemplate } from './mustache';

export const URL_FETCH_TIMEOUT_MS = 10_000;
const DIR_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface Source {
  /** What the user named: a path, `-` or a URL; used in messages. */
  name: string;
  text: string;
}

/** One document ready to send. */
export interface ApplyDocument {
  descriptor: ResourceDescriptor;
  mesh: string;
  name: string;
  /** The REST body: the document as written, less the server-owned meta. */
  body: Record<string, unknown>;
}

async function fetchUrl(url: string): Promise<string> {
  const { request } = await import('undici');
  try {
    const res = await request(url, { signal: AbortSignal.timeout(URL_FETCH_TIMEOUT_MS) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new BadRequestError(`error while retrieving URL ${url}: status ${res.statusCode}`);
    return text;
  } catch (e) {
    if (isKumaError(e)) throw e;
    throw new BadRequestError(`error with GET http request ${url}: ${(e as Error).message}`);
  }
}

/** Reads one `-f` value; a directory gives its *.yaml, *.yml and *.json files in name order. */
export async function readSources(file: string, stdin: () => Promise<string>): Promise<Source[]> {
  if (file === '-') return [{ name: 'stdin', text: await stdin() }];
  if (/^https?:\/\//.test(file)) return [{ name: file, text: await fetchUrl(file) }];
  let isDir: boolean;
  try {
    isDir = (await stat(file)).isDirectory();
  } catch (e) {
    throw new BadRequestError(`error while opening provided file "${file}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
  const paths = isDir
    ? (await readdir(file))
        .filter((n) => DIR_EXTENSIONS.has(extname(n)))
        .sort()
        .map((n) => join(file, n))
    : [file];
  const out: Source[] = [];
  for (const p of paths) out.push({ name: p, text: await readFile(p, 'utf8') });
  return out;
}

/** Reads a whole stream as UTF-8 (stdin for `-f -`). */
export async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

const SERVER_META = new Set(['creationTime', 'modificationTime', 'kri', 'creation_time', 'modification_time']);

function checkDocument(registry: Registry, doc: unknown): { doc?: ApplyDocument; problems: string[] } {
  let parsed;
  try {
    parsed = fromRest(registry, doc);
  } catch (e) {
    return { problems: [isKumaError(e) ? e.message : `failed to parse resource: ${(e as Error).message}`] };
  }
  const d = parsed.descriptor;
  if (d.readOnly) return { problems: [`type ${d.name} is read-only: it is computed by the control plane and cannot be applied`] };
  const raw = doc as Record<string, unknown>;
  const violations = [...parsed.unknownFields, ...validateMeta(d, { name: raw.name, mesh: raw.mesh, labels: raw.labels }), ...d.validate(parsed.spec)];
  if (violations.length > 0) {
    const what = parsed.name ? `${d.name} "${parsed.name}"` : d.name;
    return { problems: violations.map((v) => `${what}: ${v.field ? `${v.field}: ` : ''}${v.message}`) };
  }
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!SERVER_META.has(k)) body[k] = v;
  if (d.scope !== 'Mesh') delete body.mesh;
  return { doc: { descriptor: d, mesh: d.scope === 'Mesh' ? parsed.mesh : '', name: parsed.name, body }, problems: [] };
}

export interface ParsedInput {
  docs: ApplyDocument[];
  /** `resource[i]: ...` lines; when non-empty nothing may be sent. */
  problems: string[];
}

/**
 * Renders (only when vars are given, as Kuma does), splits and checks every
 * document of every source. Documents are numbered across all sources.
 */
export async function parseSources(registry: Registry, sources: Source[], vars: Record<string, string>): Promise<ParsedInput> {
  const { parseAllDocuments } = await import('yaml');
  const docs: ApplyDocument[] = [];
  const problems: string[] = [];
  let index = 0;
  for (const src of sources) {
    const text = Object.keys(vars).length > 0 ? renderTemplate(src.text, vars) : src.text;
    // logLevel 'error': a template left unrendered (`name: {{ x }}`) must not print a Node warning; validation reports it.
    for (const yd of parseAllDocuments(text, { logLevel: 'error' })) {
      const where = `${src.name}: resource[${index}]`;
      if (yd.errors.length > 0) {
        problems.push(`${where}: failed to parse resource: ${yd.errors[0]!.message.split('\n')[0]}`);
        index++;
        continue;
      }
      const js = yd.toJS();
      if (js === null || js === undefined) continue; // an empty document, e.g. a trailing `---`
      const r = checkDocument(registry, js);
      for (const p of r.problems) problems.push(`${where}: ${p}`);
      if (r.doc) docs.push(r.doc);
      index++;
    }
  }
  return { docs, problems };
}
