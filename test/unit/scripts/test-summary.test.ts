/**
 * scripts/test.sh's last line is what CI reads: it must count every reason vitest exits 1
 * (failing hooks, files that do not load, unhandled errors), not only failed tests.
 * Runs the script on the throwaway files of test/fixtures-summary (outside the main include).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../../..');
const CONFIG = 'test/fixtures-summary/vitest.config.ts';

function childEnv(): NodeJS.ProcessEnv {
  // The outer vitest's worker variables would make the inner one think it is a worker.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VITEST') && k !== 'NODE_ENV') env[k] = v;
  return env;
}

async function testSh(args: string[]): Promise<{ code: number; last: string }> {
  const child = spawn('bash', ['scripts/test.sh', ...args], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
  return { code, last: out.trimEnd().split('\n').at(-1) ?? '' };
}

describe('scripts/test.sh summary line', { timeout: 60_000 }, () => {
  it.each([
    ['a failing beforeAll', 'before-all', 1, '1 passed, 1 failed, 1 skipped'],
    ['a failing afterAll', 'after-all', 1, '1 passed, 1 failed, 0 skipped'],
    ['an unhandled rejection', 'unhandled', 1, '1 passed, 1 failed, 0 skipped'],
    ['a file that does not load', 'import-error', 1, '0 passed, 1 failed, 0 skipped'],
    ['a failing test', 'failing', 1, '1 passed, 1 failed, 0 skipped'],
    ['skipped and todo tests', 'skipped', 0, '1 passed, 0 failed, 2 skipped'],
  ])('counts %s', async (_what, file, code, line) => {
    const r = await testSh(['--config', CONFIG, file]);
    expect(r).toEqual({ code, last: line });
  });

  it('adds them up over several files', async () => {
    expect(await testSh(['--config', CONFIG])).toEqual({ code: 1, last: '5 passed, 5 failed, 3 skipped' });
  });

  it('never says "0 failed" when vitest exits non-zero before any report', async () => {
    expect(await testSh(['--config', 'test/fixtures-summary/no-such-config.ts'])).toEqual({ code: 1, last: '0 passed, 1 failed, 0 skipped' });
  });
});
