/**
 * API authentication and authorization as Kuma (spec §2.1, §5) against the
 * real binary. Every caller here is on loopback, so "localhost is admin" is
 * switched off (KUMA_API_SERVER_AUTHN_LOCALHOST_IS_ADMIN=false) after the
 * first start, which is how an operator reads the bootstrapped admin token.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, removeDir, runKuma, startCp, tempDir, type ControlPlane } from './harness';

const LOCAL_NOT_ADMIN = { KUMA_API_SERVER_AUTHN_LOCALHOST_IS_ADMIN: 'false' };
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('API authentication and authorization', () => {
  let cp: ControlPlane;
  let adminToken: string;
  let aliceToken: string;
  let home: string;
  let caFile: string;
  let httpsAgent: Agent;
  const workDir = tempDir('kuma-authn-');
  const kuma = (args: string[]) => runKuma(args, { home });
  const meshNames = async (headers: Record<string, string> = {}) => (await api(cp, 'GET', '/meshes', undefined, headers)).json.items.map((m: { name: string }) => m.name);

  beforeAll(async () => {
    // First start: localhost is admin, so the admin token can be read the way the CP's log says.
    const first = await startCp({ workDir });
    expect(first.logs()).toMatch(/To extract admin credentials execute 'curl http:\/\/localhost:\d+\/global-secrets\/admin-user-token \| jq -r \.data \| base64 -d'/);
    adminToken = Buffer.from((await api(first, 'GET', '/global-secrets/admin-user-token')).json.data, 'base64').toString();
    expect(await first.stop()).toBe(0);
    cp = await startCp({ workDir, env: LOCAL_NOT_ADMIN });
    caFile = join(workDir, 'kuma-cp.crt');
    httpsAgent = new Agent({ connect: { ca: readFileSync(caFile) } });
    home = tempDir('kuma-authn-home-');
  });
  afterAll(async () => {
    await httpsAgent?.close();
    await cp?.stop();
    removeDir(workDir);
    if (home) removeDir(home);
  });

  it('bootstraps an admin token for mesh-system:admin valid 10 years, kept across restarts', async () => {
    const c = decodeJwt(adminToken);
    expect(c).toMatchObject({ Name: 'mesh-system:admin', Groups: ['mesh-system:admin'] });
    expect(c.exp! - c.iat!).toBe(24 * 365 * 10 * 3600 + 10);
    const again = Buffer.from((await api(cp, 'GET', '/global-secrets/admin-user-token', undefined, bearer(adminToken))).json.data, 'base64').toString();
    expect(again).toBe(adminToken);
    const who = await api(cp, 'GET', '/who-am-i', undefined, bearer(adminToken));
    expect(who.json).toEqual({ name: 'mesh-system:admin', groups: ['mesh-system:admin', 'mesh-system:authenticated'] });
  });

  it('anonymous callers may read ordinary resources but not change anything nor read secrets', async () => {
    expect(await meshNames()).toEqual(['default']);
    expect((await api(cp, 'GET', '/who-am-i')).json).toEqual({ name: 'mesh-system:anonymous', groups: ['mesh-system:unauthenticated'] });
    const put = await api(cp, 'PUT', '/meshes/intruder', { type: 'Mesh', name: 'intruder' });
    expect(put.status).toBe(401);
    expect(put.json.title).toBe('Invalid authentication data');
    expect(put.json.detail).toMatch(/needs an authenticated user: send a user token as "Authorization: Bearer <token>".*kuma generate user-token --name/);
    const del = await api(cp, 'DELETE', '/meshes/default');
    expect(del.status).toBe(401);
    const token = await api(cp, 'POST', '/tokens/dataplane', { mesh: 'default', validFor: '1h' });
    expect(token.status).toBe(401);
    const secrets = await api(cp, 'GET', '/global-secrets');
    expect([secrets.status, secrets.json.title, secrets.json.detail]).toEqual([403, 'Access Denied', 'user "mesh-system:anonymous/mesh-system:unauthenticated" cannot access the resource of type "GlobalSecret"']);
    expect(await meshNames()).toEqual(['default']);
  });

  it('refuses a malformed, foreign or forged token with 401 and changes nothing', async () => {
    for (const t of ['not-a-jwt', adminToken.slice(0, -4) + 'AAAA']) {
      const r = await api(cp, 'PUT', '/meshes/forged', { type: 'Mesh', name: 'forged' }, bearer(t));
      expect([r.status, r.json.title]).toEqual([401, 'Invalid authentication data']);
    }
    // Signed offline with a key the CP does not know under kid 1.
    const key = await kuma(['generate', 'signing-key', '--format', 'pem']);
    writeFileSync(join(home, 'foreign.pem'), key.stdout);
    const foreign = await kuma(['generate', 'user-token', '--name', 'mesh-system:admin', '--group', 'mesh-system:admin', '--valid-for', '1h', '--signing-key-path', join(home, 'foreign.pem'), '--kid', '1']);
    const r = await api(cp, 'GET', '/global-secrets', undefined, bearer(foreign.stdout.trim()));
    expect([r.status, r.json.detail]).toEqual([401, 'could not parse token: crypto/rsa: verification error']);
    // The index answers whatever the token.
    expect((await api(cp, 'GET', '/', undefined, bearer('junk'))).status).toBe(200);
    expect(await meshNames()).toEqual(['default']);
  });

  it('kumactl over HTTPS with --ca-cert-file and the admin token does everything', async () => {
    const add = await kuma(['config', 'control-planes', 'add', '--name', 'secure', '--address', `https://127.0.0.1:${cp.apiHttpsPort}`, '--ca-cert-file', caFile, '--auth-type=tokens', '--auth-conf', `token=${adminToken}`]);
    expect(add).toMatchObject({ code: 0, stdout: 'added Control Plane "secure"\nswitched active Control Plane to "secure"\n' });
    const config = readFileSync(join(home, '.kumactl', 'config'), 'utf8');
    expect(config).toContain(`authConf:\n        token: ${adminToken}`);
    expect(config).toContain('authType: tokens');
    expect(config).toContain(`caCertFile: ${caFile}`);
    writeFileSync(join(home, 'mesh.yaml'), 'type: Mesh\nname: by-admin\n');
    expect(await kuma(['apply', '-f', join(home, 'mesh.yaml')])).toMatchObject({ code: 0 });
    const user = await kuma(['generate', 'user-token', '--name', 'alice', '--group', 'team-a', '--valid-for', '1h']);
    expect(user).toMatchObject({ code: 0, stderr: '' });
    aliceToken = user.stdout.trim();
    expect(decodeJwt(aliceToken)).toMatchObject({ Name: 'alice', Groups: ['team-a'] });
    writeFileSync(join(home, 'secret.yaml'), `type: Secret\nmesh: default\nname: db-password\ndata: ${b64('hunter2-very-secret')}\n`);
    expect(await kuma(['apply', '-f', join(home, 'secret.yaml')])).toMatchObject({ code: 0 });
    const table = await kuma(['get', 'secrets']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^MESH\s+NAME\s+AGE\n/);
    expect(table.stdout).toContain('db-password');
    expect(table.stdout).not.toContain(b64('hunter2-very-secret'));
  });

  it('a user token of group team-a may apply a Mesh but not read a Secret nor generate tokens', async () => {
    const put = await api(cp, 'PUT', '/meshes/team-a', { type: 'Mesh', name: 'team-a' }, bearer(aliceToken));
    expect(put.status).toBe(201);
    const secret = await api(cp, 'GET', '/meshes/default/secrets/db-password', undefined, bearer(aliceToken));
    expect([secret.status, secret.json.title, secret.json.detail]).toEqual([403, 'Access Denied', 'user "alice/team-a,mesh-system:authenticated" cannot access the resource of type "Secret"']);
    const write = await api(cp, 'PUT', '/meshes/default/secrets/mine', { type: 'Secret', mesh: 'default', name: 'mine', data: b64('x') }, bearer(aliceToken));
    expect(write.status).toBe(403);
    for (const path of ['/tokens/user', '/tokens/dataplane', '/tokens/zone']) {
      const r = await api(cp, 'POST', path, { name: 'bob', mesh: 'default', zone: 'z', scope: ['ingress'], validFor: '1h' }, bearer(aliceToken));
      expect([path, r.status, r.json.title]).toEqual([path, 403, 'Access Denied']);
    }
    expect(await meshNames()).toEqual(['by-admin', 'default', 'team-a']);
  });

  it('kumactl with a user token over HTTPS: get meshes and apply work, secrets are denied', async () => {
    const add = await kuma(['config', 'control-planes', 'add', '--name', 'alice', '--address', `https://127.0.0.1:${cp.apiHttpsPort}`, '--ca-cert-file', caFile, '--auth-type', 'tokens', '--auth-conf', `token=${aliceToken}`]);
    expect(add.code).toBe(0);
    writeFileSync(join(home, 'alice-mesh.yaml'), 'type: Mesh\nname: alice-mesh\n');
    expect(await kuma(['apply', '-f', join(home, 'alice-mesh.yaml')])).toMatchObject({ code: 0 });
    const meshes = await kuma(['get', 'meshes']);
    expect(meshes.code).toBe(0);
    expect(meshes.stdout).toMatch(/^NAME\s+mTLS/);
    expect(meshes.stdout).toContain('alice-mesh');
    const secrets = await kuma(['get', 'secrets']);
    expect(secrets.code).not.toBe(0);
    expect(secrets.stderr).toContain('Access Denied (user "alice/team-a,mesh-system:authenticated" cannot access the resource of type "Secret")');
  });

  it('HTTPS serves the same routes and pages with https next links', async () => {
    const r = await request(`https://127.0.0.1:${cp.apiHttpsPort}/meshes?size=1`, { dispatcher: httpsAgent });
    const body = (await r.body.json()) as { total: number; next: string };
    expect(r.statusCode).toBe(200);
    expect(body.total).toBe(4);
    expect(body.next).toBe(`https://127.0.0.1:${cp.apiHttpsPort}/meshes?size=1&offset=1`);
  });

  it('kumactl refuses a missing or bad CA file and an unknown auth type, writing nothing', async () => {
    const before = readFileSync(join(home, '.kumactl', 'config'), 'utf8');
    const url = `https://127.0.0.1:${cp.apiHttpsPort}`;
    const missing = await kuma(['config', 'control-planes', 'add', '--name', 'x', '--address', url, '--ca-cert-file', join(home, 'nope.crt')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/could not read the CA certificate file ".*nope\.crt" \(--ca-cert-file\)/);
    writeFileSync(join(home, 'bad.crt'), 'not a certificate');
    const bad = await kuma(['config', 'control-planes', 'add', '--name', 'x', '--address', url, '--ca-cert-file', join(home, 'bad.crt')]);
    expect(bad.stderr).toMatch(/the CA certificate file ".*bad\.crt" \(--ca-cert-file\) does not hold a PEM certificate/);
    const auth = await kuma(['config', 'control-planes', 'add', '--name', 'x', '--address', url, '--ca-cert-file', caFile, '--auth-type', 'password', '--auth-conf', 'token=t']);
    expect(auth.code).not.toBe(0);
    expect(auth.stderr).toBe('Error: authentication plugin of type "password" is not found; use --auth-type=tokens\n');
    expect(readFileSync(join(home, '.kumactl', 'config'), 'utf8')).toBe(before);
  });

  it('a revoked user token is refused on its next request', async () => {
    expect((await api(cp, 'GET', '/meshes', undefined, bearer(aliceToken))).status).toBe(200);
    const jti = String(decodeJwt(aliceToken).jti);
    const revoke = await api(cp, 'PUT', '/global-secrets/user-token-revocations', { type: 'GlobalSecret', name: 'user-token-revocations', data: b64(`someone-else,${jti}`) }, bearer(adminToken));
    expect(revoke.status).toBe(201);
    const r = await api(cp, 'GET', '/meshes', undefined, bearer(aliceToken));
    expect([r.status, r.json.title, r.json.detail]).toEqual([401, 'Invalid authentication data', 'token is revoked']);
    const put = await api(cp, 'PUT', '/meshes/after-revoke', { type: 'Mesh', name: 'after-revoke' }, bearer(aliceToken));
    expect(put.status).toBe(401);
    expect((await api(cp, 'GET', '/meshes/after-revoke')).status).toBe(404);
    expect((await api(cp, 'GET', '/meshes', undefined, bearer(adminToken))).status).toBe(200);
  });

  it('never logs secret values or tokens', () => {
    const logs = cp.logs();
    expect(logs).toContain('authentication rejected');
    for (const s of [adminToken, aliceToken, b64('hunter2-very-secret'), 'hunter2-very-secret']) expect(logs).not.toContain(s);
  });
});

describe('admin token bootstrap switched off', () => {
  it('KUMA_API_SERVER_AUTHN_TOKENS_BOOTSTRAP_ADMIN_TOKEN=false creates no admin-user-token but still a user signing key', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_API_SERVER_AUTHN_TOKENS_BOOTSTRAP_ADMIN_TOKEN: 'false' } });
    try {
      const names = (await api(cp, 'GET', '/global-secrets')).json.items.map((s: { name: string }) => s.name);
      expect(names).toContain('user-token-signing-key-1');
      expect(names).not.toContain('admin-user-token');
      expect(cp.logs()).not.toContain('bootstrap of Admin User Token');
    } finally {
      await cp.stop();
      removeDir(cp.workDir);
    }
  });
});
