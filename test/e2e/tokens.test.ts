/**
 * `kuma generate dataplane-token|zone-token|signing-key|tls-certificate`
 * against a real control plane, and the admin rule of POST /tokens/*.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, kumactlHome, removeDir, runKuma, startCp, type ControlPlane } from './harness';

describe('tokens through kumactl', () => {
  let cp: ControlPlane;
  let home: string;
  const kuma = (args: string[]) => runKuma(args, { home });
  const nowS = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    home = await kumactlHome(cp);
  });
  afterAll(async () => {
    await cp.stop();
    removeDir(cp.workDir);
    removeDir(home);
  });

  it('generate dataplane-token asks the CP and prints the JWT', async () => {
    const r = await kuma(['generate', 'dataplane-token', '--name', 'web-01', '-m', 'default', '--tag', 'kuma.io/service=web,web-api', '--proxy-type', 'dataplane', '--valid-for', '24h']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(decodeProtectedHeader(r.stdout)).toEqual({ alg: 'RS256', kid: '1', typ: 'JWT' });
    const c = decodeJwt(r.stdout);
    expect(c).toMatchObject({ Name: 'web-01', Mesh: 'default', Tags: { 'kuma.io/service': ['web', 'web-api'] }, Type: 'dataplane', Workload: '' });
    expect(c.exp! - c.iat!).toBe(86_400 + 10);
    expect(Math.abs(c.iat! + 5 - nowS())).toBeLessThan(30);
  });

  it('generate zone-token asks the CP; the default scope is the zone proxies', async () => {
    const cpToken = await kuma(['generate', 'zone-token', '--zone', 'zone-1', '--scope', 'cp', '--valid-for', '720h']);
    expect(cpToken.code).toBe(0);
    expect(decodeJwt(cpToken.stdout)).toMatchObject({ Zone: 'zone-1', Scope: ['cp'] });
    expect(decodeProtectedHeader(cpToken.stdout).kid).toBe('1');
    const proxies = await kuma(['generate', 'zone-token', '--zone', 'zone-1', '--valid-for', '1h']);
    expect(decodeJwt(proxies.stdout).Scope).toEqual(['ingress', 'egress']);
    const bad = await kuma(['generate', 'zone-token', '--zone', 'zone-1', '--scope', 'mesh', '--valid-for', '1h']);
    expect([bad.code, bad.stderr]).toEqual([1, 'Error: invalid --scope values: [mesh] (supported scopes: [cp ingress egress])\n']);
  });

  it('--valid-for is required', async () => {
    const r = await kuma(['generate', 'dataplane-token', '-m', 'default']);
    expect([r.code, r.stderr]).toEqual([1, 'Error: required flag(s) "valid-for" not set\nRun \'kuma generate dataplane-token --help\' for usage.\n']);
  });

  it('reports the CP refusal, e.g. a mesh without a signing key', async () => {
    const r = await kuma(['generate', 'dataplane-token', '-m', 'nope', '--valid-for', '1h']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: failed to generate a dataplane token: Signing Key not found \(there is no signing key with KID 1\. Secret of name "dataplane-token-signing-key-nope-1" in mesh "nope"/);
  });

  it('signs offline with a key from generate signing-key', async () => {
    const key = await kuma(['generate', 'signing-key', '--format', 'pem']);
    expect(key.stdout).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    writeFileSync(join(home, 'key.pem'), key.stdout);
    const r = await kuma(['generate', 'dataplane-token', '-m', 'default', '--valid-for', '1h', '--signing-key-path', join(home, 'key.pem'), '--kid', '2']);
    expect(r.code).toBe(0);
    expect(decodeProtectedHeader(r.stdout).kid).toBe('2');
    expect(decodeJwt(r.stdout).Mesh).toBe('default');
    const b64 = await kuma(['generate', 'signing-key']);
    expect(Buffer.from(b64.stdout, 'base64').toString()).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    const noKid = await kuma(['generate', 'zone-token', '--zone', 'z', '--valid-for', '1h', '--signing-key-path', join(home, 'key.pem')]);
    expect([noKid.code, noKid.stderr]).toEqual([1, 'Error: --kid is required when --signing-key-path is used\n']);
  });

  it('generate tls-certificate writes a key and a self-signed certificate', async () => {
    const r = await kuma(['generate', 'tls-certificate', '--type', 'server', '--hostname', 'cp.example.com,10.1.1.1', '--key-file', join(home, 'k.pem'), '--cert-file', join(home, 'c.pem')]);
    expect(r).toMatchObject({ code: 0, stdout: `Private key saved in ${join(home, 'k.pem')}\nCertificate saved in ${join(home, 'c.pem')}\n` });
    const cert = new X509Certificate(readFileSync(join(home, 'c.pem')));
    expect(cert.checkHost('cp.example.com')).toBe('cp.example.com');
    expect(cert.checkIP('10.1.1.1')).toBe('10.1.1.1');
    expect(statSync(join(home, 'k.pem')).mode & 0o077).toBe(0);
    const bad = await kuma(['generate', 'tls-certificate', '--type', 'both', '--hostname', 'x']);
    expect([bad.code, bad.stderr]).toEqual([1, 'Error: invalid certificate type "both"\n']);
  });

  it('POST /tokens/* needs admin; an anonymous caller is told how to authenticate', async () => {
    // Through a proxy header the caller is no longer "localhost is admin".
    const notAdmin = { 'x-forwarded-for': '203.0.113.7' };
    const dp = await api(cp, 'POST', '/tokens/dataplane', { mesh: 'default', validFor: '1h' }, notAdmin);
    expect(dp.status).toBe(401);
    expect(dp.json.detail).toMatch(/^generating a dataplane token needs an authenticated user: send a user token/);
    const zone = await api(cp, 'POST', '/tokens/zone', { zone: 'z', scope: ['cp'], validFor: '1h' }, notAdmin);
    expect(zone.status).toBe(401);
    const admin = await api(cp, 'POST', '/tokens/zone', { zone: 'z', scope: ['cp'], validFor: '1h' });
    expect(admin.status).toBe(200);
    expect(decodeJwt(admin.text).Zone).toBe('z');
  });

  it('generate user-token asks the CP; the token carries Name and Groups', async () => {
    const r = await kuma(['generate', 'user-token', '--name', 'john', '--group', 'team-a', '--group', 'team-b', '--valid-for', '24h']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const c = decodeJwt(r.stdout);
    expect(c).toMatchObject({ Name: 'john', Groups: ['team-a', 'team-b'] });
    expect(c.exp! - c.iat!).toBe(86_400 + 10);
    const noName = await kuma(['generate', 'user-token', '--valid-for', '1h']);
    expect(noName.code).not.toBe(0);
  });
});
