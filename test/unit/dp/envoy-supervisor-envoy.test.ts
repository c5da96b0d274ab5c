/**
 * The supervisor and locator against the real Envoy 1.40 that
 * scripts/install-envoy.sh puts in .venv (make test installs it first).
 * Envoy runs a static bootstrap: an admin and one listener with a direct
 * response, so nothing here needs a control plane.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { adminAddressFromBootstrap } from '../../../internal/dp/envoy-admin';
import { locateEnvoy } from '../../../internal/dp/envoy-locator';
import { EnvoySupervisor } from '../../../internal/dp/envoy-supervisor';
import { envoyBinary } from '../../support/envoy';
import { ROOT, freePort, isAlive, memoryLogger, staticBootstrap, tempDir, waitFor } from './fixtures';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));


async function get(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const r = await request(url, { signal: AbortSignal.timeout(1_000) });
    return { status: r.statusCode, body: await r.body.text() };
  } catch {
    return undefined;
  }
}

describe('real Envoy', () => {
  it('locates the installed Envoy and reads its version', async () => {
    const e = await locateEnvoy({ binaryPath: envoyBinary() });
    expect(e.version).toMatch(/^1\.40\.\d+$/);
    expect(e.build.split('/')).toHaveLength(5);
    expect(e.kumaDpCompatible).toBe(true);
  });

  it('runs Envoy, restarts it after a SIGKILL, drains and stops it', async () => {
    const adminPort = await freePort();
    const listenerPort = await freePort();
    const bootstrapPath = join(dir, 'bootstrap.yaml');
    const text = staticBootstrap(adminPort, listenerPort);
    writeFileSync(bootstrapPath, text);
    const admin = adminAddressFromBootstrap(text);
    expect(admin).toEqual({ host: '127.0.0.1', port: adminPort });
    const dp = memoryLogger('dp');
    const envoyLog = memoryLogger('envoy');
    const s = new EnvoySupervisor(
      { binaryPath: envoyBinary(), bootstrapPath, drainTimeMs: 1_000, admin, concurrency: 1, restart: { baseMs: 100, maxMs: 1_000, resetAfterMs: 60_000 } },
      { log: dp.log, envoyLog: envoyLog.log },
    );
    try {
      s.start();
      await waitFor('Envoy ready', async () => (await get(`http://127.0.0.1:${adminPort}/ready`))?.body.trim() === 'LIVE', 20_000);
      expect(await get(`http://127.0.0.1:${listenerPort}/`)).toEqual({ status: 200, body: 'hello from envoy' });
      // Envoy's own lines arrive through pino, parsed.
      expect(envoyLog.records.find((r) => r.msg === 'starting main dispatch loop')).toMatchObject({ level: 30, component: 'envoy', logger: 'main', stream: 'stderr' });
      expect(envoyLog.records.find((r) => String(r.msg).startsWith('There is no configured limit'))).toMatchObject({ level: 40 });

      const first = s.pid!;
      process.kill(first, 'SIGKILL');
      await waitFor('a restarted Envoy', () => s.state === 'running' && s.pid !== undefined && s.pid !== first, 20_000);
      await waitFor('the restarted Envoy ready', async () => (await get(`http://127.0.0.1:${adminPort}/ready`))?.body.trim() === 'LIVE', 20_000);
      expect(dp.records.find((r) => r.level === 50)?.msg).toMatch(/^Envoy was killed by SIGKILL after \d+ms; restarting it in 100ms$/);

      const second = s.pid!;
      const stopped = s.stop();
      // While it drains, readiness fails (POST /healthcheck/fail) but the listener still answers.
      await waitFor('readiness to fail', async () => (await get(`http://127.0.0.1:${adminPort}/ready`))?.status === 503, 5_000);
      await stopped;
      expect(s.history).toEqual(['idle', 'starting', 'running', 'crashed', 'backoff', 'starting', 'running', 'stopping', 'stopped']);
      expect(isAlive(second)).toBe(false);
      expect(await get(`http://127.0.0.1:${adminPort}/ready`)).toBeUndefined();
      expect(envoyLog.records.some((r) => r.msg === 'caught SIGTERM, shutting down' || String(r.msg).includes('shutting down'))).toBe(true);
    } finally {
      await s.stop();
    }
  });

  it('Envoy dies with a kuma process that is SIGKILLed (parent-death signal)', async () => {
    const adminPort = await freePort();
    const bootstrapPath = join(dir, 'bootstrap-orphan.yaml');
    writeFileSync(bootstrapPath, staticBootstrap(adminPort, await freePort()));
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'supervise-child.ts'), envoyBinary(), bootstrapPath], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    try {
      const pid = Number((await waitFor('the Envoy pid', () => /envoy-pid (\d+)/.exec(out), 20_000))[1]);
      await waitFor('Envoy ready', async () => (await get(`http://127.0.0.1:${adminPort}/ready`))?.body.trim() === 'LIVE', 20_000);
      child.kill('SIGKILL');
      await waitFor('Envoy to die with its parent', () => !isAlive(pid), 5_000);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
