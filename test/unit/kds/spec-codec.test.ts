/** The per-type spec codec: Kuma's JSON form <-> Kuma's protobuf messages, and its refusals. */
import { describe, expect, it } from 'vitest';
import { decodeSpec, encodeSpec, goJson, protoDuration, specEncodingOf } from '../../../internal/kds/spec-codec';
import { registry } from '../../../internal/resources/types';

const T = (name: string) => registry.mustByName(name);

describe('spec codec', () => {
  it('gives every legacy type its Kuma message and every targetRef type JSON', () => {
    for (const d of registry.all()) {
      const e = specEncodingOf(d);
      if (d.nestedSpec) expect(e.kind, d.name).toBe('json');
      else expect(e.kind === 'proto' && e.typeUrl, d.name).toMatch(/^type\.googleapis\.com\/kuma\.(mesh|system)\.v1alpha1\.\w+$/);
    }
    expect(specEncodingOf(T('GlobalSecret'))).toMatchObject({ typeUrl: 'type.googleapis.com/kuma.system.v1alpha1.Secret' });
    expect(specEncodingOf(T('Secret'))).toMatchObject({ typeUrl: 'type.googleapis.com/kuma.system.v1alpha1.Secret' });
  });

  it('refuses a field Kuma\'s message does not have, naming its path', () => {
    expect(() => encodeSpec(T('Dataplane'), { networking: { address: '1.1.1.1', inbound: [{ port: 1, bogus: 1 }] } })).toThrow(
      'networking.inbound[0].bogus: unknown field (Kuma\'s kuma.mesh.v1alpha1.Dataplane.Networking.Inbound has no field "bogus")',
    );
  });

  it('maps Go durations, wrappers, enums, 64-bit counters and timestamps as protojson does', () => {
    const spec = {
      sources: [{ match: { 'kuma.io/service': '*' } }],
      destinations: [{ match: { 'kuma.io/service': '*' } }],
      conf: { connectTimeout: '1m30s', http: { requestTimeout: '250ms', idleTimeout: '0' } },
    };
    const back = decodeSpec(T('Timeout'), encodeSpec(T('Timeout'), spec));
    expect(back).toEqual({ ...spec, conf: { connectTimeout: '90s', http: { requestTimeout: '0.250s', idleTimeout: '0s' } } });

    const insight = { subscriptions: [{ id: '1', connectTime: '2024-01-01T00:00:00.123Z', status: { total: { responsesSent: 7 } } }] };
    expect(decodeSpec(T('DataplaneInsight'), encodeSpec(T('DataplaneInsight'), insight))).toEqual({
      subscriptions: [{ id: '1', connectTime: '2024-01-01T00:00:00.123Z', status: { total: { responsesSent: '7' } } }],
    });
    expect(decodeSpec(T('Zone'), encodeSpec(T('Zone'), { enabled: false }))).toEqual({ enabled: false });
  });

  it('refuses a spec of another type and a JSON spec that is not an object', () => {
    const mesh = encodeSpec(T('Mesh'), {});
    expect(() => decodeSpec(T('Dataplane'), mesh)).toThrow('spec has type URL "type.googleapis.com/kuma.mesh.v1alpha1.Mesh", expected "type.googleapis.com/kuma.mesh.v1alpha1.Dataplane"');
    expect(() => decodeSpec(T('MeshRetry'), { typeUrl: '', value: Buffer.from('[1]') })).toThrow('spec is not an object');
    expect(() => decodeSpec(T('MeshRetry'), { typeUrl: '', value: Buffer.from('µ') })).toThrow(/spec is not JSON/);
  });

  it('writes JSON as Go encoding/json does', () => {
    expect(goJson({ a: '<b>&' })).toBe('{"a":"\\u003cb\\u003e\\u0026"}');
    expect(protoDuration('1h2m3.5s')).toBe('3723.500s');
    expect(() => protoDuration('5x')).toThrow('"5x" is not a duration');
  });
});
