/** API authn, HTTPS and access keys: Kuma's env names, defaults and list values. */
import { describe, expect, it } from 'vitest';
import { envKeys, loadConfig } from '../../../internal/config/cp-config';

describe('API authentication config', () => {
  it('has Kuma defaults: localhost is admin, admin token bootstrap, HTTPS on 5682, static access', () => {
    const c = loadConfig({ env: { HOME: '/tmp/x' } });
    expect(c.apiServer.authn).toEqual({ type: 'tokens', localhostIsAdmin: true, tokens: { bootstrapAdminToken: true } });
    expect(c.apiServer.https).toEqual({ enabled: true, interface: '0.0.0.0', port: 5682, tlsCertFile: '', tlsKeyFile: '' });
    expect(c.access.static.adminResources).toEqual({ users: ['mesh-system:admin'], groups: ['mesh-system:admin'] });
    expect(c.access.static.viewConfigDump.groups).toEqual(['mesh-system:unauthenticated', 'mesh-system:authenticated']);
  });

  it('reads Kuma env names; lists are comma-separated', () => {
    const names = envKeys().map(([n]) => n);
    for (const n of ['KUMA_API_SERVER_AUTHN_LOCALHOST_IS_ADMIN', 'KUMA_API_SERVER_AUTHN_TOKENS_BOOTSTRAP_ADMIN_TOKEN', 'KUMA_API_SERVER_HTTPS_ENABLED', 'KUMA_API_SERVER_HTTPS_PORT', 'KUMA_API_SERVER_HTTPS_INTERFACE', 'KUMA_API_SERVER_HTTPS_TLS_CERT_FILE', 'KUMA_API_SERVER_HTTPS_TLS_KEY_FILE', 'KUMA_ACCESS_STATIC_ADMIN_RESOURCES_USERS', 'KUMA_ACCESS_STATIC_GENERATE_DP_TOKEN_GROUPS']) {
      expect(names).toContain(n);
    }
    const c = loadConfig({ env: { HOME: '/tmp/x', KUMA_API_SERVER_AUTHN_LOCALHOST_IS_ADMIN: 'false', KUMA_ACCESS_STATIC_GENERATE_DP_TOKEN_GROUPS: 'mesh-system:admin, ci ,', KUMA_API_SERVER_HTTPS_PORT: '6682' } });
    expect(c.apiServer.authn.localhostIsAdmin).toBe(false);
    expect(c.access.static.generateDpToken.groups).toEqual(['mesh-system:admin', 'ci']);
    expect(c.apiServer.https.port).toBe(6682);
  });

  it('refuses half a TLS pair, missing files and unknown authn or access types, naming the key', () => {
    expect(() => loadConfig({ env: { HOME: '/tmp/x', KUMA_API_SERVER_HTTPS_TLS_CERT_FILE: '/nope.crt' } })).toThrow(/set both tlsCertFile and tlsKeyFile or neither/);
    expect(() => loadConfig({ env: { HOME: '/tmp/x', KUMA_API_SERVER_HTTPS_TLS_CERT_FILE: '/nope.crt', KUMA_API_SERVER_HTTPS_TLS_KEY_FILE: '/nope.key' } })).toThrow(/the file \/nope\.crt does not exist/);
    expect(() => loadConfig({ env: { HOME: '/tmp/x', KUMA_API_SERVER_AUTHN_TYPE: 'adminClientCerts' } })).toThrow(/apiServer\.authn\.type: "adminClientCerts" is not supported; use tokens/);
    expect(() => loadConfig({ env: { HOME: '/tmp/x', KUMA_ACCESS_TYPE: 'rbac' } })).toThrow(/access\.type: "rbac" is not supported/);
  });
});
