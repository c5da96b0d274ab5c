import { beforeAll, describe, expect, it } from 'vitest';
import { ensureZoneSigningKey } from '../../../internal/auth/signing-key';
import { authenticateDataplane, authenticateZoneEntity, verifyZoneCpToken } from '../../../internal/auth/token-authn';
import { issueZoneToken, TokenError, type DataplaneClaims, type ZoneClaims } from '../../../internal/auth/tokens';
import type { Resource } from '../../../internal/resources/model';
import { MemoryStore } from '../../../internal/store/memory-store';

const REG = { jti: 'x', iat: 0, nbf: 0, exp: 0 };
const claims = (c: Partial<DataplaneClaims>): DataplaneClaims => ({ ...REG, Name: '', Mesh: '', Tags: {}, Type: '', Workload: '', ...c });
const zone = (c: Partial<ZoneClaims>): ZoneClaims => ({ ...REG, Zone: '', Scope: [], ...c });

const dp: Resource = {
  type: 'Dataplane',
  mesh: 'demo',
  name: 'web-01',
  version: 1,
  creationTime: '',
  modificationTime: '',
  labels: { 'kuma.io/workload': 'web' },
  spec: {
    networking: {
      address: '10.0.0.1',
      inbound: [
        { port: 80, tags: { 'kuma.io/service': 'web', version: 'v1' } },
        { port: 81, tags: { 'kuma.io/service': 'web-api', version: 'v1' } },
      ],
    },
  },
};

function refusal(f: () => void): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TokenError);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('authenticateDataplane', () => {
  it('admits what the token does not restrict, and a token matching every claim', () => {
    expect(() => authenticateDataplane(claims({}), dp)).not.toThrow();
    expect(() =>
      authenticateDataplane(claims({ Name: 'web-01', Mesh: 'demo', Type: 'dataplane', Workload: 'web', Tags: { 'kuma.io/service': ['web', 'web-api'], version: ['v1', 'v2'] } }), dp),
    ).not.toThrow();
  });

  it('refuses with Kuma texts', () => {
    expect(refusal(() => authenticateDataplane(claims({ Name: 'db-01' }), dp))).toBe('proxy name from requestor: web-01 is different than in token: db-01');
    expect(refusal(() => authenticateDataplane(claims({ Mesh: 'other' }), dp))).toBe('proxy mesh from requestor: demo is different than in token: other');
    expect(refusal(() => authenticateDataplane(claims({ Tags: { team: ['a'] } }), dp))).toBe('dataplane has no tag "team" required by the token');
    expect(refusal(() => authenticateDataplane(claims({ Tags: { 'kuma.io/service': ['web', 'db'] } }), dp))).toBe(
      'dataplane contains tag "kuma.io/service" with value "web-api" which is not allowed with this token. Allowed values in token are ["web" "db"]',
    );
    expect(refusal(() => authenticateDataplane(claims({ Workload: 'db' }), dp))).toBe('dataplane workload "web" is not allowed with this token. Allowed workload in token is "db"');
    expect(refusal(() => authenticateDataplane(claims({ Workload: 'web' }), { ...dp, labels: {} }))).toBe('dataplane has no workload label required by the token');
    expect(refusal(() => authenticateDataplane(claims({ Type: 'ingress' }), dp))).toBe('proxy type from requestor: dataplane is different than in token: ingress');
  });
});

describe('authenticateZoneEntity', () => {
  it('admits a scope in the token for its zone (or any zone when the token names none)', () => {
    expect(() => authenticateZoneEntity(zone({ Zone: 'z1', Scope: ['ingress', 'egress'] }), 'egress', 'z1')).not.toThrow();
    expect(() => authenticateZoneEntity(zone({ Scope: ['cp'] }), 'cp', 'anything')).not.toThrow();
  });

  it('refuses an out-of-scope entity or another zone', () => {
    expect(refusal(() => authenticateZoneEntity(zone({ Zone: 'z1', Scope: ['cp', 'egress'] }), 'ingress', 'z1'))).toBe(
      "token cannot be used to authenticate zone entity (ingress is out of token's scope: [cp egress])",
    );
    expect(refusal(() => authenticateZoneEntity(zone({ Zone: 'z1', Scope: ['ingress', 'egress'] }), 'cp', 'z1'))).toBe(
      "token cannot be used to authenticate zone entity (cp is out of token's scope: [ingress egress])",
    );
    expect(refusal(() => authenticateZoneEntity(zone({ Zone: 'z1', Scope: ['cp'] }), 'cp', 'z2'))).toBe('zone from requestor: z2 is different than in token: z1');
  });
});

describe('verifyZoneCpToken', () => {
  let store: MemoryStore;
  beforeAll(async () => {
    store = new MemoryStore();
    await ensureZoneSigningKey(store);
  });

  it('admits a cp token of the zone and refuses others', async () => {
    await expect(verifyZoneCpToken(store, await issueZoneToken(store, { zone: 'z1', scope: ['cp'] }, 60_000), 'z1')).resolves.toBeUndefined();
    await expect(verifyZoneCpToken(store, await issueZoneToken(store, { zone: 'z1', scope: ['ingress'] }, 60_000), 'z1')).rejects.toThrow(/cp is out of token's scope/);
    await expect(verifyZoneCpToken(store, await issueZoneToken(store, { zone: 'z1', scope: ['cp'] }, 60_000), 'z2')).rejects.toThrow('zone from requestor: z2 is different than in token: z1');
  });
});
