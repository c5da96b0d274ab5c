import { describe, expect, it } from 'vitest';
import { otelBody, parseOtelEndpoint } from '../../../internal/xds/generators/envoy/otel-access-log';

const fill = (s: string) => s.replaceAll('%KUMA_MESH%', 'default');

describe('MeshAccessLog OpenTelemetry backend parts', () => {
  it('reads endpoints as host[:port], 4317 by default', () => {
    expect(parseOtelEndpoint('otel-collector')).toEqual({ host: 'otel-collector', port: 4317 });
    expect(parseOtelEndpoint('10.0.0.1:5317')).toEqual({ host: '10.0.0.1', port: 5317 });
    for (const bad of ['', ':4317', 'host:', 'host:http', 'host:0', 'host:70000', 'a:1:2']) expect(parseOtelEndpoint(bad), bad).toBeUndefined();
  });

  it('takes protojson AnyValues (camelCase or proto names) and logs anything else as text', () => {
    expect(otelBody(undefined, '%KUMA_MESH% %START_TIME%', fill)).toEqual({ value: { $case: 'stringValue', value: 'default %START_TIME%' } });
    expect(otelBody('%KUMA_MESH%', 'unused', fill)).toEqual({ value: { $case: 'stringValue', value: 'default' } });
    expect(otelBody({ kvlist_value: { values: [{ key: '%KUMA_MESH%', value: { string_value: 'x' } }] } }, '', fill)).toEqual({
      value: { $case: 'kvlistValue', value: { values: [{ key: 'default', value: { value: { $case: 'stringValue', value: 'x' } } }] } },
    });
    expect(otelBody({ arrayValue: {} }, '', fill)).toEqual({ value: { $case: 'arrayValue', value: { values: [] } } });
    // A pair without a value, two oneof fields, an unknown field: not AnyValues.
    expect(otelBody({ kvlistValue: { values: [{ key: 'k' }] } }, '', fill)).toEqual({ value: { $case: 'stringValue', value: '{"kvlistValue":{"values":[{"key":"k"}]}}' } });
    expect(otelBody({ stringValue: 'a', arrayValue: {} }, '', fill).value?.$case).toBe('stringValue');
    expect(otelBody({ mesh: '%KUMA_MESH%' }, '', fill)).toEqual({ value: { $case: 'stringValue', value: '{"mesh":"default"}' } });
  });
});
