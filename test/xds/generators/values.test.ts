import { describe, expect, it } from 'vitest';
import { HTTP_RETRY_ON_DEFAULT, legacyRetryPolicy, meshHttpRetryPolicy } from '../../../internal/xds/generators/envoy/retries';
import { destinationClusterName, sniFromTags, statName } from '../../../internal/xds/generators/envoy/names';
import { duration, field, msAt } from '../../../internal/xds/generators/envoy/values';

describe('policy values', () => {
  it('reads camelCase and snake_case fields', () => {
    expect(field({ connectTimeout: '1s' }, 'connectTimeout')).toBe('1s');
    expect(field({ connect_timeout: '2s' }, 'connectTimeout')).toBe('2s');
    expect(msAt({ t: '1h30m' }, 't')).toBe(5_400_000);
    expect(msAt({ t: '0.5s' }, 't')).toBe(500);
    expect(msAt({ t: 'soon' }, 't')).toBeUndefined();
  });

  it('builds protobuf durations without losing sub-second precision', () => {
    expect(duration(0)).toEqual({ seconds: '0', nanos: 0 });
    expect(duration(1500)).toEqual({ seconds: '1', nanos: 500_000_000 });
    expect(duration(0.25)).toEqual({ seconds: '0', nanos: 250_000 });
  });
});

describe('names', () => {
  it('follow Kuma', () => {
    expect(statName('inbound:192.168.0.1:80')).toBe('inbound_192_168_0_1_80');
    expect(destinationClusterName({ 'kuma.io/service': 'backend' })).toBe('backend');
    expect(destinationClusterName({ 'kuma.io/service': 'backend', version: 'v1' })).toMatch(/^backend-[0-9a-f]{16}$/);
    expect(destinationClusterName({ version: 'v1', 'kuma.io/service': 'backend' })).toBe(destinationClusterName({ 'kuma.io/service': 'backend', version: 'v1' }));
    expect(sniFromTags({ 'kuma.io/service': 'backend' }, 'm1')).toBe('backend{mesh=m1}');
    expect(sniFromTags({ 'kuma.io/service': 'backend', version: 'v2', 'kuma.io/zone': 'z' }, 'm1')).toBe('backend{kuma.io/zone=z,mesh=m1,version=v2}');
  });
});

describe('retry policies', () => {
  it('maps MeshRetry retryOn to Envoy conditions, status codes and methods', () => {
    const p = meshHttpRetryPolicy({ retryOn: ['GatewayError', '503', 'HttpMethodPOST'] })!;
    expect(p.retryOn).toBe('gateway-error,retriable-status-codes');
    expect(p.retriableStatusCodes).toEqual([503]);
    expect(p.retriableRequestHeaders).toEqual([{ name: ':method', headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'exact', value: 'POST' } } } }]);
  });

  it('keeps Kuma defaults, and numRetries 0 means no retry policy at all', () => {
    expect(meshHttpRetryPolicy({ numRetries: 2 })).toEqual({ retryOn: HTTP_RETRY_ON_DEFAULT, numRetries: 2 });
    expect(meshHttpRetryPolicy({ numRetries: 0 })).toBeUndefined();
    expect(meshHttpRetryPolicy({ backOff: { maxInterval: '1s' } })!.retryBackOff).toEqual({ baseInterval: { seconds: '0', nanos: 25_000_000 }, maxInterval: { seconds: '1', nanos: 0 } });
  });

  it('maps legacy snake_case retryOn', () => {
    expect(legacyRetryPolicy({ retryOn: ['all_5xx', 'retriable_4xx'] }, false)!.retryOn).toBe('5xx,retriable-4xx');
    expect(legacyRetryPolicy({ retryOn: ['deadline_exceeded'] }, true)!.retryOn).toBe('deadline-exceeded');
  });
});
