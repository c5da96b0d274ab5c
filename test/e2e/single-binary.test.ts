/**
 * The single executable on its own: copied elsewhere, started from `/`
 * with an empty environment, through a `kumactl` link; the LevelDB addon it
 * carries is extracted and loaded there.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, kumaBinary, removeDir, tempDir } from './harness';

describe('the single executable', () => {
  const dir = tempDir('kuma-sea-');
  const bin = join(dir, 'kuma');
  copyFileSync(kumaBinary(), bin);
  symlinkSync(bin, join(dir, 'kumactl'));
  afterAll(() => removeDir(dir));

  const run = (exe: string, args: string[], env: Record<string, string> = {}) => execFileSync(exe, args, { cwd: '/', env, encoding: 'utf8' });

  it('prints its version and git commit, copied elsewhere, from /, under an empty environment', () => {
    // The server line depends on what answers on localhost:5681 (the kumactl default); cli-conventions.test.ts checks it.
    expect(run(bin, ['version', '--api-timeout', '2s'])).toMatch(/^Client: Kuma 2\.\d+\.\d+\n(Server: .+|Unable to connect to control plane: .+)\n$/);
    expect(run(bin, ['version', '-a', '--api-timeout', '2s'])).toMatch(/^Client:\n  Product: Kuma\n  Version: 2\.\d+\.\d+\n  Git Tag: .*\n  Git Commit: ([0-9a-f]{7,}|unknown)\n/);
  });

  it('stops quietly when its reader goes away (| head -1 under pipefail)', () => {
    // `version` writes its Client line, then asks the CP and writes the Server line: by then head has
    // gone, so without the EPIPE handling this dies with a stack trace and a non-zero code.
    const home = tempDir('kuma-epipe-');
    const r = execFileSync('bash', ['-o', 'pipefail', '-c', `"${kumaBinary()}" version | head -1 >/dev/null && echo ok`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: home } });
    removeDir(home);
    expect(r.trim()).toBe('ok');
  });

  it('behaves the same when called through a link named kumactl', () => {
    expect(run(join(dir, 'kumactl'), ['version']).split('\n')[0]).toBe(run(bin, ['version']).split('\n')[0]);
    expect(run(join(dir, 'kumactl'), ['--help'])).toMatch(/\$ kumactl <command>/);
  });

  it('runs a control plane with its LevelDB store under an empty environment', async () => {
    const api = await freePort();
    const diag = await freePort();
    const home = join(dir, 'home');
    const env = { HOME: home, KUMA_API_SERVER_HTTP_PORT: String(api), KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1', KUMA_DIAGNOSTICS_SERVER_PORT: String(diag), KUMA_DP_SERVER_PORT: String(await freePort()), KUMA_API_SERVER_HTTPS_PORT: String(await freePort()) };
    const cp = spawn(bin, ['control-plane', 'run'], { cwd: '/', env, stdio: 'ignore' });
    try {
      for (let i = 0; i < 100; i++) {
        const ok = await fetch(`http://127.0.0.1:${diag}/ready`).then((r) => r.status === 200, () => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const meshes = (await (await fetch(`http://127.0.0.1:${api}/meshes`)).json()) as { items: { name: string }[] };
      expect(meshes.items.map((m) => m.name)).toEqual(['default']);
      // The addon was extracted under the (otherwise empty) HOME and the store lives there too.
      expect(readdirSync(join(home, '.cache/kuma/native')).some((f) => f.startsWith('classic-level-'))).toBe(true);
      expect(existsSync(join(home, '.kuma/store'))).toBe(true);
      // The web UI comes out of the binary's own assets (nothing beside the copy).
      const index = await (await fetch(`http://127.0.0.1:${api}/gui/zones`)).text();
      const script = /src="(\/gui\/assets\/[^"]+\.js)"/.exec(index)?.[1];
      expect(script, index).toBeDefined();
      expect((await fetch(`http://127.0.0.1:${api}${script}`)).status).toBe(200);
    } finally {
      cp.kill('SIGKILL');
    }
  });
});
