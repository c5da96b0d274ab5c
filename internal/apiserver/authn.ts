/**
 * Who a request comes from (Kuma's filter chain, spec §2.1): a local admin
 * when localhost-is-admin applies, else the user of a valid Bearer user
 * token, else anonymous. A token that does not verify is a 401 "Invalid
 * authentication data"; the reason goes to the log, never the token.
 */
import type { IncomingMessage } from 'node:http';
import { TokenError, verifyUserToken } from '../auth/tokens';
import { ADMIN_USER, ANONYMOUS_USER, authenticated, type User } from '../auth/user';
import type { Logger } from 'pino';
import type { ResourceStore } from '../store/resource-store';
import { HttpError, isLocalAdmin } from './http-util';

export interface AuthnOptions {
  store: ResourceStore;
  localhostIsAdmin: boolean;
  log: Logger;
}

/** Kuma's localhost filter sets user.Admin.Authenticated(). */
const LOCAL_ADMIN = authenticated(ADMIN_USER);
const BEARER = /^Bearer\s+(\S+)\s*$/;

export async function authenticate(req: IncomingMessage, o: AuthnOptions): Promise<User> {
  if (o.localhostIsAdmin && isLocalAdmin(req)) return LOCAL_ADMIN;
  // Other schemes (e.g. Basic for a proxy in front) pass as anonymous, as in Kuma; writes then say how to authenticate.
  const m = BEARER.exec(req.headers.authorization ?? '');
  if (!m) return ANONYMOUS_USER;
  try {
    const u = await verifyUserToken(o.store, m[1]!);
    return { name: u.name, groups: u.groups };
  } catch (e) {
    if (!(e instanceof TokenError)) throw e;
    o.log.info({ reason: e.message, remote: req.socket.remoteAddress }, 'authentication rejected');
    throw new HttpError(401, 'Invalid authentication data', e.message);
  }
}
