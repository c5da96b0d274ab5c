// proto/vendor and proto/gen are committed outputs of scripts/vendor-protos.mjs and
// scripts/gen-proto.mjs. Regenerate both into temp dirs and require byte-identical trees, so a
// hand edit (or a toolchain/proto change without `npm run gen:proto`) fails here.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '../../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kuma-codegen-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((p) => fs.statSync(path.join(dir, p)).isFile())
    .map((p) => p.split(path.sep).join('/'))
    .sort();
}

function runScript(script: string, out: string): void {
  const r = spawnSync(process.execPath, [path.join(repo, 'scripts', script), '--out', out], {
    cwd: repo,
    encoding: 'utf8',
  });
  expect(r.status, `${script} failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
}

function expectSameTree(committed: string, fresh: string, fix: string): void {
  const want = listFiles(fresh);
  expect(listFiles(committed), `file list of ${path.relative(repo, committed)} differs; run ${fix}`).toEqual(want);
  const differing = want.filter(
    (f) => !fs.readFileSync(path.join(committed, f)).equals(fs.readFileSync(path.join(fresh, f))),
  );
  expect(differing, `${path.relative(repo, committed)} is out of date or hand-edited; run ${fix}`).toEqual([]);
}

describe('committed protobuf code generation', () => {
  it('proto/vendor matches scripts/vendor-protos.mjs output', () => {
    const out = path.join(tmp, 'vendor');
    runScript('vendor-protos.mjs', out);
    expectSameTree(path.join(repo, 'proto/vendor'), out, '`node scripts/vendor-protos.mjs && npm run gen:proto`');
  });

  it('proto/gen matches scripts/gen-proto.mjs output', () => {
    const out = path.join(tmp, 'gen');
    runScript('gen-proto.mjs', out);
    expectSameTree(path.join(repo, 'proto/gen'), out, '`npm run gen:proto`');
  });
});
