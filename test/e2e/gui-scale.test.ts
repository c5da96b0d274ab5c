/**
 * The web UI's lists with 10,000 data plane proxies in the store: paging and
 * filters run on the server (the browser only ever receives one page), and
 * every list state is a URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Response } from 'playwright-core';
import { api, removeDir, startCp, type ControlPlane } from './harness';
import { launchChromium, shot } from './gui-browser';

const N = 10_000;
const pad = (i: number) => String(i).padStart(5, '0');

describe('web UI lists with 10,000 proxies', () => {
  let cp: ControlPlane;
  let browser: Browser;
  let page: Page;
  const listResponses: { url: string; items: number; total: number }[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < N; i = next++) {
        const dp = { type: 'Dataplane', mesh: 'default', name: `dp-${pad(i)}`, networking: { address: '10.0.0.1', inbound: [{ port: 1000 + (i % 50000), tags: { 'kuma.io/service': `svc-${i % 100}` } }] } };
        const r = await api(cp, 'PUT', `/meshes/default/dataplanes/dp-${pad(i)}`, dp);
        if (r.status !== 201) throw new Error(`dp-${pad(i)}: ${r.status} ${r.text}`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    page = await browser.newPage();
    page.on('response', (r: Response) => {
      if (!r.url().includes('/dataplanes/_overview')) return;
      void r.json().then((j: { items: unknown[]; total: number }) => listResponses.push({ url: r.url(), items: j.items.length, total: j.total }), () => undefined);
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (cp) {
      await cp.kill9();
      removeDir(cp.workDir);
    }
  });

  const info = () => page.locator('[data-testid="page-info"]').textContent();
  const firstRow = () => page.locator('tbody tr[data-row]').first().getAttribute('data-row');

  it('pages on the server: one page of 50 reaches the browser, Next moves the URL', async () => {
    await page.goto(`${cp.apiUrl}/gui/#/meshes/default/dataplanes`);
    await expect.poll(info, { timeout: 15_000 }).toBe(`Page 1 of ${N / 50} (${N} total)`);
    expect(await page.locator('tbody tr[data-row]').count()).toBe(50);
    await shot(page, 'dataplanes-10k');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(firstRow).toBe('dp-00050');
    expect(page.url()).toContain('offset=50');
    expect(listResponses.length).toBeGreaterThan(0);
    for (const r of listResponses) expect(r.items).toBeLessThanOrEqual(50);
  });

  it('filters by tag, name and status on the server, each a deep link', async () => {
    await page.goto(`${cp.apiUrl}/gui/#/meshes/default/dataplanes?tag=kuma.io/service:svc-42`);
    await expect.poll(info).toBe('Page 1 of 2 (100 total)');
    expect(await firstRow()).toBe('dp-00042');
    await page.getByLabel('Tag').fill('');
    await page.getByLabel('Name').fill('dp-0999');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(info).toBe('Page 1 of 1 (10 total)');
    expect(page.url()).toContain('name=dp-0999');
    await page.goto(`${cp.apiUrl}/gui/#/meshes/default/dataplanes?status=online`);
    await expect.poll(info).toBe('Page 1 of 1 (0 total)');
    await page.getByLabel('Status').selectOption('offline');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(info).toBe(`Page 1 of ${N / 50} (${N} total)`);
    await expect.poll(() => listResponses.some((r) => r.url.includes('status=offline') && r.total === N && r.items === 50)).toBe(true);
  });
});
