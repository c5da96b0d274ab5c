/** What our KDS ends tell a real Kuma 2.14 peer, and the limits they keep (kuma-wire/kds-wire.md §1, §4). */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../internal/config/cp-config';
import { grpcClientOptions, grpcServerOptions } from '../../../internal/kds/grpc-options';
import { featuresOf, nodeMetadata, setZoneHeaders } from '../../../internal/kds/node-metadata';
import { mapForZone } from '../../../internal/kds/mappers';
import { registry } from '../../../internal/resources/types';

const KUMA_SERVER_MIN_PING_MS = 15_000; // Kuma global: EnforcementPolicy MinTime 15 s
const MIB10 = 10 * 1024 * 1024;

describe('KDS towards Kuma 2.14', () => {
  it('the zone pings no more often than a Kuma global allows, with Kuma\'s limits and gzip', () => {
    const o = grpcClientOptions(MIB10, 'kds/2.14.0');
    expect(o['grpc.keepalive_time_ms']).toBeGreaterThanOrEqual(KUMA_SERVER_MIN_PING_MS);
    expect(o['grpc.keepalive_timeout_ms']).toBe(15_000);
    expect(o['grpc.keepalive_permit_without_calls']).toBe(1);
    expect(o['grpc.max_send_message_length']).toBe(MIB10);
    expect(o['grpc.max_receive_message_length']).toBe(MIB10);
    expect(o['grpc.default_compression_algorithm']).toBe(2); // gzip
    expect(o['grpc.primary_user_agent']).toBe('kds/2.14.0');
  });

  it('the global keeps pinging zones itself and sets no minimum on theirs', () => {
    const o = grpcServerOptions(MIB10);
    expect(o['grpc.keepalive_time_ms']).toBeLessThan(KUMA_SERVER_MIN_PING_MS);
    expect(o).not.toHaveProperty('grpc.http2.min_ping_interval_without_data_ms');
    expect(o['grpc.max_concurrent_streams']).toBe(1_000_000);
  });

  it('sends the zone headers Kuma sends: client-id, kds-version, two features values, version', () => {
    const md = new grpc.Metadata();
    setZoneHeaders(md, 'zone-1');
    expect(md.get('client-id')).toEqual(['zone-1']);
    expect(md.get('kds-version')).toEqual(['v3']);
    expect(md.get('features')).toEqual(['zone-ping-health', 'hash-suffix']);
    expect(md.get('version')).toHaveLength(1);
    expect(md.get('authorization')).toEqual([]);
  });

  it('sends node metadata with Kuma\'s keys and reads a Kuma zone\'s features', () => {
    const m = nodeMetadata('cp-1', '{"mode":"zone"}');
    expect(Object.keys(m).sort()).toEqual(['config', 'control-plane-id', 'features', 'version']);
    expect(m.version).toMatchObject({ kumaCp: { version: expect.any(String), gitTag: expect.any(String), gitCommit: expect.any(String), buildDate: expect.any(String) } });
    expect(m.features).toContain('hash-suffix');
    const kumaZone = { features: ['zone-token', 'hash-suffix', 'hg-mz-selector', 'producer-policy-flow', 'optional-top-level-target-ref'] };
    expect(featuresOf(kumaZone).has('hash-suffix')).toBe(true);
    expect(featuresOf({}).size).toBe(0);
  });

  it('keeps names unhashed for a zone without hash-suffix, as Kuma\'s global mapper', () => {
    const d = registry.mustByName('MeshRetry');
    const r = { type: 'MeshRetry', mesh: 'default', name: 'retry-1', labels: {}, spec: {}, version: '1', creationTime: '', modificationTime: '' } as never;
    expect(mapForZone(d, r).name).toBe('retry-1-zx7948dcf54485b2'); // the name in Kuma's vector
    expect(mapForZone(d, r, { hashNames: false }).name).toBe('retry-1');
  });

  it('KUMA_MULTIZONE_GLOBAL_KDS_AUTH_TYPE takes tokens or none', () => {
    const env = { HOME: '/tmp/kuma-kds-peer-test' };
    expect(loadConfig({ env }).multizone.global.kds.authType).toBe('tokens');
    expect(loadConfig({ env: { ...env, KUMA_MULTIZONE_GLOBAL_KDS_AUTH_TYPE: 'none' } }).multizone.global.kds.authType).toBe('none');
    expect(loadConfig({ env: { ...env, KUMA_MULTIZONE_GLOBAL_KDS_AUTH_TYPE: 'zoneToken' } }).multizone.global.kds.authType).toBe('tokens');
    expect(() => loadConfig({ env: { ...env, KUMA_MULTIZONE_GLOBAL_KDS_AUTH_TYPE: 'mtls' } })).toThrow(/use tokens or none \(KUMA_MULTIZONE_GLOBAL_KDS_AUTH_TYPE/);
  });
});
