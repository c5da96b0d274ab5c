import { describe, expect, it } from 'vitest';
import type { Resource } from '../../../internal/resources/model';
import { ConnectionPolicySelector, compareRank, rankOf, selectInboundMatchingPolicies, selectorMatches } from '../../../internal/xds/policies/selectors';

function policy(name: string, sources: Record<string, string>[], destinations: Record<string, string>[], creationTime = '2024-01-01T00:00:00Z'): Resource {
  return {
    type: 'Timeout',
    mesh: 'default',
    name,
    labels: {},
    version: 1,
    creationTime,
    modificationTime: creationTime,
    spec: { sources: sources.map((match) => ({ match })), destinations: destinations.map((match) => ({ match })) },
  };
}

const WEB = [{ 'kuma.io/service': 'web', version: 'v1', 'kuma.io/zone': 'zone-1' }];

describe('tag selectors', () => {
  it('match exact values and "*" (which still needs the key)', () => {
    expect(selectorMatches({ 'kuma.io/service': 'web' }, WEB[0]!)).toBe(true);
    expect(selectorMatches({ 'kuma.io/service': '*' }, WEB[0]!)).toBe(true);
    expect(selectorMatches({ env: '*' }, WEB[0]!)).toBe(false);
    expect(selectorMatches({ 'kuma.io/service': 'web', version: 'v2' }, WEB[0]!)).toBe(false);
    expect(selectorMatches({}, WEB[0]!)).toBe(true);
  });

  it('rank exact tags before wildcards', () => {
    expect(rankOf({ a: '*', b: 'x' })).toEqual({ exact: 1, wildcard: 1 });
    expect(compareRank(rankOf({ a: 'x' }), rankOf({ a: '*', b: '*' }))).toBeGreaterThan(0);
    expect(compareRank(rankOf({ a: '*', b: '*' }), rankOf({ a: '*' }))).toBeGreaterThan(0);
  });
});

describe('ConnectionPolicySelector', () => {
  it('picks the most specific source+destination pair', () => {
    const all = policy('all', [{ 'kuma.io/service': '*' }], [{ 'kuma.io/service': '*' }]);
    const toBackend = policy('to-backend', [{ 'kuma.io/service': '*' }], [{ 'kuma.io/service': 'backend' }]);
    const webV1 = policy('web-v1', [{ 'kuma.io/service': 'web', version: 'v1' }], [{ 'kuma.io/service': '*' }]);
    const s = new ConnectionPolicySelector([all, toBackend, webV1], WEB);
    // (2 exact, 1 wildcard) from web-v1 beats (1 exact, 1 wildcard) from to-backend
    expect(s.select({ 'kuma.io/service': 'backend' })?.name).toBe('web-v1');
    expect(s.select({ 'kuma.io/service': 'other' })?.name).toBe('web-v1');
    const s2 = new ConnectionPolicySelector([all, toBackend], WEB);
    expect(s2.select({ 'kuma.io/service': 'backend' })?.name).toBe('to-backend');
    expect(s2.select({ 'kuma.io/service': 'other' })?.name).toBe('all');
  });

  it('ignores policies whose sources do not select the proxy', () => {
    const s = new ConnectionPolicySelector([policy('api-only', [{ 'kuma.io/service': 'api' }], [{ 'kuma.io/service': '*' }])], WEB);
    expect(s.empty).toBe(true);
    expect(s.select({ 'kuma.io/service': 'backend' })).toBeUndefined();
  });

  it('breaks rank ties by later creation, then by the first name', () => {
    const older = policy('b-older', [{ 'kuma.io/service': '*' }], [{ 'kuma.io/service': '*' }], '2024-01-01T00:00:00Z');
    const newer = policy('c-newer', [{ 'kuma.io/service': '*' }], [{ 'kuma.io/service': '*' }], '2024-02-01T00:00:00Z');
    const sameAsOlder = policy('a-same', [{ 'kuma.io/service': '*' }], [{ 'kuma.io/service': '*' }], '2024-01-01T00:00:00Z');
    expect(new ConnectionPolicySelector([older, newer], WEB).select({ 'kuma.io/service': 'x' })?.name).toBe('c-newer');
    expect(new ConnectionPolicySelector([older, sameAsOlder], WEB).select({ 'kuma.io/service': 'x' })?.name).toBe('a-same');
  });
});

describe('selectInboundMatchingPolicies', () => {
  it('returns every policy whose destinations match, most specific source first', () => {
    const any = policy('any', [{ 'kuma.io/service': '*' }], [{ 'kuma.io/service': 'web' }]);
    const fromApi = policy('from-api', [{ 'kuma.io/service': 'api' }], [{ 'kuma.io/service': '*' }]);
    const other = policy('other', [{ 'kuma.io/service': 'api' }], [{ 'kuma.io/service': 'other' }]);
    expect(selectInboundMatchingPolicies([any, fromApi, other], WEB[0]!).map((p) => p.name)).toEqual(['from-api', 'any']);
  });
});
