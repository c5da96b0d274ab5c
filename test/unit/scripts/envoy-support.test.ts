/** The one Envoy lookup of the tests (test/support/envoy.ts). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, findEnvoy } from '../../support/envoy';

describe('findEnvoy', () => {
  it('takes KUMA_DATAPLANE_RUNTIME_BINARY_PATH and never falls back when it is wrong', () => {
    expect(findEnvoy({ KUMA_DATAPLANE_RUNTIME_BINARY_PATH: '/no/such/envoy', PATH: '/usr/bin' })).toEqual({
      missing: 'KUMA_DATAPLANE_RUNTIME_BINARY_PATH=/no/such/envoy is not an executable file',
    });
  });

  it('else the project install in .venv/bin', () => {
    expect(findEnvoy({ PATH: '' }).path).toBe(join(REPO_ROOT, '.venv/bin/envoy'));
  });
});
