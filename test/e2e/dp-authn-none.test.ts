/**
 * The DP server as Kuma's load tools drive it: proxy authentication off
 * (KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE=none, ..._ZONE_PROXY_TYPE=none) and the
 * Dataplane carried in the node metadata `dataplane.resource`, which the zone
 * CP registers on the first request and deletes after the stream ends.
 * Light ADS clients (test/support/ads-client.ts) against dist/kuma.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CDS, LDS, connectAds, type AdsClient } from '../support/ads-client';
import { api, eventually, runKuma, startCp, tempDir, removeDir, type ControlPlane } from './harness';

const dataplane = (name: string, port: number) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address: '127.0.0.1', inbound: [{ port, servicePort: port + 1, tags: { 'kuma.io/service': name.replace(/-\d+$/, ''), 'kuma.io/protocol': 'http' } }] },
});

describe('DP server with proxy authentication off and Dataplanes carried in the node metadata', () => {
  let cp: ControlPlane;
  let ca: Buffer;
  const clients: AdsClient[] = [];
  const ads = (nodeId: string, metadata: Record<string, unknown>) => {
    const c = connectAds({ port: cp.dpPort, caPem: ca, nodeId, metadata });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    cp = await startCp({
      env: {
        KUMA_STORE_TYPE: 'memory',
        KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none',
        KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none',
        KUMA_XDS_SERVER_DATAPLANE_DEREGISTRATION_DELAY_MS: '200',
      },
    });
    ca = readFileSync(join(cp.workDir, 'kuma-cp.crt'));
  }, 30_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await cp?.stop();
  });

  it('registers a Dataplane sent as JSON without a token, serves it config, and deletes it after the stream ends', async () => {
    const c = ads('default.web-1', { 'dataplane.proxyType': 'dataplane', 'dataplane.resource': JSON.stringify(dataplane('web-1', 20001)) });
    await eventually(() => {
      expect(c.responses.get(CDS)?.length ?? 0).toBeGreaterThan(0);
      expect(c.responses.get(LDS)?.[0]?.resources.map((r) => r.name)).toContain('inbound:127.0.0.1:20001');
    }, 15_000);
    const stored = await api(cp, 'GET', '/meshes/default/dataplanes/web-1');
    expect(stored.status).toBe(200);
    expect(stored.json.networking.inbound[0]).toMatchObject({ port: 20001, tags: { 'kuma.io/service': 'web' } });
    c.close();
    await eventually(async () => expect((await api(cp, 'GET', '/meshes/default/dataplanes/web-1')).status).toBe(404), 10_000);
  });

  it('accepts the Dataplane as YAML too', async () => {
    const yaml = `type: Dataplane\nmesh: default\nname: api-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: 20011\n    servicePort: 20012\n    tags:\n      kuma.io/service: api\n`;
    const c = ads('default.api-1', { 'dataplane.resource': yaml });
    await eventually(() => expect(c.responses.get(LDS)?.length ?? 0).toBeGreaterThan(0), 15_000);
    expect((await api(cp, 'GET', '/meshes/default/dataplanes/api-1')).json.networking.inbound[0].port).toBe(20011);
  });

  it('refuses an invalid carried Dataplane with every violation by field and stores nothing', async () => {
    const bad = dataplane('bad-1', 20021) as Record<string, any>;
    bad.networking.inbound[0].port = 0;
    bad.networking.bogus = true;
    const c = ads('default.bad-1', { 'dataplane.resource': JSON.stringify(bad) });
    const status = await c.ended;
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toMatch(/dataplane\.resource\) is not valid/);
    expect(status.details).toMatch(/networking\.inbound\[0\]\.port/);
    expect(status.details).toMatch(/networking\.bogus/);
    expect((await api(cp, 'GET', '/meshes/default/dataplanes/bad-1')).status).toBe(404);

    const garbage = ads('default.bad-2', { 'dataplane.resource': '{ not: [json' });
    const s2 = await garbage.ended;
    expect(s2.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(s2.details).toMatch(/dataplane\.resource is neither JSON .* nor YAML/);
  });

  it('refuses a zone proxy token type it does not know, and serviceAccountToken off Kubernetes, at start', async () => {
    const home = tempDir('kuma-authn-cfg-');
    try {
      const bogus = await runKuma(['control-plane', 'run'], { home, env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'tokenz' } });
      expect(bogus.code).not.toBe(0);
      expect(bogus.stderr + bogus.stdout).toContain('dpServer.authn.dpProxy.type: "tokenz" is not supported; use dpToken or none (KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE)');
      const sa = await runKuma(['control-plane', 'run'], { home, env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'serviceAccountToken' } });
      expect(sa.code).not.toBe(0);
      expect(sa.stderr + sa.stdout).toContain('dpServer.authn.zoneProxy.type: "serviceAccountToken" works on Kubernetes only');
    } finally {
      removeDir(home);
    }
  });
});
