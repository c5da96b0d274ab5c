import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addContext,
  addControlPlane,
  currentControlPlane,
  defaultConfig,
  defaultConfigPath,
  loadConfig,
  parseConfig,
  persistConfig,
  removeControlPlane,
  serializeConfig,
  switchContext,
} from '../../../internal/cli/kumactl-config';

let home: string;
let savedHome: string | undefined;

beforeEach(() => {
  savedHome = process.env.HOME;
  home = mkdtempSync(join(tmpdir(), 'kumactl-config-'));
  process.env.HOME = home;
});

afterEach(() => {
  process.env.HOME = savedHome;
  rmSync(home, { recursive: true, force: true });
});

describe('kumactl config file', () => {
  it('lives at $HOME/.kumactl/config', () => {
    expect(defaultConfigPath()).toBe(join(home, '.kumactl', 'config'));
  });

  it('writes the default config on first use, mode 0600, in Kuma shape', async () => {
    const { config, path } = await loadConfig();
    expect(path).toBe(join(home, '.kumactl', 'config'));
    expect(config).toEqual(defaultConfig());
    expect(statSync(path!).mode & 0o777).toBe(0o600);
    expect(readFileSync(path!, 'utf8')).toBe(
      [
        'contexts:',
        '- controlPlane: local',
        '  name: local',
        'controlPlanes:',
        '- coordinates:',
        '    apiServer:',
        '      url: http://localhost:5681',
        '  name: local',
        'currentContext: local',
        '',
      ].join('\n'),
    );
  });

  it('writes nothing with --no-config', async () => {
    const loaded = await loadConfig({ noConfig: true });
    expect(loaded.path).toBeUndefined();
    await persistConfig(loaded);
    expect(existsSync(join(home, '.kumactl'))).toBe(false);
  });

  it('honours --config-file, creating it and its directory when missing', async () => {
    const file = join(home, 'nested', 'dir', 'cfg.yaml');
    const { path } = await loadConfig({ configFile: file });
    expect(path).toBe(file);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(join(home, '.kumactl'))).toBe(false);
  });

  it('round-trips every coordinate field, omitting empty ones', async () => {
    const cfg = defaultConfig();
    addControlPlane(
      cfg,
      {
        name: 'prod',
        coordinates: {
          apiServer: {
            url: 'https://cp:5682',
            caCertFile: '/ca.pem',
            skipVerify: true,
            headers: [{ key: 'X-A', value: '1' }],
            authType: 'tokens',
            authConf: { token: 'T' },
          },
        },
      },
      false,
    );
    addContext(cfg, { name: 'prod', controlPlane: 'prod' }, false);
    cfg.currentContext = 'prod';
    const text = await serializeConfig(cfg);
    expect(text).not.toContain('clientCertFile');
    expect(await parseConfig(text)).toEqual(cfg);
  });

  it('reads proto (snake_case) names too', async () => {
    const cfg = await parseConfig(
      'control_planes:\n- name: a\n  coordinates:\n    api_server:\n      url: http://a:5681\n      skip_verify: true\n      auth_conf: {token: X}\ncontexts:\n- name: a\n  control_plane: a\ncurrent_context: a\n',
    );
    expect(currentControlPlane(cfg).coordinates.apiServer).toEqual({ url: 'http://a:5681', skipVerify: true, authConf: { token: 'X' } });
  });

  it('reports a file that is not YAML', async () => {
    const dir = join(home, '.kumactl');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config'), 'controlPlanes: [\n');
    await expect(loadConfig()).rejects.toThrow(/Failed to parse configuration from file/);
  });

  it('saves atomically, leaving no temp file behind', async () => {
    const loaded = await loadConfig();
    loaded.config.currentContext = 'local';
    addControlPlane(loaded.config, { name: 'b', coordinates: { apiServer: { url: 'http://b:5681' } } }, false);
    await persistConfig(loaded);
    expect(readdirSync(join(home, '.kumactl'))).toEqual(['config']);
    expect((await loadConfig()).config.controlPlanes.map((c) => c.name)).toEqual(['local', 'b']);
  });
});

describe('control plane list operations', () => {
  it('refuses a duplicate name unless overwriting', () => {
    const cfg = defaultConfig();
    const cp = { name: 'local', coordinates: { apiServer: { url: 'http://other:5681' } } };
    expect(addControlPlane(cfg, cp, false)).toBe(false);
    expect(addControlPlane(cfg, cp, true)).toBe(true);
    expect(cfg.controlPlanes).toHaveLength(1);
    expect(cfg.controlPlanes[0]!.coordinates.apiServer.url).toBe('http://other:5681');
  });

  it('removing the active control plane activates the first remaining context', () => {
    const cfg = defaultConfig();
    addControlPlane(cfg, { name: 'b', coordinates: { apiServer: { url: 'http://b' } } }, false);
    addContext(cfg, { name: 'b', controlPlane: 'b' }, false);
    expect(switchContext(cfg, 'b')).toBe(true);
    expect(removeControlPlane(cfg, 'b')).toBe(true);
    expect(cfg.currentContext).toBe('local');
    expect(removeControlPlane(cfg, 'local')).toBe(true);
    expect(cfg.currentContext).toBe('');
    expect(() => currentControlPlane(cfg)).toThrow(/no active Control Plane/);
    expect(removeControlPlane(cfg, 'nope')).toBe(false);
    expect(switchContext(cfg, 'nope')).toBe(false);
  });
});
