/**
 * Who may do what on the API: Kuma's static access rules
 * (pkg/plugins/authn/api-server/tokens/access/static.go and
 * pkg/core/resources/access; KUMA_ACCESS_STATIC_*), plus our refusal of
 * anonymous writes. Pure functions of the user and the config: a rule
 * admits a user named in `users` or a member of one of `groups`.
 *
 * - Reading ordinary resources: everyone.
 * - Writing ordinary resources: any authenticated user; anonymous gets a 401
 *   that says how to get a user token.
 * - Secrets and GlobalSecrets (read or write): `adminResources`.
 * - Generating dataplane, zone and user tokens: `generate*Token`; anonymous
 *   gets the same 401 as for writes.
 * - Config dumps, stats and clusters (`view*` rules) admit everyone by
 *   default; they are not enforced separately.
 */
import { AccessDeniedError, KumaError } from '../errors';
import { isAnonymous, userLabel, type User } from '../auth/user';
import type { CpConfig } from '../config/cp-config';

export interface AccessRule {
  users: string[];
  groups: string[];
}

export type StaticAccess = CpConfig['access']['static'];

export type TokenKind = 'dataplane' | 'zone' | 'user';

/** Anonymous tried what needs a user: 401, and the detail says how to get one. */
export class AuthenticationRequiredError extends KumaError {
  constructor(message: string) {
    super('KUMA_UNAUTHENTICATED', message);
    this.name = 'AuthenticationRequiredError';
  }
}

export function allows(rule: AccessRule, u: User): boolean {
  return rule.users.includes(u.name) || u.groups.some((g) => rule.groups.includes(g));
}

const HOW_TO_AUTHENTICATE =
  'send a user token as "Authorization: Bearer <token>" (kumactl: "kuma config control-planes add --auth-type=tokens --auth-conf token=<token>"); ' +
  'an admin generates one with "kuma generate user-token --name <name> --group <group> --valid-for 24h"';

function requireUser(u: User, what: string): void {
  if (isAnonymous(u)) throw new AuthenticationRequiredError(`${what} needs an authenticated user: ${HOW_TO_AUTHENTICATE}`);
}

/** Reading or writing a resource of `type`; `adminOnly` marks Secret and GlobalSecret. */
export function assertResourceAccess(access: StaticAccess, u: User, type: string, adminOnly: boolean, write: boolean): void {
  if (adminOnly && !allows(access.adminResources, u)) {
    throw new AccessDeniedError(`user "${userLabel(u)}" cannot access the resource of type "${type}"`);
  }
  if (write) requireUser(u, `changing a resource of type "${type}"`);
}

const TOKEN_RULE: Record<TokenKind, keyof StaticAccess> = { dataplane: 'generateDpToken', zone: 'generateZoneToken', user: 'generateUserToken' };

export function assertGenerateToken(access: StaticAccess, u: User, kind: TokenKind): void {
  requireUser(u, `generating a ${kind} token`);
  if (!allows(access[TOKEN_RULE[kind]], u)) throw new AccessDeniedError(`user "${userLabel(u)}" cannot generate a ${kind} token`);
}

