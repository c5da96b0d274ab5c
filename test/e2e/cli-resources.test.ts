/** `kuma apply`, `kuma get` and `kuma delete` (kumactl) against a real control plane. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, freePort, kumactlHome, removeDir, runKuma, startCp, type ControlPlane } from './harness';

const MESH_DEMO = 'type: Mesh\nname: demo\nmtls:\n  enabledBackend: ca-1\n  backends:\n  - name: ca-1\n    type: builtin\nrouting:\n  zoneEgress: true\n';
const dataplane = (name: string, mesh = 'default') =>
  `type: Dataplane\nmesh: ${mesh}\nname: ${name}\nnetworking:\n  address: 10.0.0.1\n  inbound:\n  - port: 8080\n    tags:\n      kuma.io/service: web\n      version: v1\n`;

describe('kumactl apply, get and delete', () => {
  let cp: ControlPlane;
  let home: string;
  const kuma = (args: string[], input?: string) => runKuma(args, { home, input });

  beforeAll(async () => {
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    home = await kumactlHome(cp);
  });
  afterAll(async () => {
    await cp.stop();
    removeDir(cp.workDir);
    removeDir(home);
  });

  it('apply creates, then updates, printing kumactl lines', async () => {
    writeFileSync(join(home, 'mesh.yaml'), MESH_DEMO);
    const c = await kuma(['apply', '-f', join(home, 'mesh.yaml')]);
    expect(c).toMatchObject({ code: 0, stdout: 'resource type="Mesh" mesh="" name="demo" Created\n', stderr: '' });
    const u = await kuma(['apply', '-f', join(home, 'mesh.yaml')]);
    expect(u.stdout).toBe('resource type="Mesh" mesh="" name="demo" Updated\n');
    expect((await api(cp, 'GET', '/meshes/demo')).json.routing).toEqual({ zoneEgress: true });
  });

  it('apply reads stdin, fills --var, and applies every document of a directory in name order', async () => {
    const s = await kuma(['apply', '-f', '-', '--var', 'name=dp-a', '--var', 'tag.version=v9'], `${dataplane('{{ name }}')}      extra: "{{ tag.version }}"\n`);
    expect(s.stdout).toBe('resource type="Dataplane" mesh="default" name="dp-a" Created\n');
    expect((await api(cp, 'GET', '/meshes/default/dataplanes/dp-a')).json.networking.inbound[0].tags.extra).toBe('v9');

    const dir = join(home, 'docs');
    mkdirSync(dir);
    writeFileSync(join(dir, '2-dp.yaml'), `${dataplane('dp-b', 'demo')}---\n${dataplane('dp-c', 'demo')}`);
    writeFileSync(join(dir, '1-mesh.json'), JSON.stringify({ type: 'Mesh', name: 'dirmesh' }));
    writeFileSync(join(dir, 'README.md'), 'not a resource');
    const d = await kuma(['apply', '-f', dir]);
    expect(d.stdout).toBe(
      'resource type="Mesh" mesh="" name="dirmesh" Created\nresource type="Dataplane" mesh="demo" name="dp-b" Created\nresource type="Dataplane" mesh="demo" name="dp-c" Created\n',
    );
  });

  it('apply --dry-run prints the rendered YAML and sends nothing', async () => {
    const r = await kuma(['apply', '-f', '-', '--dry-run', '--var', 'n=dry'], 'type: Mesh\nname: {{ n }}\n');
    expect(r).toMatchObject({ code: 0, stdout: 'type: Mesh\nname: dry\n' });
    expect((await api(cp, 'GET', '/meshes/dry')).status).toBe(404);
  });

  it('apply validates every document first and sends nothing if one is invalid', async () => {
    const r = await kuma(['apply', '-f', '-'], 'type: Mesh\nname: good-one\n---\ntype: Mesh\nname: Bad_Name\n---\ntype: Unknown\nname: x\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^stdin: resource\[1\]: Mesh "Bad_Name": name: invalid characters/);
    expect(r.stderr).toContain('stdin: resource[2]: unknown type "Unknown"');
    expect(r.stderr.trimEnd().split('\n').pop()).toBe('Error: failed to validate some resources');
    expect((await api(cp, 'GET', '/meshes/good-one')).status).toBe(404);

    const empty = await kuma(['apply', '-f', '-'], '');
    expect(empty).toMatchObject({ code: 1, stderr: 'Error: no resource(s) passed to apply\n' });
  });

  it('apply names the file and JSON path of unknown fields and writes none of the documents', async () => {
    const file = join(home, 'strict.yaml');
    writeFileSync(file, `type: Mesh\nname: strict-ok\n---\n${dataplane('dp-strict')}    bogus: 1\n---\ntype: MeshTimeout\nmesh: default\nname: mt-strict\nspec:\n  to:\n  - targetRef: { kind: Mesh }\n    default: { idleTimeout: 1s, foo: 2 }\n`);
    const r = await kuma(['apply', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}: resource[1]: Dataplane "dp-strict": networking.inbound[0].bogus: unknown field "bogus"`);
    expect(r.stderr).toContain(`${file}: resource[2]: MeshTimeout "mt-strict": spec.to[0].default.foo: unknown field "foo"`);
    expect((await api(cp, 'GET', '/meshes/strict-ok')).status).toBe(404);
    expect((await api(cp, 'GET', '/meshes/default/dataplanes/dp-strict')).status).toBe(404);
    expect((await api(cp, 'GET', '/meshes/default/meshtimeouts/mt-strict')).status).toBe(404);
  });

  it('REST PUT with an unknown field answers 400 naming its path and stores nothing', async () => {
    const r = await api(cp, 'PUT', '/meshes/junk', { type: 'Mesh', name: 'junk', junk: { a: 1 }, routing: { zoneEgress: true, nope: 1 } });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ title: 'Could not process a resource', detail: 'Resource is not valid' });
    expect(r.json.invalid_parameters.map((p: { field: string }) => p.field)).toEqual(['junk', 'routing.nope']);
    expect((await api(cp, 'GET', '/meshes/junk')).status).toBe(404);
  });

  it('a standalone zone CP refuses to create or delete Zone objects (405), and apply says why', async () => {
    const own = (await api(cp, 'GET', '/zones')).json.items.map((z: { name: string }) => z.name);
    expect(own).toHaveLength(1); // the CP's own Zone
    const put = await api(cp, 'PUT', '/zones/other', { type: 'Zone', name: 'other', enabled: true });
    expect(put.status).toBe(405);
    expect(put.json.detail).toMatch(/^Zone objects cannot be created, changed or deleted on a zone control plane: they are managed by the global control plane/);
    for (const name of own) expect((await api(cp, 'DELETE', `/zones/${name}`)).status).toBe(405);
    expect((await api(cp, 'GET', '/zones')).json.items.map((z: { name: string }) => z.name)).toEqual(own);
    const r = await kuma(['apply', '-f', '-'], 'type: Zone\nname: other\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: resource type="Zone" mesh="" name="other": failed server side: Method not allowed \(Zone objects cannot be created/);
  });

  it('apply reports a server refusal with the resource key and the API error on one line', async () => {
    const r = await kuma(['apply', '-f', '-'], dataplane('dp-x', 'no-such-mesh'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Error: resource type="Dataplane" mesh="no-such-mesh" name="dp-x": failed server side: Could not process a resource (Mesh is not found): mesh: mesh of name no-such-mesh is not found\n',
    );
  });

  it('get lists with kumactl columns and shows one resource', async () => {
    const meshes = await kuma(['get', 'meshes']);
    expect(meshes.code).toBe(0);
    const lines = meshes.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME +mTLS +LOCALITY +ZONEEGRESS +AGE$/);
    expect(lines.find((l) => l.startsWith('demo '))).toMatch(/^demo +builtin\/ca-1 +off +on +\d+s$/);

    const dps = await kuma(['get', 'dataplanes', '-m', 'demo']);
    expect(dps.stdout).toMatch(/^MESH +NAME +TAGS +ADDRESS +AGE\ndemo +dp-b +kuma\.io\/service=web kuma\.io\/zone=default version=v1 +10\.0\.0\.1 +\d+s\ndemo +dp-c /);

    const retries = await kuma(['get', 'meshretries']);
    expect(retries.stdout).toMatch(/^MESH +NAME +AGE\ndefault +mesh-retry-all-default +\d+s\n$/);

    const one = await kuma(['get', 'mesh', 'demo', '-o', 'json']);
    expect(JSON.parse(one.stdout)).toMatchObject({ type: 'Mesh', name: 'demo', mtls: { enabledBackend: 'ca-1' } });
    const yaml = await kuma(['get', 'meshes', '-o', 'yaml', '--size', '1']);
    expect(yaml.stdout).toMatch(/^total: \d+\nitems:\n- type: Mesh\n  name: default\n/);
    expect(yaml.stdout).toMatch(/\nnext: http:\/\/127\.0\.0\.1:\d+\/meshes\?(.*&)?offset=1/);
  });

  it('get paginates with --size/--offset and prints the rerun hint', async () => {
    const first = await kuma(['get', 'meshes', '--size', '2']);
    expect(first.stdout).toMatch(/\n\nRerun command with --offset=2 argument to retrieve more resources\n$/);
    const rest = await kuma(['get', 'meshes', '--size', '2', '--offset', '2']);
    expect(rest.stdout.split('\n')[1]).toMatch(/^dirmesh /);
  });

  it('get of a missing resource says No resources found', async () => {
    expect(await kuma(['get', 'mesh', 'nope'])).toMatchObject({ code: 1, stderr: 'Error: No resources found\n' });
    expect(await kuma(['get', 'dataplane', 'nope', '-m', 'demo'])).toMatchObject({ code: 1, stderr: 'Error: No resources found in demo mesh\n' });
    const unknown = await kuma(['get', 'nothings']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Error: unknown TYPE: nothings\. Allowed values: .*meshes/);
  });

  it('delete removes, then reports a missing resource and an unknown type', async () => {
    expect(await kuma(['delete', 'dataplane', 'dp-c', '-m', 'demo'])).toMatchObject({ code: 0, stdout: 'deleted Dataplane "dp-c"\n' });
    expect(await kuma(['delete', 'dataplane', 'dp-c', '-m', 'demo'])).toMatchObject({ code: 1, stderr: 'Error: there is no Dataplane with name "dp-c"\n' });
    const bad = await kuma(['delete', 'nothing', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: unknown TYPE: nothing\. Allowed values: .*\bmesh\b/);
    expect(await kuma(['delete', 'mesh', 'dirmesh'])).toMatchObject({ code: 0, stdout: 'deleted Mesh "dirmesh"\n' });
  });

  it('fails with one line when the control plane is unreachable', async () => {
    const file = join(home, 'unreachable.yaml');
    const port = await freePort();
    const add = await kuma(['config', 'control-planes', 'add', '--config-file', file, '--name', 'down', '--address', `http://127.0.0.1:${port}`, '--skip-check']);
    expect(add.code).toBe(0);
    const r = await kuma(['get', 'meshes', '--config-file', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^Error: could not connect to the Control Plane API Server at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
