import { describe, expect, it } from 'vitest';
import { mergeConfs } from '../../../internal/xds/policies/merge';
import { MAX_RULE_TAGS, buildRules, computeConf, covers, intersects, subsetOf } from '../../../internal/xds/policies/rules';
import { targetRefOf } from '../../../internal/xds/policies/target-ref';

const mesh = { targetRef: targetRefOf({ kind: 'Mesh' }) };
const svc = (name: string) => ({ targetRef: targetRefOf({ kind: 'MeshService', name }) });
const subset = (tags: Record<string, string>) => ({ targetRef: targetRefOf({ kind: 'MeshSubset', tags }) });

describe('mergeConfs', () => {
  it('merges objects field by field, later wins, lists replaced', () => {
    expect(mergeConfs([{ a: 1, http: { x: 1, list: [1, 2] } }, { http: { y: 2, list: [3] } }, undefined, { a: 3 }])).toEqual({ a: 3, http: { x: 1, y: 2, list: [3] } });
  });
});

describe('subsets', () => {
  it('intersect unless a positive tag contradicts', () => {
    expect(intersects([], [{ key: 'a', value: '1', not: false }])).toBe(true);
    expect(intersects([{ key: 'a', value: '1', not: false }], [{ key: 'a', value: '2', not: false }])).toBe(false);
    expect(intersects([{ key: 'a', value: '1', not: false }], [{ key: 'b', value: '2', not: false }])).toBe(true);
  });

  it('an item covers a combination that has exactly its tags positive', () => {
    expect(covers([], [{ key: 'a', value: '1', not: true }])).toBe(true);
    expect(covers([{ key: 'a', value: '1', not: false }], [{ key: 'a', value: '1', not: false }])).toBe(true);
    expect(covers([{ key: 'a', value: '1', not: false }], [{ key: 'a', value: '1', not: true }])).toBe(false);
  });

  it('reads MeshService as the service tag', () => {
    expect(subsetOf(targetRefOf({ kind: 'MeshService', name: 'web' }))).toEqual([{ key: 'kuma.io/service', value: 'web', not: false }]);
    expect(subsetOf(targetRefOf({ kind: 'MeshExternalService', name: 'web' }))).toBeUndefined();
  });
});

describe('buildRules', () => {
  it('gives each client group the merge of the items covering it, in order', () => {
    const rules = buildRules([
      { ...mesh, conf: { action: 'Allow' } },
      { ...svc('legacy'), conf: { action: 'Deny' } },
      { ...subset({ env: 'dev' }), conf: { action: 'AllowWithShadowDeny' } },
    ]);
    const actionOf = (tags: Record<string, string>) => computeConf(rules, tags)?.action;
    expect(actionOf({ 'kuma.io/service': 'web' })).toBe('Allow');
    expect(actionOf({ 'kuma.io/service': 'legacy' })).toBe('Deny');
    expect(actionOf({ 'kuma.io/service': 'web', env: 'dev' })).toBe('AllowWithShadowDeny');
    // env=dev comes later than legacy, so it wins for a legacy client in dev
    expect(actionOf({ 'kuma.io/service': 'legacy', env: 'dev' })).toBe('AllowWithShadowDeny');
    // most positive tags first
    expect(rules[0]!.subset.filter((t) => !t.not).length).toBe(2);
  });

  it('leaves clients no item covers without a rule', () => {
    const rules = buildRules([{ ...svc('frontend'), conf: { action: 'Allow' } }]);
    expect(computeConf(rules, { 'kuma.io/service': 'frontend' })).toEqual({ action: 'Allow' });
    expect(computeConf(rules, { 'kuma.io/service': 'other' })).toBeUndefined();
  });

  it('keeps disjoint groups apart and refuses an explosion of tags', () => {
    const rules = buildRules([
      { ...svc('a'), conf: { action: 'Allow' } },
      { ...svc('b'), conf: { action: 'Deny' } },
    ]);
    expect(rules.map((r) => r.subset)).toEqual([[{ key: 'kuma.io/service', value: 'b', not: false }], [{ key: 'kuma.io/service', value: 'a', not: false }]]);
    const many = Array.from({ length: MAX_RULE_TAGS + 1 }, (_, i) => ({ ...subset({ [`k${i}`]: 'v' }), conf: {} }));
    expect(() => buildRules([{ ...mesh, conf: {} }, ...many])).toThrow(/exceed the limit/);
  });
});
