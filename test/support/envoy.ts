/**
 * The one Envoy every test runs (e2e harness, generator validation, dp tests).
 * Found with the product's own search (internal/dp/envoy-locator.ts):
 * $KUMA_DATAPLANE_RUNTIME_BINARY_PATH if set (never a fallback when it is wrong),
 * else the project's install .venv/bin/envoy (scripts/install-envoy.sh), else envoy on PATH.
 *
 * Tests that need Envoy call envoyBinary() inside the test: a missing Envoy fails
 * them with the install hint, in CI and locally alike. They never skip.
 */
import { delimiter, join, resolve } from 'node:path';
import { BINARY_PATH_ENV, INSTALL_HINT, searchEnvoy } from '../../internal/dp/envoy-locator';

export const REPO_ROOT = resolve(__dirname, '../..');

/** The Envoy path, or undefined with the reason. */
export function findEnvoy(env: NodeJS.ProcessEnv = process.env): { path?: string; missing?: string } {
  const explicit = env[BINARY_PATH_ENV];
  if (explicit) {
    // An absolute name with an empty PATH: searchEnvoy only checks that it is an executable file.
    const path = searchEnvoy(resolve(REPO_ROOT, explicit), { PATH: '' }, REPO_ROOT, REPO_ROOT);
    return path ? { path } : { missing: `${BINARY_PATH_ENV}=${explicit} is not an executable file` };
  }
  const path = searchEnvoy('envoy', { PATH: [join(REPO_ROOT, '.venv/bin'), env.PATH ?? ''].join(delimiter) }, REPO_ROOT, REPO_ROOT);
  return path ? { path } : { missing: `no envoy in ${join(REPO_ROOT, '.venv/bin')} nor on PATH` };
}

/** The Envoy path; throws (so the calling test fails) when there is none. */
export function envoyBinary(): string {
  const found = findEnvoy();
  if (!found.path) throw new Error(`this test needs a real Envoy: ${found.missing}; ${INSTALL_HINT}`);
  return found.path;
}
