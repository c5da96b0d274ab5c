/** The REST API of a real control plane process: routes, shapes, pagination, errors, modes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, removeDir, startCp, type ControlPlane } from './harness';

const dp = (name: string, mesh = 'default', service = 'web') => ({
  type: 'Dataplane',
  mesh,
  name,
  networking: { address: '127.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': service, version: 'v1' } }] },
});

describe('REST API on a standalone zone', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startCp();
  });
  afterAll(async () => {
    await cp.stop();
    removeDir(cp.workDir);
  });

  it('serves the index with both product and tagline', async () => {
    const r = await api(cp, 'GET', '/');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ product: 'Kuma', tagline: 'Kuma' });
    // A preview version: kumactl 2.14.x (any patch) prints no version-mismatch warning for it.
    expect(r.json.version).toMatch(/^2\.1[34]\.\d+-preview$/);
    expect(r.json.instanceId).toMatch(/-[0-9a-f]{4}$/);
    expect(r.json.clusterId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('creates the default mesh with its default policies and signing key', async () => {
    const m = await api(cp, 'GET', '/meshes/default');
    expect(m.status).toBe(200);
    expect(m.json).toMatchObject({ type: 'Mesh', name: 'default' });
    expect(m.json.mesh).toBeUndefined();
    const retries = await api(cp, 'GET', '/meshes/default/meshretries');
    expect(retries.json.items.map((i: { name: string }) => i.name)).toEqual(['mesh-retry-all-default']);
    expect(retries.json.items[0].spec.to[0].default.http.numRetries).toBe(5);
    const secrets = await api(cp, 'GET', '/meshes/default/secrets');
    expect(secrets.json.items.map((i: { name: string }) => i.name)).toContain('dataplane-token-signing-key-default-1');
  });

  it('PUT creates with 201, updates with 200, keeps creationTime, computes labels', async () => {
    const c = await api(cp, 'PUT', '/meshes/default/dataplanes/web-1', dp('web-1'));
    expect(c.status).toBe(201);
    expect(c.json).toEqual({});
    const first = (await api(cp, 'GET', '/meshes/default/dataplanes/web-1')).json;
    expect(first.labels).toMatchObject({ 'kuma.io/mesh': 'default', 'kuma.io/origin': 'zone', 'kuma.io/zone': 'default', 'kuma.io/env': 'universal', 'kuma.io/proxy-type': 'sidecar' });
    expect(first.networking.inbound[0].tags['kuma.io/zone']).toBe('default');
    const u = await api(cp, 'PUT', '/meshes/default/dataplanes/web-1', { ...dp('web-1'), labels: { team: 'a' } });
    expect(u.status).toBe(200);
    const second = (await api(cp, 'GET', '/meshes/default/dataplanes/web-1')).json;
    expect(second.creationTime).toBe(first.creationTime);
    expect(second.labels.team).toBe('a');
  });

  it('accepts YAML bodies and snake_case field names', async () => {
    const yaml = 'type: Dataplane\nmesh: default\nname: web-yaml\nnetworking:\n  address: 127.0.0.1\n  inbound:\n  - port: 8080\n    service_port: 8081\n    tags:\n      kuma.io/service: web\n';
    const r = await api(cp, 'PUT', '/meshes/default/dataplanes/web-yaml', yaml, { 'content-type': 'application/yaml' });
    expect(r.status).toBe(201);
    const got = (await api(cp, 'GET', '/meshes/default/dataplanes/web-yaml')).json;
    expect(got.networking.inbound[0].servicePort).toBe(8081);
  });

  it('paginates with total and an absolute next link; filters by name and labels', async () => {
    for (let i = 0; i < 5; i++) expect((await api(cp, 'PUT', `/meshes/default/dataplanes/page-${i}`, { ...dp(`page-${i}`), labels: { page: i % 2 ? 'odd' : 'even' } })).status).toBe(201);
    const p1 = await api(cp, 'GET', '/meshes/default/dataplanes?name=page-&size=2');
    expect(p1.json.total).toBe(5);
    expect(p1.json.items.map((i: { name: string }) => i.name)).toEqual(['page-0', 'page-1']);
    expect(p1.json.next).toBe(`http://127.0.0.1:${cp.apiPort}/meshes/default/dataplanes?name=page-&size=2&offset=2`);
    const last = await api(cp, 'GET', '/meshes/default/dataplanes?name=page-&size=2&offset=4');
    expect(last.json.items.map((i: { name: string }) => i.name)).toEqual(['page-4']);
    expect(last.json.next).toBeNull();
    const odd = await api(cp, 'GET', '/meshes/default/dataplanes?filter%5Blabels.page%5D=odd');
    expect(odd.json.items.map((i: { name: string }) => i.name)).toEqual(['page-1', 'page-3']);
    const all = await api(cp, 'GET', '/dataplanes?size=1');
    expect(all.json.total).toBeGreaterThanOrEqual(7);
    const tag = await api(cp, 'GET', '/meshes/default/dataplanes?tag=version:v');
    expect(tag.json.total).toBe(6); // web-1 and page-0..4 carry version=v1; web-yaml has no version tag
    expect((await api(cp, 'GET', '/meshes/default/dataplanes?size=5000')).json.invalid_parameters).toEqual([{ field: 'size', reason: 'invalid page size of 5000. Maximum page size is 1000' }]);
    expect((await api(cp, 'GET', '/meshes/default/dataplanes?size=0')).status).toBe(400);
    expect((await api(cp, 'GET', '/meshes/default/dataplanes?offset=abc')).status).toBe(400);
  });

  it('serves overviews joined with insights, and their legacy aliases', async () => {
    const o = await api(cp, 'GET', '/meshes/default/dataplanes/_overview?name=web-1');
    expect(o.status).toBe(200);
    expect(o.json.items[0]).toMatchObject({ type: 'DataplaneOverview', mesh: 'default', name: 'web-1' });
    expect(o.json.items[0]).not.toHaveProperty('dataplaneInsight');
    expect(o.json.items[0].dataplane.networking.address).toBe('127.0.0.1');
    expect((await api(cp, 'GET', '/meshes/default/dataplanes/web-1/_overview')).json.name).toBe('web-1');
    expect((await api(cp, 'GET', '/meshes/default/dataplanes+insights')).status).toBe(200);
    expect((await api(cp, 'GET', '/zones/_overview')).json.items[0]).toMatchObject({ type: 'ZoneOverview', name: 'default', zone: { enabled: true } });
    expect((await api(cp, 'GET', '/zones/default/_overview')).status).toBe(200);
    expect((await api(cp, 'GET', '/zones+insights')).status).toBe(200);
    for (const p of ['/zoneingresses/_overview', '/zone-ingresses/_overview', '/zoneegresses/_overview', '/zoneegressoverviews', '/zoneingresses', '/zoneegresses', '/zones', '/mesh-insights', '/global-insight', '/global-insights', '/_resources', '/config', '/versions', '/policies']) {
      const r = await api(cp, 'GET', p);
      expect(r.status, p).toBe(200);
    }
  });

  it('keeps MeshInsight and ServiceInsight current', async () => {
    let mi: any;
    for (let i = 0; i < 50; i++) {
      mi = (await api(cp, 'GET', '/mesh-insights/default')).json;
      if (mi?.dataplanes?.total >= 7) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(mi.dataplanes.total).toBeGreaterThanOrEqual(7);
    expect(mi.policies.MeshRetry.total).toBe(1);
    const services = (await api(cp, 'GET', '/meshes/default/service-insights')).json;
    expect(services.items.find((s: { name: string }) => s.name === 'web')).toMatchObject({ type: 'ServiceInsight', status: 'offline', addressPort: 'web.mesh:80' });
    const whole = (await api(cp, 'GET', '/meshes/default/service-insights/all-services-default')).json;
    expect(whole.services.web.dataplanes.total).toBeGreaterThanOrEqual(7);
  });

  it('has the global secrets Kuma creates on first start and prints insights as Kuma does', async () => {
    const names = (await api(cp, 'GET', '/global-secrets')).json.items.map((i: { name: string }) => i.name);
    expect(names).toEqual(expect.arrayContaining(['admin-user-token', 'envoy-admin-ca', 'user-token-signing-key-1', 'zone-token-signing-key-1']));
    const mi = (await api(cp, 'GET', '/mesh-insights/default')).json;
    expect(Object.keys(mi.dataplanesByType).sort()).toEqual(['gateway', 'gatewayBuiltin', 'gatewayDelegated', 'standard']);
    const gi = (await api(cp, 'GET', '/global-insight')).json;
    expect(gi.services.internal).toEqual(expect.objectContaining({ online: expect.any(Number), offline: expect.any(Number), partiallyDegraded: expect.any(Number) }));
    expect(gi.zones.zoneIngresses).toEqual({ online: 0, total: 0 });
  });

  it('/_resources lists every type with its path and policy flags', async () => {
    const r = (await api(cp, 'GET', '/_resources')).json.resources as { name: string; path: string; readOnly: boolean; policy?: object }[];
    const mtp = r.find((x) => x.name === 'MeshTrafficPermission')!;
    expect(mtp).toMatchObject({ path: 'meshtrafficpermissions', scope: 'Mesh', readOnly: false, policy: { isTargetRef: true, hasFromTargetRef: true } });
    expect(r.find((x) => x.name === 'Mesh')).toMatchObject({ path: 'meshes', scope: 'Global' });
  });

  describe('bad input gets a clear error and stores nothing', () => {
    it('malformed JSON', async () => {
      const r = await api(cp, 'PUT', '/meshes/default/dataplanes/bad-json', '{"type": "Dataplane", ');
      expect(r.status).toBe(400);
      expect(r.json.title).toBe('Bad Request');
      expect(r.json.detail).toMatch(/^invalid Dataplane object: /);
      expect((await api(cp, 'GET', '/meshes/default/dataplanes/bad-json')).status).toBe(404);
    });

    it('malformed YAML', async () => {
      const r = await api(cp, 'PUT', '/meshes/default/dataplanes/bad-yaml', 'type: Dataplane\nname: [bad-yaml\n', { 'content-type': 'application/yaml' });
      expect(r.status).toBe(400);
      expect((await api(cp, 'GET', '/meshes/default/dataplanes/bad-yaml')).status).toBe(404);
    });

    it('an invalid field names the field', async () => {
      const body = dp('bad-field');
      body.networking.inbound[0]!.tags = { version: 'v1' } as never;
      const r = await api(cp, 'PUT', '/meshes/default/dataplanes/bad-field', body);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ title: 'Could not process a resource', detail: 'Resource is not valid' });
      expect(r.json.invalid_parameters).toContainEqual({ field: 'networking.inbound[0].tags["kuma.io/service"]', reason: 'tag has to exist' });
      expect((await api(cp, 'GET', '/meshes/default/dataplanes/bad-field')).status).toBe(404);
    });

    it('an invalid name', async () => {
      const r = await api(cp, 'PUT', '/meshes/default/dataplanes/Bad_Name', { ...dp('Bad_Name') });
      expect(r.status).toBe(400);
      expect(r.json.invalid_parameters[0].field).toBe('name');
    });

    it('URL and body disagree', async () => {
      const r = await api(cp, 'PUT', '/meshes/default/dataplanes/one', dp('two'));
      expect(r.status).toBe(400);
      expect(r.json.invalid_parameters).toEqual([{ field: 'name', reason: 'name from the URL has to be the same as in body' }]);
    });

    it('an unknown mesh', async () => {
      const r = await api(cp, 'PUT', '/meshes/nope/dataplanes/x', dp('x', 'nope'));
      expect(r.status).toBe(400);
      expect(r.json.detail).toBe('Mesh is not found');
      expect(r.json.invalid_parameters).toEqual([{ field: 'mesh', reason: 'mesh of name nope is not found' }]);
      expect((await api(cp, 'GET', '/meshes/nope/dataplanes/x')).status).toBe(404);
    });

    it('an unknown type', async () => {
      const r = await api(cp, 'PUT', '/meshes/default/frobnicators/x', { type: 'Frobnicator', name: 'x' });
      expect(r.status).toBe(404);
      expect(r.json.detail).toMatch(/no API route/);
    });

    it('a 10 MB body', async () => {
      const big = { ...dp('big'), padding: 'x'.repeat(10 * 1024 * 1024) };
      const r = await api(cp, 'PUT', '/meshes/default/dataplanes/big', big);
      expect(r.status).toBe(413);
      expect(r.json.detail).toMatch(/limit is \d+ bytes/);
      expect((await api(cp, 'GET', '/meshes/default/dataplanes/big')).status).toBe(404);
    });

    it('a wrong content type', async () => {
      const r = await api(cp, 'PUT', '/meshes/default/dataplanes/xml', '<dataplane/>', { 'content-type': 'application/xml' });
      expect(r.status).toBe(415);
      expect(r.json.detail).toBe('content type "application/xml" is not supported; send application/json or application/yaml');
      expect((await api(cp, 'GET', '/meshes/default/dataplanes/xml')).status).toBe(404);
    });

    it('writing a read-only insight type is refused', async () => {
      const r = await api(cp, 'PUT', '/mesh-insights/default', { type: 'MeshInsight', name: 'default' });
      expect(r.status).toBe(405);
    });
  });

  it('DELETE returns 200 then 404; Mesh delete is refused while dataplanes exist, then cascades', async () => {
    expect((await api(cp, 'PUT', '/meshes/other', { type: 'Mesh', name: 'other' })).status).toBe(201);
    expect((await api(cp, 'PUT', '/meshes/other/dataplanes/o-1', dp('o-1', 'other'))).status).toBe(201);
    expect((await api(cp, 'PUT', '/meshes/other/traffic-permissions/tp', { type: 'TrafficPermission', mesh: 'other', name: 'tp', sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: { 'kuma.io/service': '*' } }] })).status).toBe(201);
    const refused = await api(cp, 'DELETE', '/meshes/other');
    expect(refused.status).toBe(400);
    expect(refused.json.invalid_parameters).toEqual([{ field: 'mesh', reason: 'unable to delete mesh, there are still some dataplanes attached' }]);
    expect((await api(cp, 'DELETE', '/meshes/other/dataplanes/o-1')).status).toBe(200);
    expect((await api(cp, 'DELETE', '/meshes/other/dataplanes/o-1')).status).toBe(404);
    expect((await api(cp, 'DELETE', '/meshes/other')).status).toBe(200);
    expect((await api(cp, 'GET', '/meshes/other/traffic-permissions/tp')).status).toBe(404);
    expect((await api(cp, 'GET', '/meshes/other/meshretries')).json.total).toBe(0);
  });
});

describe('REST API mode rules', () => {
  let global: ControlPlane;
  beforeAll(async () => {
    global = await startCp({ args: ['--mode=global'], env: { KUMA_STORE_TYPE: 'memory' } });
  });
  afterAll(async () => {
    await global.stop();
    removeDir(global.workDir);
  });

  it('the global CP refuses dataplane writes with Kuma\'s text and accepts policies', async () => {
    const r = await api(global, 'PUT', '/meshes/default/dataplanes/x', dp('x'));
    expect(r.status).toBe(405);
    expect(r.json.detail).toBe(
      "On global control plane you can not modify dataplane resources with 'kumactl apply' or via the HTTP API. You can still use 'kumactl' or the HTTP API to modify them on the zone control plane.\n",
    );
    const tp = await api(global, 'PUT', '/meshes/default/meshtrafficpermissions/allow', { type: 'MeshTrafficPermission', mesh: 'default', name: 'allow', spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] } });
    expect(tp.status).toBe(201);
    const got = (await api(global, 'GET', '/meshes/default/meshtrafficpermissions/allow')).json;
    expect(got.labels['kuma.io/origin']).toBeUndefined();
    expect(got.spec.from[0].default.action).toBe('Allow');
  });

  it('a global CP has no Zone of its own and a non-global origin label is refused', async () => {
    expect((await api(global, 'GET', '/zones')).json.total).toBe(0);
    const r = await api(global, 'PUT', '/meshes/default/meshretries/r', { type: 'MeshRetry', mesh: 'default', name: 'r', labels: { 'kuma.io/origin': 'zone' }, spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'Mesh' }, default: { http: { numRetries: 3 } } }] } });
    expect(r.status).toBe(400);
    expect(r.json.invalid_parameters).toEqual([{ field: 'labels["kuma.io/origin"]', reason: "the origin label must be set to 'global'" }]);
  });
});

describe('REST API: federated zone and read-only mode', () => {
  it('a federated zone refuses policies and meshes with Kuma\'s text', async () => {
    const zone = await startCp({ args: ['--mode=zone', '--zone', 'zone-1', '--kds-global-address', 'grpc://127.0.0.1:1'], env: { KUMA_STORE_TYPE: 'memory' } });
    try {
      expect((await api(zone, 'GET', '/meshes')).json.total).toBe(0);
      const r = await api(zone, 'PUT', '/meshes/demo', { type: 'Mesh', name: 'demo' });
      expect(r.status).toBe(405);
      expect(r.json.detail).toBe(
        "On zone control plane you can only modify zone resources with 'kumactl apply' or via the HTTP API. You can still use 'kumactl' or the HTTP API to modify the rest of the resource on the global control plane.\n",
      );
      expect((await api(zone, 'GET', '/zones')).json.items.map((z: { name: string }) => z.name)).toEqual(['zone-1']);
    } finally {
      await zone.stop();
      removeDir(zone.workDir);
    }
  });

  it('KUMA_API_SERVER_READ_ONLY refuses every write', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_API_SERVER_READ_ONLY: 'true' } });
    try {
      expect((await api(cp, 'PUT', '/meshes/demo', { type: 'Mesh', name: 'demo' })).status).toBe(405);
      expect((await api(cp, 'DELETE', '/meshes/default')).status).toBe(405);
    } finally {
      await cp.stop();
      removeDir(cp.workDir);
    }
  });
});
