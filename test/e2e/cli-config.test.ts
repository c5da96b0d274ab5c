/** `kuma config ...` (kumactl) against a real control plane, each test with its own HOME. */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, removeDir, runKuma, startCp, tempDir, type ControlPlane } from './harness';

describe('kumactl config control-planes', () => {
  let cp: ControlPlane;
  const homes: string[] = [];
  const home = () => {
    const h = tempDir('kuma-home-');
    homes.push(h);
    return h;
  };
  beforeAll(async () => {
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
  });
  afterAll(async () => {
    await cp.stop();
    removeDir(cp.workDir);
    homes.forEach(removeDir);
  });

  it('writes the default config on first use and shows it', async () => {
    const h = home();
    const r = await runKuma(['config', 'view'], { home: h });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('url: http://localhost:5681');
    expect(r.stdout).toContain('currentContext: local');
    expect(readFileSync(join(h, '.kumactl', 'config'), 'utf8')).toContain('controlPlanes:');
  });

  it('adds, lists, switches and removes control planes with kumactl messages', async () => {
    const h = home();
    const add = await runKuma(['config', 'control-planes', 'add', '--name', 'test', '--address', cp.apiUrl], { home: h });
    expect(add).toMatchObject({ code: 0, stdout: 'added Control Plane "test"\nswitched active Control Plane to "test"\n', stderr: '' });

    const list = await runKuma(['config', 'control-planes', 'list'], { home: h });
    expect(list.stdout).toBe(`ACTIVE   NAME    ADDRESS\n         local   http://localhost:5681\n*        test    ${cp.apiUrl}\n`);

    const dup = await runKuma(['config', 'control-planes', 'add', '--name', 'test', '--address', cp.apiUrl], { home: h });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toBe('Error: Control Plane with name "test" already exists. Use --overwrite to replace an existing one.\n');
    const over = await runKuma(['config', 'control-planes', 'add', '--name', 'test', '--address', cp.apiUrl, '--overwrite'], { home: h });
    expect(over.code).toBe(0);

    const sw = await runKuma(['config', 'control-planes', 'switch', '--name', 'local'], { home: h });
    expect(sw.stdout).toBe('switched active Control Plane to "local"\n');
    const swBad = await runKuma(['config', 'control-planes', 'switch', '--name', 'nope'], { home: h });
    expect(swBad).toMatchObject({ code: 1, stderr: 'Error: there is no Control Plane with name "nope"\n' });

    const rm = await runKuma(['config', 'control-planes', 'remove', '--name', 'local'], { home: h });
    expect(rm.stdout).toBe('removed Control Plane "local"\nswitched active Control Plane to "test"\n');
    const rmBad = await runKuma(['config', 'control-planes', 'remove', '--name', 'local'], { home: h });
    expect(rmBad).toMatchObject({ code: 1, stderr: 'Error: there is no Control Plane with name "local"\n' });

    // The file is Kuma's shape, readable by kumactl itself.
    const text = readFileSync(join(h, '.kumactl', 'config'), 'utf8');
    expect(text).toBe(`contexts:\n- controlPlane: test\n  name: test\ncontrolPlanes:\n- coordinates:\n    apiServer:\n      url: ${cp.apiUrl}\n  name: test\ncurrentContext: test\n`);
  });

  it('stores headers and token auth; refuses a token-less tokens auth and unverified HTTPS', async () => {
    const h = home();
    const ok = await runKuma(
      ['config', 'control-planes', 'add', '--name', 'auth', '--address', cp.apiUrl, '--headers', 'x-b=2', '--headers', 'x-a=1', '--auth-type', 'tokens', '--auth-conf', 'token=abc'],
      { home: h },
    );
    expect(ok.code).toBe(0);
    const text = readFileSync(join(h, '.kumactl', 'config'), 'utf8');
    expect(text).toContain('authConf:\n        token: abc');
    expect(text).toContain('authType: tokens');
    expect(text).toContain('headers:\n      - key: x-a\n        value: "1"\n      - key: x-b');

    const noToken = await runKuma(['config', 'control-planes', 'add', '--name', 'x', '--address', cp.apiUrl, '--auth-type', 'tokens'], { home: h });
    expect(noToken).toMatchObject({ code: 1, stderr: 'Error: --auth-conf is not valid: provide token=YOUR_TOKEN\n' });
    const https = await runKuma(['config', 'control-planes', 'add', '--name', 'x', '--address', 'https://127.0.0.1:1'], { home: h });
    expect(https.code).toBe(1);
    expect(https.stderr).toMatch(/^Error: HTTPS is used\. You need to specify either --ca-cert-file/);
  });

  it('checks the address answers as Kuma, unless --skip-check', async () => {
    const h = home();
    const port = await freePort();
    const other: Server = createServer((_req, res) => res.end(JSON.stringify({ product: 'Other Mesh', version: '1.0.0' })));
    await new Promise<void>((r) => other.listen(port, '127.0.0.1', r));
    try {
      const r = await runKuma(['config', 'control-planes', 'add', '--name', 'o', '--address', `http://127.0.0.1:${port}`], { home: h });
      expect(r).toMatchObject({
        code: 1,
        stderr: "Error: this CLI is for Kuma but the control plane you're connected to is Other Mesh. Please use the CLI for your control plane\n",
      });
      const skip = await runKuma(['config', 'control-planes', 'add', '--name', 'o', '--address', `http://127.0.0.1:${port}`, '--skip-check'], { home: h });
      expect(skip.code).toBe(0);
    } finally {
      other.close();
    }
    const down = await runKuma(['config', 'control-planes', 'add', '--name', 'down', '--address', `http://127.0.0.1:${await freePort()}`], { home: h });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^Error: could not connect to the Control Plane API Server at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it('--no-config writes nothing; --config-file uses another file', async () => {
    const h = home();
    const r = await runKuma(['config', 'view', '--no-config'], { home: h });
    expect(r.code).toBe(0);
    expect(existsSync(join(h, '.kumactl'))).toBe(false);
    const file = join(h, 'other', 'kumactl.yaml');
    const add = await runKuma(['config', 'control-planes', 'add', '--config-file', file, '--name', 'f', '--address', cp.apiUrl], { home: h });
    expect(add.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('currentContext: f');
    expect(existsSync(join(h, '.kumactl'))).toBe(false);
  });
});
