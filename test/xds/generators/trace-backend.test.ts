import { describe, expect, it } from 'vitest';
import { traceBackend } from '../../../internal/xds/generators/envoy/trace-backend';

const conf = (backend: unknown) => ({ backends: [backend] });

describe('MeshTrace backends as Envoy collectors', () => {
  it('reads a Zipkin URL as Go does: host header, path, scheme default ports, TLS for https', () => {
    expect(traceBackend(conf({ type: 'Zipkin', zipkin: { url: 'http://jaeger:9411/api/v2/spans' } }))).toMatchObject({
      cluster: 'meshtrace:zipkin',
      collector: { host: 'jaeger', port: 9411, tls: false },
      path: '/api/v2/spans',
      hostHeader: 'jaeger:9411',
      proto: false,
      sharedSpanContext: true,
      traceId128bit: false,
    });
    expect(traceBackend(conf({ type: 'Zipkin', zipkin: { url: 'https://zipkin.example.com/api/v2/spans', apiVersion: 'httpProto', sharedSpanContext: false } }))).toMatchObject({
      collector: { host: 'zipkin.example.com', port: 443, tls: true },
      proto: true,
      sharedSpanContext: false,
    });
    // govalidator.IsURL lets a URL without a scheme through; it is read as http.
    expect(traceBackend(conf({ type: 'Zipkin', zipkin: { url: 'zipkin/api/v2/spans' } }))).toMatchObject({ collector: { host: 'zipkin', port: 80 }, path: '/api/v2/spans' });
    expect(traceBackend(conf({ type: 'Zipkin', zipkin: { url: 'http://[::1]:9411/api/v2/spans' } }))).toMatchObject({ collector: { host: '::1', port: 9411 } });
  });

  it('OpenTelemetry: host[:port] is OTLP/gRPC over HTTP/2 (port 4317 by default), a URL is OTLP/HTTP', () => {
    expect(traceBackend(conf({ type: 'OpenTelemetry', openTelemetry: { endpoint: 'otel' } }))).toEqual({
      type: 'OpenTelemetry',
      cluster: 'meshtrace:opentelemetry',
      collector: { host: 'otel', port: 4317, tls: false, http2: true },
    });
    expect(traceBackend(conf({ type: 'OpenTelemetry', openTelemetry: { endpoint: 'http://otel:4318/v1/traces' } }))).toEqual({
      type: 'OpenTelemetry',
      cluster: 'meshtrace:opentelemetry',
      collector: { host: 'otel', port: 4318, tls: false, http2: false },
      httpUri: 'http://otel:4318/v1/traces',
    });
  });

  it('Datadog: the agent host and port', () => {
    expect(traceBackend(conf({ type: 'Datadog', datadog: { url: 'http://127.0.0.1:8126', splitService: true } }))).toEqual({
      type: 'Datadog',
      cluster: 'meshtrace:datadog',
      collector: { host: '127.0.0.1', port: 8126, tls: false, http2: false },
      splitService: true,
    });
  });

  it('no backend, no tracing', () => {
    expect(traceBackend(undefined)).toBeUndefined();
    expect(traceBackend({ backends: [] })).toBeUndefined();
    expect(traceBackend({ sampling: { overall: 5 } })).toBeUndefined();
  });
});
