/** What kumactl sends and trusts from its config: the Bearer user token and the CA file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorizationHeader, readCaCertFile } from '../../../internal/cli/api-client';
import { generateServerCert } from '../../../internal/tls/self-signed';

describe('kumactl API credentials', () => {
  it('sends the token of authType tokens as a Bearer header, nothing without an auth type', () => {
    expect(authorizationHeader({ url: 'https://cp:5682', authType: 'tokens', authConf: { token: 'eyJ' } })).toBe('Bearer eyJ');
    expect(authorizationHeader({ url: 'http://cp:5681' })).toBeUndefined();
  });

  it('refuses an unknown auth type or a tokens auth without a token, naming the fix', () => {
    expect(() => authorizationHeader({ url: 'x', authType: 'password' })).toThrow('authentication plugin of type "password" is not found; the supported auth type is "tokens"');
    expect(() => authorizationHeader({ url: 'x', authType: 'tokens', authConf: {} })).toThrow('authType "tokens" needs authConf.token in the kumactl config; add it with --auth-conf token=YOUR_TOKEN');
  });

  it('reads a PEM CA file and refuses a missing or non-certificate one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kuma-ca-'));
    const { certPem } = await generateServerCert({ hostnames: ['localhost'] });
    writeFileSync(join(dir, 'ca.crt'), certPem);
    writeFileSync(join(dir, 'bad.crt'), 'hello');
    expect(readCaCertFile(join(dir, 'ca.crt')).toString()).toBe(certPem);
    expect(() => readCaCertFile(join(dir, 'nope.crt'))).toThrow(/could not read the CA certificate file ".*nope\.crt" \(--ca-cert-file\)/);
    expect(() => readCaCertFile(join(dir, 'bad.crt'))).toThrow(/does not hold a PEM certificate/);
  });
});
