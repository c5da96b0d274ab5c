/**
 * Token revocation as Kuma keeps it (pkg/core/tokens/revocations.go): a
 * (Global)Secret whose data is a comma-separated list of token ids (jti).
 * A revoked token is refused on its next use: a proxy's ADS stream when its
 * Envoy reconnects (real `kuma dp run`, real Envoy), a zone CP's KDS stream
 * when it reconnects to the global.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { api, envoyBinary, eventually, freePort, kumactlHome, removeDir, runKuma, spawnKuma, startCp, startGlobal, startZone, waitEnvoyReady, type ControlPlane, type Proc } from './harness';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const jtiOf = (file: string) => String(decodeJwt(readFileSync(file, 'utf8').trim()).jti);

describe('dataplane token revocation on real Envoy', () => {
  const procs: Proc[] = [];
  let cp: ControlPlane;
  let home: string;
  afterAll(async () => {
    for (const p of procs) await p.stop('SIGKILL');
    await cp?.stop();
    if (cp) removeDir(cp.workDir);
    if (home) removeDir(home);
  });

  it('a proxy whose token is revoked is refused on its next ADS connection, with "token is revoked"', async () => {
    const bin = envoyBinary();
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    home = await kumactlHome(cp);
    const tok = await runKuma(['generate', 'dataplane-token', '--mesh', 'default', '--name', 'web-1', '--valid-for', '1h'], { home });
    expect(tok.code, tok.stderr).toBe(0);
    const tokenFile = join(home, 'web-1.token');
    writeFileSync(tokenFile, tok.stdout.trim());
    const inbound = await freePort();
    const admin = await freePort();
    const file = join(home, 'web-1.yaml');
    writeFileSync(file, `type: Dataplane\nmesh: default\nname: web-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: ${inbound}\n    servicePort: ${await freePort()}\n    tags: { kuma.io/service: web }\n`);
    const dp = spawnKuma(
      ['dp', 'run', '--cp-address', `https://127.0.0.1:${cp.dpPort}`, '--dataplane-file', file, '--dataplane-token-file', tokenFile, '--ca-cert-file', join(cp.workDir, 'kuma-cp.crt'), '--binary-path', bin, '--admin-port', String(admin), '--concurrency', '1', '--drain-time', '1s'],
      { home },
    );
    procs.push(dp);
    await waitEnvoyReady(admin);
    await eventually(async () => expect(await (await fetch(`http://127.0.0.1:${admin}/listeners`)).text()).toContain(`inbound:127.0.0.1:${inbound}`));

    const revoke = await api(cp, 'PUT', '/meshes/default/secrets/dataplane-token-revocations-default', { type: 'Secret', mesh: 'default', name: 'dataplane-token-revocations-default', data: b64(`${jtiOf(tokenFile)}\n`) });
    expect(revoke.status).toBe(201);
    // Envoy dies; kuma dp run restarts it, and the new Envoy's ADS stream must authenticate again.
    const envoyPids = execFileSync('pgrep', ['-P', String(dp.proc.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    expect(envoyPids.length).toBeGreaterThan(0);
    for (const pid of envoyPids) process.kill(Number(pid), 'SIGKILL');
    await eventually(() => expect(cp.logs()).toMatch(/"node":"default\.web-1","code":"UNAUTHENTICATED","reason":"token is revoked"/), 30_000, 200);
    // Envoy logs the gRPC status message percent-encoded.
    await eventually(() => expect(dp.logs()).toMatch(/config stream to ads_cluster closed: 16, token%20is%20revoked/), 30_000, 200);
    const listeners = await fetch(`http://127.0.0.1:${admin}/listeners`).then((r) => r.text(), () => '');
    expect(listeners).not.toContain(`inbound:127.0.0.1:${inbound}`);
  });
});

describe('zone token revocation on KDS', () => {
  let global: ControlPlane & { kdsPort: number };
  let home: string;
  const zones: ControlPlane[] = [];
  afterAll(async () => {
    for (const cp of [...zones, global]) {
      if (!cp) continue;
      await cp.kill9();
      removeDir(cp.workDir);
    }
    if (home) removeDir(home);
  });
  const online = async (zone: string) => {
    const subs = (await api(global, 'GET', `/zones/${zone}/_overview`)).json.zoneInsight?.subscriptions ?? [];
    return subs.some((s: { disconnectTime?: string }) => !s.disconnectTime);
  };

  it('a zone CP whose zone token is revoked is refused on its next KDS connection', async () => {
    global = await startGlobal({ env: { KUMA_STORE_TYPE: 'memory' } });
    home = await kumactlHome(global);
    const tok = await runKuma(['generate', 'zone-token', '--zone', 'zone-r', '--scope', 'cp', '--valid-for', '1h'], { home });
    expect(tok.code, tok.stderr).toBe(0);
    const tokenFile = join(home, 'zone-r.token');
    writeFileSync(tokenFile, tok.stdout.trim());
    const first = await startZone('zone-r', global.kdsPort, { args: ['--kds-auth-token-file', tokenFile], env: { KUMA_STORE_TYPE: 'memory' } });
    zones.push(first);
    await eventually(async () => expect(await online('zone-r')).toBe(true));

    const revoke = await api(global, 'PUT', '/global-secrets/zone-token-revocations', { type: 'GlobalSecret', name: 'zone-token-revocations', data: b64(jtiOf(tokenFile)) });
    expect(revoke.status).toBe(201);
    await first.kill9();
    await eventually(async () => expect(await online('zone-r')).toBe(false));
    const again = await startZone('zone-r', global.kdsPort, { args: ['--kds-auth-token-file', tokenFile], env: { KUMA_STORE_TYPE: 'memory' } });
    zones.push(again);
    await eventually(() => expect(again.logs()).toMatch(/the global refused this zone: invalid zone token for zone \\"zone-r\\": token is revoked/), 15_000, 100);
    expect(await online('zone-r')).toBe(false);
  });
});

describe('zone proxy token revocation through a federated zone', () => {
  const procs: Proc[] = [];
  let global: ControlPlane & { kdsPort: number };
  let zone: ControlPlane;
  let home: string;
  afterAll(async () => {
    for (const p of procs) await p.stop('SIGKILL');
    for (const cp of [zone, global]) {
      if (!cp) continue;
      await cp.kill9();
      removeDir(cp.workDir);
    }
    if (home) removeDir(home);
  });

  it('zone-token-revocations made on the global reaches the zone, which refuses the revoked ingress token', async () => {
    const bin = envoyBinary();
    global = await startGlobal({ env: { KUMA_STORE_TYPE: 'memory' } });
    home = await kumactlHome(global);
    const cpTok = await runKuma(['generate', 'zone-token', '--zone', 'zone-v', '--scope', 'cp', '--valid-for', '1h'], { home });
    expect(cpTok.code, cpTok.stderr).toBe(0);
    const cpTokenFile = join(home, 'zone-v-cp.token');
    writeFileSync(cpTokenFile, cpTok.stdout.trim());
    const inTok = await runKuma(['generate', 'zone-token', '--zone', 'zone-v', '--scope', 'ingress', '--valid-for', '1h'], { home });
    expect(inTok.code, inTok.stderr).toBe(0);
    const ingressTokenFile = join(home, 'zone-v-ingress.token');
    writeFileSync(ingressTokenFile, inTok.stdout.trim());
    zone = await startZone('zone-v', global.kdsPort, { args: ['--kds-auth-token-file', cpTokenFile], env: { KUMA_STORE_TYPE: 'memory' } });

    const port = await freePort();
    const admin = await freePort();
    const file = join(home, 'ingress-v.yaml');
    writeFileSync(file, `type: ZoneIngress\nname: ingress-v\nnetworking:\n  address: 127.0.0.1\n  port: ${port}\n  advertisedAddress: 127.0.0.1\n  advertisedPort: ${port}\n`);
    const ingress = spawnKuma(
      ['ingress', 'run', '--cp-address', `https://127.0.0.1:${zone.dpPort}`, '--dataplane-file', file, '--dataplane-token-file', ingressTokenFile, '--ca-cert-file', join(zone.workDir, 'kuma-cp.crt'), '--binary-path', bin, '--admin-port', String(admin), '--concurrency', '1', '--drain-time', '1s'],
      { home },
    );
    procs.push(ingress);
    await eventually(async () => expect((await api(zone, 'GET', '/zone-ingresses/ingress-v')).status).toBe(200), 20_000, 200);

    const revoke = await api(global, 'PUT', '/global-secrets/zone-token-revocations', { type: 'GlobalSecret', name: 'zone-token-revocations', data: b64(jtiOf(ingressTokenFile)) });
    expect(revoke.status).toBe(201);
    await eventually(async () => expect((await api(zone, 'GET', '/global-secrets/zone-token-revocations')).json?.data).toBe(b64(jtiOf(ingressTokenFile))), 15_000, 200);
    const envoyPids = execFileSync('pgrep', ['-P', String(ingress.proc.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    expect(envoyPids.length).toBeGreaterThan(0);
    for (const pid of envoyPids) process.kill(Number(pid), 'SIGKILL');
    await eventually(() => expect(zone.logs()).toMatch(/token is revoked/), 30_000, 200);
    await eventually(() => expect(ingress.logs()).toMatch(/token%20is%20revoked/), 30_000, 200);
  });
});
