/**
 * /metrics on the diagnostics port of dist/kuma, global and zone, scraped
 * around real changes: a sidecar with real Envoy connects to the zone, the
 * global enables mTLS and adds a MeshTimeout, and the series Kuma's
 * dashboards read move: streams, ACKs, generations, deliveries, KDS
 * responses and ACKs per type, store writes, resource counts, certificates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePromText, samplesOf, valueOf, type Exposition } from '../support/prom-text';
import { api, eventually, freePort, removeDir, startGlobal, startProxy, startZone, tempDir, type ControlPlane, type Proxy } from './harness';

const ZONE_ENV = { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none' };
const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';

async function scrape(cp: ControlPlane): Promise<Exposition> {
  const r = await fetch(`http://127.0.0.1:${cp.diagPort}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toContain('text/plain');
  return parsePromText(await r.text());
}

describe('Prometheus metrics of global and zone CPs', () => {
  let global: ControlPlane & { kdsPort: number };
  let zone: ControlPlane;
  let proxy: Proxy | undefined;
  const home = tempDir('kuma-metrics-home-');

  beforeAll(async () => {
    global = await startGlobal({ args: ['--kds-auth=none'], env: { KUMA_STORE_TYPE: 'memory' } });
    zone = await startZone('zone-1', global.kdsPort, { env: ZONE_ENV });
    await eventually(async () => expect((await api(global, 'GET', '/zones/zone-1/_overview')).json?.zoneInsight?.subscriptions?.length ?? 0).toBeGreaterThan(0), 20_000);
  }, 60_000);

  afterAll(async () => {
    await proxy?.dp.stop();
    await zone?.stop();
    await global?.stop();
    removeDir(home);
  });

  it('names each CP: cp_info, leader and the zone label on every series, Node runtime metrics', async () => {
    const g = await scrape(global);
    const z = await scrape(zone);
    const [gi] = samplesOf(g, 'cp_info');
    const [zi] = samplesOf(z, 'cp_info');
    expect(gi?.labels).toMatchObject({ mode: 'global', zone: '', product: 'Kuma' });
    expect(zi?.labels).toMatchObject({ mode: 'zone', zone: 'zone-1', product: 'Kuma' });
    expect(gi!.labels.instance_id).not.toBe(zi!.labels.instance_id);
    expect(zi!.labels.cluster_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(valueOf(z, 'leader')).toBe(1);
    for (const s of z.samples) expect(s.labels.zone, s.name).toBe('zone-1');
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(samplesOf(z, name).length, name).toBeGreaterThan(0);
    }
    expect(z.types.get('xds_generation')).toBe('summary');
    expect(z.types.get('store')).toBe('histogram');
    expect(valueOf(z, 'resources_count', { resource_type: 'Mesh' })).toBe(1);
  });

  it('moves xds_*, kds_delta_*, store and cert_generation as a sidecar connects and the global changes policy', async () => {
    const z0 = await scrape(zone);
    const g0 = await scrape(global);
    expect(valueOf(z0, 'xds_streams_active')).toBe(0);
    // The zone's KDS link is up: the global counts its stream and the zone's ACKs of the first state.
    expect(valueOf(g0, 'kds_delta_streams_active')).toBe(1);
    expect(valueOf(g0, 'kds_delta_responses_sent', { type_url: 'Mesh' })).toBeGreaterThan(0);

    const inPort = await freePort();
    const appPort = await freePort();
    proxy = await startProxy({
      cp: zone,
      home,
      name: 'web-1',
      yaml: `type: Dataplane\nmesh: default\nname: web-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: ${inPort}\n    servicePort: ${appPort}\n    tags: { kuma.io/service: web, kuma.io/protocol: http }\n`,
    });
    const z1 = await eventually(async () => {
      const e = await scrape(zone);
      expect(valueOf(e, 'xds_streams_active')).toBe(1);
      expect(valueOf(e, 'xds_requests_received', { type_url: LDS, confirmation: 'ACK' })).toBeGreaterThan(0);
      expect(valueOf(e, 'xds_delivery_count')).toBeGreaterThan(0);
      return e;
    }, 20_000);
    expect(valueOf(z1, 'xds_generation_count')).toBeGreaterThan(0);
    expect(valueOf(z1, 'xds_responses_sent', { type_url: LDS })).toBeGreaterThan(0);
    expect(valueOf(z1, 'xds_generation_errors')).toBe(0);
    expect(valueOf(z1, 'resources_count', { resource_type: 'Dataplane' })).toBe(1);
    expect(valueOf(z1, 'store_count', { operation: 'create', resource_type: 'Dataplane' })).toBe(1);
    expect(valueOf(z1, 'cert_generation')).toBe(0);

    // mTLS on and a MeshTimeout, both on the global: KDS carries them, the sidecar gets a certificate and new config.
    const mesh = await api(global, 'PUT', '/meshes/default', { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } });
    expect(mesh.status, mesh.text).toBeLessThan(300);
    const mt = await api(global, 'PUT', '/meshes/default/meshtimeouts/web-timeout', {
      type: 'MeshTimeout', mesh: 'default', name: 'web-timeout',
      spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'Mesh' }, default: { connectionTimeout: '3s' } }] },
    });
    expect(mt.status, mt.text).toBeLessThan(300);
    const g2 = await eventually(async () => {
      const e = await scrape(global);
      expect(valueOf(e, 'kds_delta_requests_received', { type_url: 'MeshTimeout', confirmation: 'ACK' })).toBeGreaterThan(valueOf(g0, 'kds_delta_requests_received', { type_url: 'MeshTimeout', confirmation: 'ACK' }));
      expect(valueOf(e, 'kds_delta_generation_count')).toBeGreaterThan(valueOf(g0, 'kds_delta_generation_count'));
      return e;
    }, 20_000);
    expect(valueOf(g2, 'store_count', { operation: 'create', resource_type: 'MeshTimeout' })).toBeGreaterThan(valueOf(g0, 'store_count', { operation: 'create', resource_type: 'MeshTimeout' }));
    expect(valueOf(g2, 'kds_delta_delivery_count')).toBeGreaterThan(0);
    expect(valueOf(g2, 'resources_count', { resource_type: 'MeshTimeout' })).toBe(valueOf(g0, 'resources_count', { resource_type: 'MeshTimeout' }) + 1);

    const z2 = await eventually(async () => {
      const e = await scrape(zone);
      expect(valueOf(e, 'cert_generation', { mesh: 'default' })).toBeGreaterThanOrEqual(1);
      expect(valueOf(e, 'xds_generation_count')).toBeGreaterThan(valueOf(z1, 'xds_generation_count'));
      expect(valueOf(e, 'xds_delivery_count')).toBeGreaterThan(valueOf(z1, 'xds_delivery_count'));
      return e;
    }, 20_000);
    expect(valueOf(z2, 'xds_requests_received', { confirmation: 'NACK' })).toBe(0);
    expect(valueOf(z2, 'kds_delta_responses_sent', { type_url: 'Dataplane' })).toBeGreaterThan(0);

    await proxy.dp.stop();
    proxy = undefined;
    await eventually(async () => expect(valueOf(await scrape(zone), 'xds_streams_active')).toBe(0), 20_000);
  }, 90_000);
});
