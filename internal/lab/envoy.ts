/**
 * The Envoy every lab proxy runs, found once by `kuma lab up` and passed to
 * each `kuma dp run` as --binary-path. Kuma's search (--binary-path,
 * KUMA_DATAPLANE_RUNTIME_BINARY_PATH, PATH, current folder, next to kuma),
 * then the project's own install: .venv/bin/envoy in the current folder or
 * beside dist/ (scripts/install-envoy.sh).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BINARY_PATH_ENV, locateEnvoy } from '../dp/envoy-locator';

export async function findEnvoy(binaryPath: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<string> {
  try {
    return (await locateEnvoy({ binaryPath, env, cwd })).path;
  } catch (e) {
    if (binaryPath || env[BINARY_PATH_ENV]) throw e;
    for (const c of [join(cwd, '.venv/bin/envoy'), join(dirname(process.execPath), '../.venv/bin/envoy')]) {
      if (existsSync(c)) return (await locateEnvoy({ binaryPath: c, env, cwd })).path;
    }
    throw e;
  }
}
