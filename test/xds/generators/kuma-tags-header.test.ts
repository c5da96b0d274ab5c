import { describe, expect, it } from 'vitest';
import { serializeTagSets } from '../../../internal/xds/generators/envoy/kuma-tags-header';

describe('x-kuma-tags value', () => {
  it('one &key=values& pair per key, keys sorted, the values of every inbound joined sorted and deduplicated', () => {
    expect(
      serializeTagSets([
        { 'kuma.io/service': 'web', version: 'v1' },
        { 'kuma.io/service': 'admin', version: 'v1', team: 'a' },
      ]),
    ).toBe('&kuma.io/service=admin,web&&team=a&&version=v1&');
  });

  it('a proxy without tags sends an empty value', () => {
    expect(serializeTagSets([])).toBe('');
  });
});
