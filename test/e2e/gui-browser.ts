/**
 * Real chromium for the web UI tests: Debian's package (scripts/install-chromium.sh,
 * from `make deps`) driven by playwright-core. No chromium => the test fails.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { ROOT } from './harness';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

export function chromiumBinary(): string {
  const bin = process.env.KUMA_CHROMIUM ?? CANDIDATES.find((c) => existsSync(c));
  if (!bin || !existsSync(bin)) throw new Error(`chromium not found (looked at ${CANDIDATES.join(', ')}); run "make deps" (scripts/install-chromium.sh) or set KUMA_CHROMIUM`);
  return bin;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumBinary(), args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

export const SHOTS_DIR = join(ROOT, '.gui-shots');

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SHOTS_DIR, `${name}.png`), fullPage: true });
}

/**
 * Loads `url` in a fresh page and returns the bytes chromium received for it
 * (headers and bodies as transferred, gzip included) until the network is idle.
 */
export async function measuredLoad(page: Page, url: string): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => (bytes += e.encodedDataLength));
  await page.goto(url, { waitUntil: 'networkidle' });
  await cdp.detach();
  return bytes;
}

const axeSource = readFileSync(createRequire(__filename).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the current page (ids and the elements). */
export async function axeSerious(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
