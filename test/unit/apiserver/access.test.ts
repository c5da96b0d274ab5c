/** Kuma's default static access rules (KUMA_ACCESS_STATIC_*) as pure functions of the user. */
import { describe, expect, it } from 'vitest';
import { allows, assertGenerateToken, assertResourceAccess } from '../../../internal/apiserver/access';
import { ADMIN_USER, ANONYMOUS_USER, authenticated, userLabel } from '../../../internal/auth/user';
import { defaultConfig } from '../../../internal/config/cp-config';

const access = defaultConfig().access.static;
const admin = authenticated(ADMIN_USER);
const alice = authenticated({ name: 'alice', groups: ['team-a'] });
const ops = authenticated({ name: 'ops', groups: ['mesh-system:admin'] });

const outcome = (fn: () => void) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    const err = e as { code: string; message: string };
    return `${err.code}: ${err.message}`;
  }
};

describe('access rules', () => {
  it('a rule admits a listed user or a member of a listed group', () => {
    expect(allows({ users: ['bob'], groups: [] }, { name: 'bob', groups: [] })).toBe(true);
    expect(allows({ users: [], groups: ['team-a'] }, alice)).toBe(true);
    expect(allows({ users: ['bob'], groups: ['team-b'] }, alice)).toBe(false);
  });

  it('everyone reads ordinary resources; only authenticated users write them', () => {
    for (const u of [admin, alice, ANONYMOUS_USER]) expect(outcome(() => assertResourceAccess(access, u, 'Mesh', false, false))).toBe('ok');
    expect(outcome(() => assertResourceAccess(access, alice, 'Mesh', false, true))).toBe('ok');
    expect(outcome(() => assertResourceAccess(access, ANONYMOUS_USER, 'Mesh', false, true))).toMatch(/^KUMA_UNAUTHENTICATED: changing a resource of type "Mesh" needs an authenticated user: send a user token/);
  });

  it('Secrets and GlobalSecrets are for mesh-system:admin only, read or write', () => {
    for (const write of [false, true]) {
      expect(outcome(() => assertResourceAccess(access, admin, 'Secret', true, write))).toBe('ok');
      expect(outcome(() => assertResourceAccess(access, ops, 'GlobalSecret', true, write))).toBe('ok');
      expect(outcome(() => assertResourceAccess(access, alice, 'Secret', true, write))).toBe('KUMA_ACCESS_DENIED: user "alice/team-a,mesh-system:authenticated" cannot access the resource of type "Secret"');
      expect(outcome(() => assertResourceAccess(access, ANONYMOUS_USER, 'GlobalSecret', true, write))).toBe(
        'KUMA_ACCESS_DENIED: user "mesh-system:anonymous/mesh-system:unauthenticated" cannot access the resource of type "GlobalSecret"',
      );
    }
  });

  it('token generation: admin yes, other users 403, anonymous 401', () => {
    for (const kind of ['dataplane', 'zone', 'user'] as const) {
      expect(outcome(() => assertGenerateToken(access, admin, kind))).toBe('ok');
      expect(outcome(() => assertGenerateToken(access, alice, kind))).toBe(`KUMA_ACCESS_DENIED: user "alice/team-a,mesh-system:authenticated" cannot generate a ${kind} token`);
      expect(outcome(() => assertGenerateToken(access, ANONYMOUS_USER, kind))).toMatch(new RegExp(`^KUMA_UNAUTHENTICATED: generating a ${kind} token needs an authenticated user`));
    }
  });

  it('rules follow the config: a group given generateDpToken may generate dataplane tokens only', () => {
    const custom = { ...access, generateDpToken: { users: [], groups: ['team-a'] } };
    expect(outcome(() => assertGenerateToken(custom, alice, 'dataplane'))).toBe('ok');
    expect(outcome(() => assertGenerateToken(custom, alice, 'zone'))).toMatch(/^KUMA_ACCESS_DENIED/);
  });

  it('prints users as Kuma does', () => {
    expect(userLabel(ANONYMOUS_USER)).toBe('mesh-system:anonymous/mesh-system:unauthenticated');
    expect(userLabel(admin)).toBe('mesh-system:admin/mesh-system:admin,mesh-system:authenticated');
    expect(authenticated(alice)).toBe(alice);
  });
});
