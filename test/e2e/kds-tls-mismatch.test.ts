/**
 * TLS/plaintext mix-ups and an unverifiable certificate on KDS: the zone CP
 * names the mistake and its fix in one error-level line, once, while it
 * keeps retrying. The global names a plaintext client on its TLS port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, removeDir, startCp, startGlobal, startZone, type ControlPlane } from './harness';

type LogLine = { level: number; msg: string };
const errors = (cp: ControlPlane): LogLine[] =>
  cp
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.level === 50);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const env = { KUMA_STORE_TYPE: 'memory' };

describe('KDS TLS mismatches are named on the zone', () => {
  let tlsGlobal: ControlPlane & { kdsPort: number };
  let plainGlobal: ControlPlane & { kdsPort: number };
  const cps: ControlPlane[] = [];
  beforeAll(async () => {
    [tlsGlobal, plainGlobal] = await Promise.all([
      startGlobal({ env, args: ['--kds-auth=none'] }),
      startGlobal({ env: { ...env, KUMA_MULTIZONE_GLOBAL_KDS_TLS_ENABLED: 'false' }, args: ['--kds-auth=none'] }),
    ]);
    cps.push(tlsGlobal, plainGlobal);
  });
  afterAll(async () => {
    for (const cp of cps) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
  });

  it('grpc:// to a TLS global: "speaks TLS; use grpcs://", once', async () => {
    const target = `127.0.0.1:${tlsGlobal.kdsPort}`;
    const z = await startCp({ env, args: ['--mode=zone', '--zone', 'plain-dialer', '--kds-global-address', `grpc://${target}`] });
    cps.push(z);
    await eventually(() => expect(errors(z).map((l) => l.msg)).toEqual([expect.stringContaining(`the global's KDS port speaks TLS; use grpcs://${target} in KUMA_MULTIZONE_ZONE_GLOBAL_ADDRESS`)]), 15_000);
    await sleep(4_000);
    expect(errors(z)).toHaveLength(1);
    // The global names it too, once per client address.
    expect(errors(tlsGlobal).map((l) => l.msg)).toEqual([`a client at 127.0.0.1 spoke plaintext to the TLS KDS port ${tlsGlobal.kdsPort}: a zone CP must dial it with grpcs://HOST:${tlsGlobal.kdsPort} in KUMA_MULTIZONE_ZONE_GLOBAL_ADDRESS (or turn TLS off here with KUMA_MULTIZONE_GLOBAL_KDS_TLS_ENABLED=false)`]);
  }, 40_000);

  it('grpcs:// to a plaintext global: "speaks plaintext, not TLS; use grpc://", once', async () => {
    const target = `127.0.0.1:${plainGlobal.kdsPort}`;
    const z = await startZone('tls-dialer', plainGlobal.kdsPort, { env });
    cps.push(z);
    await eventually(() => expect(errors(z).map((l) => l.msg)).toEqual([expect.stringContaining(`speaks plaintext, not TLS; use grpc://${target} in KUMA_MULTIZONE_ZONE_GLOBAL_ADDRESS`)]), 15_000);
    await sleep(4_000);
    expect(errors(z)).toHaveLength(1);
  }, 40_000);

  it('a certificate the zone cannot verify names the CA setting', async () => {
    const z = await startZone('strict-dialer', tlsGlobal.kdsPort, { env: { ...env, KUMA_MULTIZONE_ZONE_KDS_TLS_SKIP_VERIFY: 'false' } });
    cps.push(z);
    await eventually(() => expect(errors(z).map((l) => l.msg)).toEqual([expect.stringMatching(/KDS certificate at 127\.0\.0\.1:\d+ failed verification \(.+\): set KUMA_MULTIZONE_ZONE_KDS_ROOT_CA_FILE/)]), 15_000);
  }, 40_000);
});
