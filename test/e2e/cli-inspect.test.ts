/** `kuma inspect ...` (kumactl) against a real control plane. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, kumactlHome, removeDir, runKuma, startCp, type ControlPlane } from './harness';

describe('kumactl inspect', () => {
  let cp: ControlPlane;
  let home: string;
  const kuma = (args: string[]) => runKuma(args, { home });

  beforeAll(async () => {
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    home = await kumactlHome(cp);
    for (const [name, port] of [['web-1', 8080], ['web-2', 8081]] as const) {
      const r = await api(cp, 'PUT', `/meshes/default/dataplanes/${name}`, {
        type: 'Dataplane',
        mesh: 'default',
        name,
        networking: { address: '10.0.0.1', inbound: [{ port, tags: { 'kuma.io/service': 'web', version: name === 'web-1' ? 'v1' : 'v2' } }] },
      });
      expect(r.status).toBe(201);
    }
  });
  afterAll(async () => {
    await cp.stop();
    removeDir(cp.workDir);
    removeDir(home);
  });

  it('inspect dataplanes: kumactl columns, Offline without a connected proxy', async () => {
    const r = await kuma(['inspect', 'dataplanes']);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header!.split(/ {3,}/)).toEqual([
      'MESH', 'NAME', 'TAGS', 'STATUS', 'LAST CONNECTED AGO', 'LAST UPDATED AGO', 'TOTAL UPDATES', 'TOTAL ERRORS', 'CERT REGENERATED AGO',
      'CERT EXPIRATION', 'CERT REGENERATIONS', 'CERT BACKEND', 'SUPPORTED CERT BACKENDS', 'KUMA-DP VERSION', 'ENVOY VERSION', 'DEPENDENCIES VERSIONS', 'NOTES',
    ]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^default +web-1 +kuma\.io\/service=web kuma\.io\/zone=default version=v1 +Offline +never +never +0 +0 +never +- +0 +- /);
  });

  it('inspect dataplanes --tag filters through the API and -o json prints the overview list', async () => {
    const r = await kuma(['inspect', 'dataplanes', '--tag', 'version=v2', '-o', 'json']);
    const body = JSON.parse(r.stdout);
    expect(body.total).toBe(1);
    expect(body.items[0]).toMatchObject({ type: 'DataplaneOverview', name: 'web-2' });
    expect(body.items[0].dataplane.networking.inbound[0].port).toBe(8081);
  });

  it('inspect meshes and services', async () => {
    // Insights are computed asynchronously; poll for the two dataplanes.
    let services = '';
    for (let i = 0; i < 100 && !/web +Offline +0\/2/.test(services); i++) {
      services = (await kuma(['inspect', 'services'])).stdout;
      if (!/0\/2/.test(services)) await new Promise((r) => setTimeout(r, 200));
    }
    expect(services).toMatch(/^SERVICE +STATUS +DATAPLANES\nweb +Offline +0\/2\n$/);
    const meshes = await kuma(['inspect', 'meshes']);
    const [header, row] = meshes.stdout.split('\n');
    expect(header).toBe(
      'MESH      DATAPLANES   TRAFFIC PERMISSIONS   TRAFFIC ROUTES   CIRCUIT BREAKERS   HEALTH CHECKS   FAULT INJECTIONS   EXTERNAL SERVICES   TRAFFIC TRACES   TRAFFIC LOGS   PROXY TEMPLATES   RATE LIMITS',
    );
    expect(row).toMatch(/^default +0\/2 +0 +0 +0 +0 +0 +0 +0 +0 +0 +0$/);
    // Kuma 2.14 gives a new mesh two MeshTimeouts (sidecars, gateways), one MeshRetry, one MeshCircuitBreaker.
    const json = JSON.parse((await kuma(['inspect', 'meshes', '-o', 'json'])).stdout);
    const insight = json.items.find((m: { name: string }) => m.name === 'default');
    const defaults = { MeshTimeout: { total: 2 }, MeshRetry: { total: 1 }, MeshCircuitBreaker: { total: 1 } };
    expect(insight.policies).toMatchObject(defaults);
    expect(insight.resources).toMatchObject(defaults);
  });

  it('inspect zones, zone-ingresses and zoneegresses print their headers', async () => {
    const zones = await kuma(['inspect', 'zones']);
    expect(zones.code).toBe(0);
    expect(zones.stdout.split('\n')[0]!.split(/ {3,}/)).toEqual(['NAME', 'STATUS', 'LAST CONNECTED AGO', 'LAST UPDATED AGO', 'TOTAL UPDATES', 'TOTAL ERRORS', 'ZONE-CP VERSION', 'BACKEND']);
    for (const args of [['inspect', 'zone-ingresses'], ['inspect', 'zoneingresses'], ['inspect', 'zoneegresses']]) {
      const r = await kuma(args);
      expect(r).toMatchObject({ code: 0, stdout: 'NAME   STATUS   LAST CONNECTED AGO   LAST UPDATED AGO   TOTAL UPDATES   TOTAL ERRORS   KUMA-DP VERSION   ENVOY VERSION\n' });
    }
    const yaml = await kuma(['inspect', 'zoneegresses', '-o', 'yaml']);
    expect(yaml.stdout).toBe('total: 0\nitems: []\nnext: null\n');
  });
});
