/**
 * The web UI at /gui in real chromium (playwright-core) against a real global
 * CP and two real zone CPs with Envoy sidecars and zone ingresses. What the
 * pages show comes from the public REST API only.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  api, eventually, freePort, kumactlHome, removeDir, runKuma, spawnKuma, startGlobal, startProxy, startZone, tempDir, waitEnvoyReady,
  type ControlPlane, type Proc,
} from './harness';
import { axeSerious, launchChromium, measuredLoad, shot } from './gui-browser';

const ZONE_ENV = { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', KUMA_DP_SERVER_AUTHN_ZONE_PROXY_TYPE: 'none' };
/** The UI polls every 3 s; a killed zone's KDS stream closes at once (the kernel resets it). */
const REFRESH_WINDOW_MS = 10_000;

const procs: Proc[] = [];

describe('web UI (chromium) on a global CP with two zones', () => {
  let global: ControlPlane & { kdsPort: number };
  const zones: Record<string, ControlPlane> = {};
  const home = tempDir('kuma-gui-home-');
  let browser: Browser;
  let page: Page;
  let blocker: Server;
  let nackPort = 0;
  const gui = (cp: ControlPlane, hash = '') => `${cp.apiUrl}/gui/${hash ? `#/${hash}` : ''}`;

  const app = async (zone: string, instance: string, service: string) => {
    const port = await freePort();
    procs.push(spawnKuma(['demo-app', 'http', '--port', String(port), '--service', service, '--instance', instance, '--zone', zone], { home }));
    return port;
  };
  const sidecar = async (zone: string, name: string, service: string, inPort: number, appPort: number, waitReady = true) => {
    const yaml = `type: Dataplane
mesh: default
name: ${name}
networking:
  address: 127.0.0.1
  inbound:
  - port: ${inPort}
    servicePort: ${appPort}
    tags: { kuma.io/service: ${service}, kuma.io/protocol: http, version: v1 }
`;
    // Readiness is awaited by the caller, with room for a loaded machine (startProxy waits 20 s).
    const p = await startProxy({ cp: zones[zone]!, home, name, yaml, waitReady: false });
    procs.push(p.dp);
    if (waitReady) await waitEnvoyReady(p.admin, 60_000);
  };
  const ingress = async (zone: string, name: string) => {
    const port = await freePort();
    const yaml = `type: ZoneIngress
name: ${name}
networking:
  address: 127.0.0.1
  port: ${port}
  advertisedAddress: 127.0.0.1
  advertisedPort: ${port}
`;
    procs.push((await startProxy({ cp: zones[zone]!, home, name, yaml, kind: 'ingress', waitReady: false })).dp);
  };
  const egress = async (zone: string, name: string) => {
    const yaml = `type: ZoneEgress\nname: ${name}\nnetworking:\n  address: 127.0.0.1\n  port: ${await freePort()}\n`;
    procs.push((await startProxy({ cp: zones[zone]!, home, name, yaml, kind: 'egress', waitReady: false })).dp);
  };

  /** The table row whose first cell names `name` (a prefix: the global renames synced copies `<name>-<hash>`). */
  const row = (name: string) => page.locator(`tr[data-row^="${name}"]`).first();

  beforeAll(async () => {
    browser = await launchChromium();
    global = await startGlobal({ args: ['--kds-auth=none'], env: { KUMA_STORE_TYPE: 'memory' } });
    [zones['zone-1'], zones['zone-2']] = await Promise.all([startZone('zone-1', global.kdsPort, { env: ZONE_ENV }), startZone('zone-2', global.kdsPort, { env: ZONE_ENV })]);
    const mesh = { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
    expect((await api(global, 'PUT', '/meshes/default', mesh)).status).toBe(200);
    for (const z of Object.values(zones)) {
      await eventually(async () => expect((await api(z, 'GET', '/meshes/default/secrets')).json.items.map((s: { name: string }) => s.name)).toContain('default.ca-builtin-cert-ca-1'), 20_000);
    }
    await Promise.all([ingress('zone-1', 'zi-1'), ingress('zone-2', 'zi-2'), egress('zone-1', 'ze-1')]);
    // The NACKing proxy: its inbound port is already bound here, so Envoy rejects the listener (LDS NACK, "cannot bind").
    nackPort = await freePort();
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(nackPort, '127.0.0.1', () => r()));
    await Promise.all([
      (async () => sidecar('zone-1', 'backend-1', 'backend', await freePort(), await app('zone-1', 'backend-1', 'backend')))(),
      (async () => sidecar('zone-2', 'backend-2', 'backend', await freePort(), await app('zone-2', 'backend-2', 'backend')))(),
      (async () => sidecar('zone-1', 'nacker', 'nacker', nackPort, await freePort(), false))(),
    ]);
    page = await browser.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    blocker?.close();
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    for (const cp of [global, ...Object.values(zones)]) if (cp) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
    removeDir(home);
  });

  it('loads in at most 300 KB gzipped, as measured in chromium, and shows the counts', async () => {
    const bytes = await measuredLoad(page, gui(global));
    console.log(JSON.stringify({ guiInitialLoadBytes: bytes }));
    expect(bytes).toBeGreaterThan(1000);
    expect(bytes).toBeLessThanOrEqual(300 * 1024);
    await eventually(async () => expect(await page.locator('[data-card="Zones online"] .value').textContent()).toBe('2 / 2'), REFRESH_WINDOW_MS, 200);
    await expect.poll(() => page.locator('[data-card="Meshes"] .value').textContent()).toBe('1');
    expect(await page.locator('[data-testid="cp-mode"]').textContent()).toMatch(/^global CP \d/);
    await shot(page, 'overview');
    expect(await axeSerious(page)).toEqual([]);
  });

  it('lists both zones Online with their CP version and per-type KDS counters', async () => {
    await page.goto(gui(global, 'zones'));
    for (const z of ['zone-1', 'zone-2']) await expect.poll(() => row(z).locator('[data-status]').textContent(), { timeout: REFRESH_WINDOW_MS }).toBe('Online');
    expect(await row('zone-1').locator('td').nth(3).textContent()).toMatch(/^\d+\.\d+\.\d+/);
    await shot(page, 'zones');
    expect(await axeSerious(page)).toEqual([]);
    await row('zone-1').locator('a').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Zone zone-1');
    await expect.poll(() => page.locator('article.sub table tbody tr').count()).toBeGreaterThan(1);
    expect(await page.locator('article.sub').first().textContent()).toContain('Dataplane');
    await shot(page, 'zone');
  });

  it("shows an ingress's address, advertised address and available services with instances and zones", async () => {
    await page.goto(gui(global, 'zone-ingresses'));
    await expect.poll(() => row('zi-1').locator('[data-status]').textContent(), { timeout: REFRESH_WINDOW_MS }).toBe('Online');
    await row('zi-1').locator('a').click();
    const svc = page.locator('tr[data-service="backend"]');
    await expect.poll(() => svc.count(), { timeout: 15_000 }).toBe(1);
    expect(await svc.locator('td').nth(2).textContent()).toBe('1');
    expect(await svc.locator('td').nth(3).textContent()).toBe('zone-1');
    expect(await page.locator('.fields').textContent()).toMatch(/Advertised address127\.0\.0\.1:\d+/);
    await shot(page, 'zone-ingress');
    expect(await axeSerious(page)).toEqual([]);
  });

  it('lists a zone egress with its zone and status', async () => {
    await page.goto(gui(global, 'zone-egresses'));
    await expect.poll(() => row('ze-1').locator('[data-status]').textContent(), { timeout: REFRESH_WINDOW_MS }).toBe('Online');
    expect(await row('ze-1').locator('td').nth(1).textContent()).toBe('zone-1');
    await row('ze-1').locator('a').click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^Zone Egress ze-1-/);
    expect(await axeSerious(page)).toEqual([]);
  });

  it("shows the zones' proxies Online on the global (insights cross KDS), filtered server-side, with a reloadable deep link", async () => {
    await page.goto(gui(global, 'meshes/default/dataplanes'));
    for (const n of ['backend-1', 'backend-2']) await expect.poll(() => row(n).locator('[data-status]').textContent(), { timeout: 20_000 }).toBe('Online');
    expect(await row('backend-1').locator('td').nth(2).textContent()).toBe('zone-1');
    expect(await row('backend-1').locator('td').nth(4).textContent()).toMatch(/^20\d\d-/);
    await page.getByLabel('Zone').fill('zone-2');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('tbody tr[data-row]').count()).toBe(1);
    expect(page.url()).toContain('zone=zone-2');
    await page.reload();
    await expect.poll(() => page.locator('tbody tr[data-row]').count()).toBe(1);
    await shot(page, 'dataplanes');
    expect(await axeSerious(page)).toEqual([]);
    await row('backend-2').locator('a').click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/^Proxy backend-2-/);
    const detailUrl = page.url();
    await page.goto('about:blank');
    await page.goto(detailUrl);
    await expect.poll(() => page.locator('.fields [data-status]').textContent()).toBe('Online');
    expect(await page.locator('tr[data-xds="lds"] td').nth(2).textContent()).not.toBe('0');
  });

  it("shows a NACKing proxy's error text (Envoy's own words) on its zone, and the NACK count on the global", async () => {
    await page.goto(gui(zones['zone-1']!, 'meshes/default/dataplanes/nacker'));
    const nack = page.locator('tr[data-xds="lds"] code.nack');
    await expect.poll(() => nack.count(), { timeout: 30_000 }).toBe(1);
    expect(await nack.textContent()).toMatch(new RegExp(`127\\.0\\.0\\.1:${nackPort}.*(in use|cannot bind)`, 'i'));
    await shot(page, 'dataplane-nack');
    expect(await axeSerious(page)).toEqual([]);
    await page.getByRole('button', { name: 'Show Envoy config' }).click();
    await expect.poll(() => page.locator('[data-inspect="xds"]').textContent(), { timeout: 15_000 }).toContain('configs');
    await page.goto(gui(global, 'meshes/default/dataplanes?name=nacker'));
    await row('nacker').locator('a').click();
    await expect.poll(() => page.locator('tr[data-xds="lds"] td').nth(3).textContent(), { timeout: 20_000 }).not.toBe('0');
  });

  it('shows a policy applied by kumactl, with its YAML, and the mesh with its mTLS backend and default policies', async () => {
    const kh = await kumactlHome(global);
    const yaml = `type: MeshTimeout
mesh: default
name: gui-timeout
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: Mesh }
    default: { connectionTimeout: 7s }
`;
    const r = await runKuma(['apply', '-f', '-'], { home: kh, input: yaml });
    expect(r.code, r.stderr).toBe(0);
    await page.goto(gui(global, 'meshes/default/policies/meshtimeouts'));
    await expect.poll(() => row('gui-timeout').count(), { timeout: REFRESH_WINDOW_MS }).toBe(1);
    await row('gui-timeout').locator('a').click();
    await expect.poll(() => page.locator('[data-yaml]').textContent()).toContain('connectionTimeout: 7s');
    // The proxies it affects, where the CP answers Kuma's _resources/dataplanes (the policy inspection routes); nothing otherwise.
    const affected = await api(global, 'GET', '/meshes/default/meshtimeouts/gui-timeout/_resources/dataplanes?size=100');
    if (affected.status === 200) {
      expect(affected.json.total).toBeGreaterThan(0);
      await expect.poll(() => page.locator('tr[data-affected]').count()).toBe(affected.json.items.length);
      await expect.poll(() => page.locator(`tr[data-affected="${affected.json.items[0].name}"] a`).getAttribute('href')).toBe(`#/meshes/default/dataplanes/${affected.json.items[0].name}`);
    } else {
      expect(await page.locator('tr[data-affected]').count()).toBe(0);
      expect(await page.locator('caption', { hasText: 'Affected proxies' }).count()).toBe(0);
    }
    await shot(page, 'policy');
    expect(await axeSerious(page)).toEqual([]);
    await page.goto(gui(global, 'meshes/default'));
    await expect.poll(() => page.locator('.fields').textContent()).toContain('ca-1 (builtin)');
    for (const n of ['mesh-timeout-all-default', 'mesh-circuit-breaker-all-default', 'mesh-retry-all-default']) await expect.poll(() => row(n).count()).toBe(1);
    await page.goto(gui(global, 'meshes/default/services'));
    await expect.poll(() => row('backend').locator('td').nth(3).textContent(), { timeout: 20_000 }).toBe('zone-1, zone-2');
    removeDir(kh);
  });

  it('works on a phone-sized screen and by keyboard', async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 667 } });
    await phone.goto(gui(global, 'zones'));
    await expect.poll(() => phone.locator('tr[data-row="zone-1"]').count()).toBe(1);
    // Nothing wider than the screen: wide tables scroll inside their own box.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await shot(phone, 'zones-phone');
    // Keyboard: tab to the main navigation's Meshes link and follow it with Enter.
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      await phone.keyboard.press('Tab');
      found = (await phone.evaluate(() => document.activeElement?.textContent)) === 'Meshes';
    }
    expect(found).toBe(true);
    await phone.keyboard.press('Enter');
    await expect.poll(() => phone.locator('h1').textContent()).toBe('Meshes');
    expect(phone.url()).toMatch(/#\/meshes$/);
    expect(await axeSerious(phone)).toEqual([]);
    await phone.close();
  });

  it('shows a killed zone Offline within the refresh period, and its proxies with it', async () => {
    await page.goto(gui(global, 'zones'));
    await expect.poll(() => row('zone-2').locator('[data-status]').textContent()).toBe('Online');
    await zones['zone-2']!.kill9();
    await expect.poll(() => row('zone-2').locator('[data-status]').textContent(), { timeout: REFRESH_WINDOW_MS }).toBe('Offline');
    await shot(page, 'zone-offline');
    await page.goto(gui(global, 'meshes/default/dataplanes'));
    await expect.poll(() => row('backend-2').locator('[data-status]').textContent(), { timeout: REFRESH_WINDOW_MS }).toBe('Offline');
    expect(await row('backend-1').locator('[data-status]').textContent()).toBe('Online');
    await page.goto(gui(global, 'zone-ingresses?status=offline'));
    await expect.poll(() => row('zi-2').locator('[data-status]').textContent(), { timeout: REFRESH_WINDOW_MS }).toBe('Offline');
    expect(await row('zi-1').count()).toBe(0);
  });
});
