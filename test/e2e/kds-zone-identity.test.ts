/**
 * One zone name, one zone CP: a second CP started with a name already
 * connected is refused by the global (and says so at error level, once),
 * nothing of it reaches the global, and it takes over when the first stops.
 * A reconnect of the same CP through a cut link replaces its stale streams.
 */
import { createServer, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, freePort, removeDir, startGlobal, startZone, type ControlPlane } from './harness';

type LogLine = { level: number; msg: string; [k: string]: unknown };
const logLines = (cp: ControlPlane): LogLine[] =>
  cp
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
const ERROR = 50;

type Sub = { zoneInstanceId: string; connectTime?: string; disconnectTime?: string };
const subscriptions = async (global: ControlPlane, zone: string): Promise<Sub[]> => (await api(global, 'GET', `/zones/${zone}/_overview`)).json.zoneInsight?.subscriptions ?? [];
const open = (subs: Sub[]) => subs.filter((s) => s.connectTime && !s.disconnectTime);
const ingressNames = async (global: ControlPlane) =>
  ((await api(global, 'GET', '/zoneingresses')).json.items as { labels: Record<string, string> }[]).map((i) => i.labels['kuma.io/display-name']).sort();
const ingress = (name: string, port: number) => ({ type: 'ZoneIngress', name, networking: { address: '127.0.0.1', port, advertisedAddress: '127.0.0.1', advertisedPort: port } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KDS zone identity: two zone CPs with one name', () => {
  let global: ControlPlane & { kdsPort: number };
  const cps: ControlPlane[] = [];
  const env = { KUMA_STORE_TYPE: 'memory' };
  beforeAll(async () => {
    global = await startGlobal({ env, args: ['--kds-auth=none'] });
    cps.push(global);
  });
  afterAll(async () => {
    for (const cp of cps) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
  });

  it('refuses the second CP, keeps the first one\'s status and inventory, and lets the second take over when the first stops', async () => {
    const first = await startZone('east', global.kdsPort, { env });
    cps.push(first);
    expect((await api(first, 'PUT', '/zoneingresses/ingress-first', ingress('ingress-first', 10001))).status).toBe(201);
    await eventually(async () => expect(await ingressNames(global)).toEqual(['ingress-first']));
    const firstInstance = await eventually(async () => {
      const o = open(await subscriptions(global, 'east'));
      expect(o).toHaveLength(1);
      return o[0]!.zoneInstanceId;
    });

    const second = await startZone('east', global.kdsPort, { env });
    cps.push(second);
    expect((await api(second, 'PUT', '/zoneingresses/ingress-second', ingress('ingress-second', 10002))).status).toBe(201);
    const refusal = await eventually(() => {
      const l = logLines(second).find((x) => x.level === ERROR && x.msg.includes('already connected as zone "east"'));
      expect(l).toBeDefined();
      return l!.msg;
    });
    expect(refusal).toContain('Give each zone CP a unique KUMA_MULTIZONE_ZONE_NAME, or stop the other CP');
    expect(refusal).toContain(`from control plane instance "${firstInstance}"`);
    const secondInstance = /refusing instance "([^"]+)"/.exec(refusal)![1]!;
    expect(secondInstance).not.toBe(firstInstance);

    // It keeps retrying (backoff up to 2 s here) without repeating the error.
    await eventually(() => expect(second.logs().match(/refused a KDS stream|KDS link backoff -> connecting/g)?.length ?? 0).toBeGreaterThan(0));
    await sleep(5_000);
    expect(logLines(second).filter((x) => x.level === ERROR)).toHaveLength(1);
    // The global warns once too; its repeats are at debug, not printed at the default level.
    expect(logLines(global).filter((x) => x.msg === 'refused a KDS stream')).toHaveLength(1);

    // Status and inventory are the first CP's alone.
    const subs = await subscriptions(global, 'east');
    expect(subs.map((s) => s.zoneInstanceId)).toEqual([firstInstance]);
    expect(open(subs)).toHaveLength(1);
    expect(await ingressNames(global)).toEqual(['ingress-first']);
    const del = await api(global, 'DELETE', '/zones/east');
    expect(del.status).toBe(400);
    expect(del.text).toContain('Zone CP is still connected');

    // The first stops: the second connects, its inventory replaces the first's, the zone is Online with it.
    expect(await first.stop()).toBe(0);
    await eventually(async () => {
      const s = await subscriptions(global, 'east');
      expect(open(s).map((x) => x.zoneInstanceId)).toEqual([secondInstance]);
      expect(s.filter((x) => x.zoneInstanceId === firstInstance).every((x) => x.disconnectTime)).toBe(true);
    }, 15_000);
    await eventually(async () => expect(await ingressNames(global)).toEqual(['ingress-second']));
    expect((await api(global, 'GET', '/zones/east/_overview')).json.zoneInsight.subscriptions.at(-1).zoneInstanceId).toBe(secondInstance);
    expect((await api(global, 'DELETE', '/zones/east')).status).toBe(400);

    // Once no CP is connected the Zone can be deleted, and nothing brings its insight back.
    await second.stop();
    await eventually(async () => expect((await api(global, 'DELETE', '/zones/east')).status).toBe(200));
    await sleep(500);
    expect((await api(global, 'GET', '/zone-insights/east')).status).toBe(404);
  }, 90_000);

  it('a reconnect of the same CP through a cut link replaces its stale streams instead of being refused', async () => {
    // A TCP relay the test can cut: the zone's side is destroyed, the global's side is left open and silent.
    const relayPort = await freePort();
    const pairs: { zone: Socket; global: Socket }[] = [];
    const relay = createServer((z) => {
      const g = connect(global.kdsPort, '127.0.0.1');
      z.pipe(g);
      g.pipe(z);
      z.on('error', () => undefined);
      g.on('error', () => undefined);
      pairs.push({ zone: z, global: g });
    });
    await new Promise<void>((r) => relay.listen(relayPort, '127.0.0.1', () => r()));
    try {
      const zone = await startZone('west', relayPort, { env });
      cps.push(zone);
      const instance = await eventually(async () => {
        const o = open(await subscriptions(global, 'west'));
        expect(o).toHaveLength(1);
        return o[0]!.zoneInstanceId;
      });
      const cut = pairs.splice(0);
      for (const p of cut) {
        p.zone.unpipe(p.global);
        p.global.unpipe(p.zone);
        p.global.pause();
        p.zone.destroy();
      }
      await eventually(() => expect(global.logs()).toMatch(/zone CP reconnected; closing its previous stream/), 15_000);
      await eventually(async () => {
        const s = await subscriptions(global, 'west');
        expect(open(s).map((x) => x.zoneInstanceId)).toEqual([instance]);
        expect(s.length).toBeGreaterThanOrEqual(2);
        expect(s.at(-1)!.disconnectTime).toBeUndefined();
      });
      expect(zone.logs()).not.toMatch(/already connected as zone/);
      for (const p of cut) p.global.destroy();
      // The stale streams dying for good leaves the live connection Online.
      await sleep(1_000);
      expect(open(await subscriptions(global, 'west')).map((x) => x.zoneInstanceId)).toEqual([instance]);
    } finally {
      for (const p of pairs) {
        p.zone.destroy();
        p.global.destroy();
      }
      relay.close();
    }
  }, 60_000);
});
