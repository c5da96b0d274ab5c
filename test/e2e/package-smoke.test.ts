/**
 * Release packaging end to end: `npm run package` (scripts/package.mjs) makes
 * the tarball and its SHA-256 file from dist/kuma, then scripts/smoke.sh
 * unpacks it into a temp folder and runs a global + federated zone from it
 * (zone token, Mesh + policy applied on the global seen in the zone, zone
 * Online, clean stop). This is how `make test` (and so .ci/run) runs the smoke.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, ROOT, tempDir } from './harness';

const out = tempDir('kuma-package-');
afterAll(() => removeDir(out));
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const tarball = join(out, `kuma-${version}-linux-x64.tar.gz`);

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 << 20, env: { ...process.env, TMPDIR: out } }, (err, stdout, stderr) => {
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('release package and CI smoke', () => {
  it('npm run package writes the tarball and a matching .sha256', async () => {
    const r = await run('npm', ['run', '--silent', 'package', '--', '--out', out], 150_000);
    expect(r.code, r.stderr).toBe(0);
    const [sha, file] = readFileSync(`${tarball}.sha256`, 'utf8').trim().split(/\s+/);
    expect(file).toBe(`kuma-${version}-linux-x64.tar.gz`);
    expect(createHash('sha256').update(readFileSync(tarball)).digest('hex')).toBe(sha);
    const list = await run('tar', ['-tvzf', tarball], 30_000);
    expect(list.stdout).toMatch(new RegExp(`kuma-${version}/bin/kumactl -> kuma`));
    for (const f of ['bin/kuma', 'LICENSE', 'README.md', 'completions/kuma.bash', 'completions/kuma.zsh', 'completions/kuma.fish']) expect(list.stdout).toContain(`kuma-${version}/${f}`);
  }, 180_000);

  it('scripts/smoke.sh runs a global and a zone from the tarball and exits 0', async () => {
    const r = await run('bash', ['scripts/smoke.sh', tarball], 240_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/zone-1 to be Online|OK: global \+ zone/);
    expect(r.stdout).toMatch(/^smoke: OK:/m);
  }, 260_000);
});
