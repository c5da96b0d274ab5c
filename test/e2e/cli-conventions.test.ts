/**
 * kumactl's conventions against real control planes: `version` with the server's version,
 * `--context`, `--log-level`, type names in kumactl's spellings, a mesh that does not exist;
 * and the global's log when a zone is disabled and enabled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kumactlHome, removeDir, runKuma, startGlobal, startZone, type ControlPlane } from './harness';

describe('kumactl conventions', () => {
  let global: ControlPlane & { kdsPort: number };
  let zone: ControlPlane;
  let home: string;

  beforeAll(async () => {
    global = await startGlobal({ args: ['--kds-auth=none'], env: { KUMA_STORE_TYPE: 'memory' } });
    zone = await startZone('zone-1', global.kdsPort, { env: { KUMA_STORE_TYPE: 'memory' } });
    home = await kumactlHome(global);
    const add = await runKuma(['config', 'control-planes', 'add', '--name', 'zone-1', '--address', zone.apiUrl], { home });
    expect(add.code, add.stderr).toBe(0);
    // `add` switched to zone-1; go back so the current context is the global's ("test").
    const sw = await runKuma(['config', 'control-planes', 'switch', '--name', 'test'], { home });
    expect(sw.code, sw.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    for (const cp of [zone, global]) if (cp) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
    if (home) removeDir(home);
  });

  it('version prints the client and the server version; --context picks the control plane', async () => {
    const v = await runKuma(['version'], { home });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^Client: Kuma 2\.\d+\.\d+\nServer: Kuma 2\.\d+\.\d+(-preview)?\n$/);
    const z = await runKuma(['get', 'zones', '--context', 'zone-1', '-o', 'json'], { home });
    expect(z.code, z.stderr).toBe(0);
    const missing = await runKuma(['version', '--context', 'nope'], { home });
    expect(missing.stdout).toContain('Unable to connect to control plane: there is no context or control plane named "nope" in the kumactl config');
  });

  it('type names in kumactl spellings; a mesh that does not exist is an error; --log-level debug prints requests', async () => {
    for (const t of ['service-insights', 'serviceinsights', 'meshtrafficpermissions', 'mtp', 'MeshTimeouts']) {
      const r = await runKuma(['get', t, '--context', 'zone-1'], { home });
      expect(r.code, `${t}: ${r.stderr}`).toBe(0);
    }
    const nope = await runKuma(['get', 'meshtrafficpermissions', '-m', 'nope', '--context', 'zone-1'], { home });
    expect([nope.code, nope.stderr]).toEqual([1, 'Error: mesh "nope" not found\n']);
    const dps = await runKuma(['inspect', 'dataplanes', '-m', 'nope', '--context', 'zone-1'], { home });
    expect([dps.code, dps.stderr]).toEqual([1, 'Error: mesh "nope" not found\n']);
    const debug = await runKuma(['get', 'meshes', '--context', 'zone-1', '--log-level', 'debug'], { home });
    expect(debug.code, debug.stderr).toBe(0);
    expect(debug.stderr).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/meshes -> 200$/m);
  });

  it('the global logs a zone disabled and enabled again', async () => {
    await eventually(async () => expect(global.logs()).toContain('"zone":"zone-1"'), 15_000);
    for (const enabled of [false, true]) {
      const r = await runKuma(['apply', '-f', '-', '--context', 'test'], { home, input: `type: Zone\nname: zone-1\nenabled: ${enabled}\n` });
      expect(r.code, r.stderr).toBe(0);
    }
    await eventually(() => {
      expect(global.logs()).toContain('zone disabled: the global sends it nothing');
      expect(global.logs()).toContain('zone enabled: the global sends it its config again');
    }, 10_000);
  });
});
