/** Zone authentication on KDS: a zone token of scope cp for that zone, or the zone is refused with a reason it logs. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, envoyBinary, eventually, kumactlHome, removeDir, runKuma, startGlobal, startZone, type ControlPlane } from './harness';

describe('KDS zone authentication', () => {
  let global: ControlPlane & { kdsPort: number };
  let home: string;
  const zones: ControlPlane[] = [];
  beforeAll(async () => {
    global = await startGlobal({ env: { KUMA_STORE_TYPE: 'memory' } });
    home = await kumactlHome(global);
  });
  afterAll(async () => {
    for (const cp of [global, ...zones]) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
    removeDir(home);
  });

  const token = async (zone: string, scope = 'cp') => {
    const r = await runKuma(['generate', 'zone-token', '--zone', zone, '--scope', scope, '--valid-for', '1h'], { home });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const file = join(home, `${zone}-${scope}.token`);
    writeFileSync(file, r.stdout.trim());
    return file;
  };
  const online = async (zone: string) => {
    const subs = (await api(global, 'GET', `/zones/${zone}/_overview`)).json.zoneInsight?.subscriptions ?? [];
    return subs.some((s: { disconnectTime?: string }) => !s.disconnectTime);
  };

  it('accepts a zone with a cp-scoped token for itself; the zone receives the public signing key only', async () => {
    const z = await startZone('zone-1', global.kdsPort, { args: ['--kds-auth-token-file', await token('zone-1')], env: { KUMA_STORE_TYPE: 'memory' } });
    zones.push(z);
    await eventually(async () => expect(await online('zone-1')).toBe(true));
    const secrets = await eventually(async () => {
      const names = (await api(z, 'GET', '/global-secrets')).json.items.map((s: { name: string }) => s.name);
      expect(names).toContain('zone-token-signing-public-key-1');
      return names as string[];
    });
    expect(secrets.filter((n) => n.startsWith('zone-token-signing-key'))).toEqual([]);
    const authTokenProvided = (await api(global, 'GET', '/zones/zone-1/_overview')).json.zoneInsight.subscriptions.at(-1).authTokenProvided;
    expect(authTokenProvided).toBe(true);
  });

  it('refuses a zone presenting another zone\'s token, with the reason in the zone\'s log', async () => {
    const z = await startZone('zone-2', global.kdsPort, { args: ['--kds-auth-token-file', await token('zone-1')], env: { KUMA_STORE_TYPE: 'memory' } });
    zones.push(z);
    await eventually(() => expect(z.logs()).toMatch(/the global refused this zone: invalid zone token for zone \\"zone-2\\": zone from requestor: zone-2 is different than in token: zone-1/));
    expect(await online('zone-2')).toBe(false);
  });

  it('refuses a zone without a token and tells how to get one; refuses an ingress-scoped token', async () => {
    const z = await startZone('zone-3', global.kdsPort, { env: { KUMA_STORE_TYPE: 'memory' } });
    zones.push(z);
    await eventually(() => expect(z.logs()).toMatch(/zone \\"zone-3\\" sent no zone token; generate one on the global with \\"kuma generate zone-token --zone zone-3 --scope cp/));
    const z4 = await startZone('zone-4', global.kdsPort, { args: ['--kds-auth-token-file', await token('zone-4', 'ingress')], env: { KUMA_STORE_TYPE: 'memory' } });
    zones.push(z4);
    await eventually(() => expect(z4.logs()).toMatch(/cp is out of token's scope/));
    expect(await online('zone-3')).toBe(false);
    expect(await online('zone-4')).toBe(false);
  });

  it('the global refuses data plane proxies with a clear error', async () => {
    const file = join(home, 'dp.yaml');
    writeFileSync(file, 'type: Dataplane\nmesh: default\nname: web-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: 18080\n    tags: { kuma.io/service: web }\n');
    const r = await runKuma(['dp', 'run', '--cp-address', `https://127.0.0.1:${global.dpPort}`, '--dataplane-file', file, '--dataplane-token', 'x', '--skip-verify', '--binary-path', envoyBinary()], { home, timeoutMs: 20_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/this is a global control plane: data plane proxies connect to a zone control plane/);
  });
});
