/** Who a request is from: localhost admin (when on), a valid user token's user, else anonymous; bad tokens are 401. */
import type { IncomingMessage } from 'node:http';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../../internal/apiserver/authn';
import { HttpError } from '../../../internal/apiserver/http-util';
import { ensureUserSigningKey } from '../../../internal/auth/signing-key';
import { issueUserToken } from '../../../internal/auth/tokens';
import { MemoryStore } from '../../../internal/store/memory-store';

const req = (remoteAddress: string, headers: Record<string, string> = {}) => ({ socket: { remoteAddress }, headers: { host: '127.0.0.1:5681', ...headers } }) as unknown as IncomingMessage;

describe('request authentication', () => {
  const store = new MemoryStore();
  const log = pino({ level: 'silent' });
  let token: string;
  beforeAll(async () => {
    await ensureUserSigningKey(store);
    token = await issueUserToken(store, { name: 'alice', groups: ['team-a'] }, 3_600_000);
  });

  it('localhost is admin when enabled, whatever the token says', async () => {
    const o = { store, localhostIsAdmin: true, log };
    expect(await authenticate(req('127.0.0.1', { authorization: 'Bearer junk' }), o)).toEqual({ name: 'mesh-system:admin', groups: ['mesh-system:admin', 'mesh-system:authenticated'] });
    expect((await authenticate(req('127.0.0.1', { 'x-forwarded-for': '203.0.113.1' }), o)).name).toBe('mesh-system:anonymous');
    expect((await authenticate(req('10.0.0.7'), o)).name).toBe('mesh-system:anonymous');
  });

  it('otherwise a Bearer user token names the user; no header is anonymous', async () => {
    const o = { store, localhostIsAdmin: false, log };
    expect(await authenticate(req('127.0.0.1', { authorization: `Bearer ${token}` }), o)).toEqual({ name: 'alice', groups: ['team-a', 'mesh-system:authenticated'] });
    expect(await authenticate(req('127.0.0.1'), o)).toEqual({ name: 'mesh-system:anonymous', groups: ['mesh-system:unauthenticated'] });
    expect((await authenticate(req('127.0.0.1', { authorization: `Basic ${token}` }), o)).name).toBe('mesh-system:anonymous');
  });

  it('a bad Bearer token is 401 Invalid authentication data', async () => {
    const o = { store, localhostIsAdmin: false, log };
    for (const h of ['Bearer not-a-jwt', `Bearer ${token.slice(0, -3)}abc`]) {
      const e = await authenticate(req('10.0.0.7', { authorization: h }), o).catch((x) => x);
      expect(e).toBeInstanceOf(HttpError);
      expect([e.status, e.title]).toEqual([401, 'Invalid authentication data']);
    }
  });
});
