/**
 * Zone-originated targetRef policies (issue 9 item 4) on real processes: one
 * global and two federated zones. A zone applies a MeshTimeout labelled
 * `kuma.io/origin: zone`; the global shows it under Kuma's hashed name with the
 * zone labels and refuses to change it; other zones never get it; global
 * policies still reach every zone; zone-1's real Envoy follows its own policy
 * over the global ones (cluster connect_timeout).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashedName } from '../../internal/kds/hash';
import { api, eventually, freePort, kumactlHome, removeDir, runKuma, startGlobal, startProxy, startZone, tempDir, type ControlPlane, type Proxy } from './harness';

type Item = { name: string; labels?: Record<string, string>; spec?: any };
const timeouts = async (cp: ControlPlane): Promise<Item[]> => (await api(cp, 'GET', '/meshes/default/meshtimeouts')).json.items;
const byDisplayName = (list: Item[], n: string) => list.find((i) => (i.labels?.['kuma.io/display-name'] ?? i.name) === n);

/** connect_timeout of the outbound cluster `backend` in the Envoy's config dump. */
async function backendConnectTimeout(proxy: Proxy): Promise<string | undefined> {
  const dump = await (await fetch(`http://127.0.0.1:${proxy.admin}/config_dump`)).json();
  const clusters = dump.configs.find((c: { '@type': string }) => c['@type'].endsWith('ClustersConfigDump'));
  const all = [...(clusters.static_clusters ?? []), ...(clusters.dynamic_active_clusters ?? [])].map((c: { cluster: { name: string; connect_timeout?: string } }) => c.cluster);
  return all.find((c) => c.name === 'backend')?.connect_timeout;
}

const timeoutYaml = (name: string, idle: string, labels: Record<string, string> = {}) =>
  [
    'type: MeshTimeout',
    'mesh: default',
    `name: ${name}`,
    ...(Object.keys(labels).length ? ['labels:', ...Object.entries(labels).map(([k, v]) => `  ${k}: ${v}`)] : []),
    'spec:',
    '  targetRef:',
    '    kind: Mesh',
    '  to:',
    '    - targetRef:',
    '        kind: Mesh',
    '      default:',
    `        idleTimeout: ${idle}`,
    `        connectionTimeout: ${idle}`,
    '',
  ].join('\n');

describe('zone-originated policies: 1 global + 2 zones', () => {
  const dirs = { global: tempDir('kuma-g-'), z1: tempDir('kuma-z1-'), z2: tempDir('kuma-z2-') };
  let global: ControlPlane & { kdsPort: number };
  let z1: ControlPlane;
  let z2: ControlPlane;
  let web: Proxy | undefined;
  const homes: Record<string, string> = {};

  beforeAll(async () => {
    global = await startGlobal({ workDir: dirs.global, args: ['--kds-auth=none'] });
    // zone-1 runs a real Envoy; token auth is not what this file is about.
    const z1Env = { KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none' };
    [z1, z2] = await Promise.all([startZone('zone-1', global.kdsPort, { workDir: dirs.z1, env: z1Env }), startZone('zone-2', global.kdsPort, { workDir: dirs.z2 })]);
    [homes.global, homes.z1, homes.z2] = await Promise.all([kumactlHome(global), kumactlHome(z1), kumactlHome(z2)]);
    // Both zones hold the global's mesh before anything is applied on them.
    for (const z of [z1, z2]) await eventually(async () => expect(byDisplayName(await timeouts(z), 'mesh-timeout-all-default')).toBeDefined());
  });
  afterAll(async () => {
    await web?.dp.stop();
    await Promise.all([global, z1, z2].map((cp) => cp?.kill9()));
    for (const d of [...Object.values(dirs), ...Object.values(homes)]) if (d) removeDir(d);
  });

  it('a zone apply without kuma.io/origin: zone fails with Kuma\'s message and a non-zero exit, nothing written', async () => {
    const r = await runKuma(['apply', '-f', '-'], { home: homes.z1!, input: timeoutYaml('no-origin', '30s') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`labels["kuma.io/origin"]: the origin label must be set to 'zone'`);
    expect(byDisplayName(await timeouts(z1), 'no-origin')).toBeUndefined();
  });

  it('applied on zone-1 with origin zone: zone-1 keeps it as is, the global shows it hashed and zone-labelled, zone-2 never gets it', async () => {
    const r = await runKuma(['apply', '-f', '-'], { home: homes.z1!, input: timeoutYaml('zone-timeout', '31s', { 'kuma.io/origin': 'zone' }) });
    expect(r.code, r.stderr).toBe(0);
    const local = (await api(z1, 'GET', '/meshes/default/meshtimeouts/zone-timeout')).json;
    expect(local.labels).toEqual({ 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1', 'kuma.io/mesh': 'default', 'kuma.io/env': 'universal' });

    const onGlobal = await eventually(async () => {
      const t = byDisplayName(await timeouts(global), 'zone-timeout');
      expect(t).toBeDefined();
      return t!;
    });
    expect(onGlobal.name).toBe(hashedName('default', 'zone-timeout', 'zone-1'));
    expect(onGlobal.name).toMatch(/^zone-timeout-[bcdfghjklmnpqrstvwxz2456789]{16}$/);
    expect(onGlobal.labels).toMatchObject({ 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1', 'kuma.io/display-name': 'zone-timeout', 'kuma.io/mesh': 'default' });
    expect(onGlobal.spec.to[0].default.idleTimeout).toBe('31s');
    const listed = await runKuma(['get', 'meshtimeouts', '-m', 'default'], { home: homes.global! });
    expect(listed.stdout).toContain(onGlobal.name);

    // A global policy applied after it reaches zone-2, so zone-2 has caught up: the zone one is still absent.
    const g = await runKuma(['apply', '-f', '-'], { home: homes.global!, input: timeoutYaml('global-timeout', '32s') });
    expect(g.code, g.stderr).toBe(0);
    await eventually(async () => expect(byDisplayName(await timeouts(z2), 'global-timeout')).toBeDefined());
    expect((await timeouts(z2)).filter((t) => t.labels?.['kuma.io/zone'] === 'zone-1' || (t.labels?.['kuma.io/display-name'] ?? t.name).startsWith('zone-timeout'))).toEqual([]);
    // Nor does it come back to zone-1 as a second copy.
    expect((await timeouts(z1)).filter((t) => (t.labels?.['kuma.io/display-name'] ?? t.name) === 'zone-timeout').map((t) => t.name)).toEqual(['zone-timeout']);
  });

  it('a global policy still flows down to both zones with origin global', async () => {
    for (const z of [z1, z2]) {
      const t = await eventually(async () => {
        const found = byDisplayName(await timeouts(z), 'global-timeout');
        expect(found).toBeDefined();
        return found!;
      });
      expect(t.name).toBe(hashedName('default', 'global-timeout'));
      expect(t.labels).toMatchObject({ 'kuma.io/origin': 'global', 'kuma.io/display-name': 'global-timeout' });
      expect(t.spec.to[0].default.idleTimeout).toBe('32s');
    }
  });

  it('each zone applies what it holds: zone-1\'s Envoy gets its own policy over the global one, zone-2 only the global one', async () => {
    const [inbound, app, outbound] = await Promise.all([freePort(), freePort(), freePort()]);
    const yaml = `type: Dataplane
mesh: default
name: web
networking:
  address: 127.0.0.1
  inbound:
  - port: ${inbound}
    servicePort: ${app}
    tags: { kuma.io/service: web }
  outbound:
  - port: ${outbound}
    tags: { kuma.io/service: backend }
`;
    web = await startProxy({ cp: z1, home: homes.z1!, name: 'web', yaml });
    // Zone policies rank above global ones of the same targetRef kind (Kuma's merge order).
    await eventually(async () => expect(await backendConnectTimeout(web!)).toBe('31s'), 15_000);

    const meshTimeout = async (z: ControlPlane) => {
      const rules = (await api(z, 'GET', '/meshes/default/dataplanes/web/_rules')).json.rules;
      const rule = rules.find((r: { type: string }) => r.type === 'MeshTimeout').toRules.find((r: { matchers: unknown[] }) => r.matchers.length === 0);
      return { idle: rule.conf.idleTimeout, origins: rule.origin.map((o: { name: string }) => o.name) };
    };
    const one = await meshTimeout(z1);
    expect(one.idle).toBe('31s');
    expect(one.origins).toEqual(expect.arrayContaining(['zone-timeout', hashedName('default', 'global-timeout')]));
    const dp = { type: 'Dataplane', mesh: 'default', name: 'web', networking: { address: '127.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] } };
    expect((await api(z2, 'PUT', '/meshes/default/dataplanes/web', dp)).status).toBe(201);
    const two = await meshTimeout(z2);
    expect(two.idle).toBe('32s');
    expect(two.origins).not.toContain('zone-timeout');

    // The global, holding both proxies and zone-1's policy, bounds that policy to zone-1's proxy.
    const onGlobal = async (zone: string) => {
      const r = await api(global, 'GET', `/meshes/default/dataplanes/${hashedName('default', 'web', zone)}/_rules`);
      expect(r.status, r.text).toBe(200);
      return r.json.rules.find((x: { type: string }) => x.type === 'MeshTimeout').toRules.find((x: { matchers: unknown[] }) => x.matchers.length === 0).conf.idleTimeout;
    };
    await eventually(async () => expect(await onGlobal('zone-1')).toBe('31s'));
    await eventually(async () => expect(await onGlobal('zone-2')).toBe('32s'));
  });

  it('the global restarted: the full state it sends keeps zone-1\'s policy in zone-1 and out of zone-2; the global still shows it', async () => {
    const { kdsPort, apiPort } = global;
    await global.kill9();
    global = await startGlobal({ workDir: dirs.global, kdsPort, apiPort, args: ['--kds-auth=none'] });
    // Both zones re-applied a full state once they hold a policy created after the restart.
    expect((await runKuma(['apply', '-f', '-'], { home: homes.global!, input: timeoutYaml('after-restart', '34s') })).code).toBe(0);
    for (const z of [z1, z2]) await eventually(async () => expect(byDisplayName(await timeouts(z), 'after-restart')).toBeDefined(), 15_000);
    expect((await api(z1, 'GET', '/meshes/default/meshtimeouts/zone-timeout')).status).toBe(200);
    expect(byDisplayName(await timeouts(z2), 'zone-timeout')).toBeUndefined();
    expect(byDisplayName(await timeouts(global), 'zone-timeout')?.labels).toMatchObject({ 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1' });
  });

  it('the global refuses to update or delete the zone\'s copy; updates and deletion at the zone flow up', async () => {
    const name = hashedName('default', 'zone-timeout', 'zone-1');
    const put = await runKuma(['apply', '-f', '-'], { home: homes.global!, input: timeoutYaml(name, '99s', { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1', 'kuma.io/display-name': 'zone-timeout' }) });
    expect(put.code).not.toBe(0);
    expect(put.stderr).toContain(`labels["kuma.io/origin"]: the origin label must be set to 'global'`);
    const putNoLabels = await api(global, 'PUT', `/meshes/default/meshtimeouts/${name}`, { type: 'MeshTimeout', mesh: 'default', name, spec: { targetRef: { kind: 'Mesh' }, to: [{ targetRef: { kind: 'Mesh' }, default: { idleTimeout: '99s' } }] } });
    expect(putNoLabels.status).toBe(400);
    expect(putNoLabels.json.invalid_parameters).toEqual([{ field: 'labels["kuma.io/origin"]', reason: "the origin label must be set to 'global'" }]);
    const del = await runKuma(['delete', 'meshtimeout', name, '-m', 'default'], { home: homes.global! });
    expect(del.code).not.toBe(0);
    expect(del.stderr).toContain("the origin label must be set to 'global'");
    expect((await api(global, 'GET', `/meshes/default/meshtimeouts/${name}`)).json.spec.to[0].default.idleTimeout).toBe('31s');

    expect((await runKuma(['apply', '-f', '-'], { home: homes.z1!, input: timeoutYaml('zone-timeout', '33s', { 'kuma.io/origin': 'zone' }) })).code).toBe(0);
    await eventually(async () => expect((await api(global, 'GET', `/meshes/default/meshtimeouts/${name}`)).json.spec?.to[0].default.idleTimeout).toBe('33s'));
    await eventually(async () => expect(await backendConnectTimeout(web!)).toBe('33s'));
    expect((await runKuma(['delete', 'meshtimeout', 'zone-timeout', '-m', 'default'], { home: homes.z1! })).code).toBe(0);
    await eventually(async () => expect((await api(global, 'GET', `/meshes/default/meshtimeouts/${name}`)).status).toBe(404));
    // Without its own policy zone-1's Envoy falls back to the global ones, where the smallest name wins (after-restart).
    await eventually(async () => expect(await backendConnectTimeout(web!)).toBe('34s'));
  });
});
