import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSources, readSources } from '../../../internal/cli/apply-input';
import { parseKeyValueFlags } from '../../../internal/cli/key-values';
import { registerAll } from '../../../internal/resources/types/index';

const registry = registerAll();
const dir = mkdtempSync(join(tmpdir(), 'kuma-apply-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noStdin = async () => '';

describe('apply input', () => {
  it('reads a directory: yaml, yml and json files by name, nothing else', async () => {
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'b.yml'), 'type: Mesh\nname: b\n');
    writeFileSync(join(dir, 'd', 'a.json'), '{"type":"Mesh","name":"a"}');
    writeFileSync(join(dir, 'd', 'c.yaml'), 'type: Mesh\nname: c\n');
    writeFileSync(join(dir, 'd', 'notes.txt'), 'nope');
    const sources = await readSources(join(dir, 'd'), noStdin);
    expect(sources.map((s) => s.name)).toEqual(['a.json', 'b.yml', 'c.yaml'].map((n) => join(dir, 'd', n)));
  });

  it('reads stdin for -', async () => {
    expect(await readSources('-', async () => 'type: Mesh\nname: x\n')).toEqual([{ name: 'stdin', text: 'type: Mesh\nname: x\n' }]);
  });

  it('says which file is missing', async () => {
    await expect(readSources(join(dir, 'missing.yaml'), noStdin)).rejects.toThrow(/error while opening provided file ".*missing.yaml": no such file or directory/);
  });

  it('splits documents, skips empty ones and strips server-owned meta', async () => {
    const text = '---\ntype: Mesh\nname: a\ncreationTime: "2020-01-01T00:00:00Z"\nkri: kri_m____a_\n---\n---\ntype: Mesh\nname: b\nmesh: ignored\n';
    const r = await parseSources(registry, [{ name: 'stdin', text }], {});
    expect(r.problems).toEqual([]);
    expect(r.docs.map((d) => [d.descriptor.name, d.mesh, d.name, d.body])).toEqual([
      ['Mesh', '', 'a', { type: 'Mesh', name: 'a' }],
      ['Mesh', '', 'b', { type: 'Mesh', name: 'b' }],
    ]);
  });

  it('renders --var before parsing, only when vars are given', async () => {
    const text = 'type: Mesh\nname: {{ n }}\n';
    const r = await parseSources(registry, [{ name: 'stdin', text }], { n: 'templated' });
    expect(r.docs[0]!.name).toBe('templated');
    const raw = await parseSources(registry, [{ name: 'stdin', text }], {});
    expect(raw.problems).toEqual(['stdin: resource[0]: Mesh: name: cannot be empty']);
  });

  it('collects every problem of every document, naming index and type', async () => {
    const text = ['type: Nope\nname: x', 'type: Mesh\nname: Bad_Name', 'name: [unclosed', 'type: Mesh\nname: fine', 'type: Mesh\nname: m2\nmtls:\n  enabledBackend: missing'].join('\n---\n');
    const r = await parseSources(registry, [{ name: 'stdin', text }], {});
    expect(r.problems[0]).toBe('stdin: resource[0]: unknown type "Nope"; see "kuma get --help" for the list of types');
    expect(r.problems[1]).toMatch(/^stdin: resource\[1\]: Mesh "Bad_Name": name: invalid characters/);
    expect(r.problems[2]).toMatch(/^stdin: resource\[2\]: failed to parse resource: /);
    expect(r.problems[3]).toBe('stdin: resource[4]: Mesh "m2": mtls.enabledBackend: has to be set to one of the backends in the mesh');
    expect(r.problems).toHaveLength(4);
  });

  it('names the unknown fields of every document by JSON path and file; no document is sent', async () => {
    const text = [
      'type: Mesh\nname: ok',
      'type: Dataplane\nmesh: default\nname: dp\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: 1\n    tags: { kuma.io/service: a, bogus_tag: x }\n    bogus: 1',
      'type: MeshTimeout\nmesh: default\nname: mt\njunk: 1\nspec:\n  to:\n  - targetRef: { kind: Mesh }\n    default: { idleTimeout: 1s, foo: 2 }',
    ].join('\n---\n');
    const r = await parseSources(registry, [{ name: 'policies.yaml', text }], {});
    expect(r.problems).toEqual([
      'policies.yaml: resource[1]: Dataplane "dp": networking.inbound[0].bogus: unknown field "bogus"; known fields: port, servicePort, serviceAddress, address, tags, health, serviceProbe, state, name, protocol',
      'policies.yaml: resource[2]: MeshTimeout "mt": junk: unknown field "junk"; known fields: type, mesh, name, labels, spec, status, creationTime, modificationTime, kri; the fields of a MeshTimeout go under "spec"',
      'policies.yaml: resource[2]: MeshTimeout "mt": spec.to[0].default.foo: unknown field "foo"; known fields: connectionTimeout, idleTimeout, http',
    ]);
  });

  it('names the file when several sources are given', async () => {
    const r = await parseSources(registry, [{ name: 'a.yaml', text: 'type: Mesh\nname: a' }, { name: 'b.yaml', text: 'type: Nope\nname: b' }], {});
    expect(r.problems).toEqual(['b.yaml: resource[1]: unknown type "Nope"; see "kuma get --help" for the list of types']);
  });
});

describe('key=value flags', () => {
  it('accepts repeated and comma-separated pairs; a later key wins', () => {
    expect(parseKeyValueFlags('--var', ['a=1,b=2', 'a=3'], { commaSeparated: true })).toEqual({ a: '3', b: '2' });
  });

  it('keeps a value with a comma whole when its pieces are not pairs', () => {
    expect(parseKeyValueFlags('--var', ['list=x,y'], { commaSeparated: true })).toEqual({ list: 'x,y' });
    expect(parseKeyValueFlags('--var', ['eq=a=b'])).toEqual({ eq: 'a=b' });
  });

  it('rejects a value without a key', () => {
    expect(() => parseKeyValueFlags('--tag', ['=x'])).toThrow('invalid --tag "=x": expected key=value');
    expect(() => parseKeyValueFlags('--tag', ['novalue'])).toThrow(/expected key=value/);
  });
});
