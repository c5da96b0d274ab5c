#!/usr/bin/env node
// Builds the web UI (gui/) with Vite into gui/dist. scripts/build.mjs calls
// buildGui() and embeds the result as SEA assets (internal/gui/assets.ts).
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const guiRoot = join(root, 'gui');
export const guiOut = join(guiRoot, 'dist');

/** Every built file as its path under gui/dist. */
export function guiFiles(dir = guiOut, out = []) {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) guiFiles(p, out);
    else out.push(relative(guiOut, p).split('\\').join('/'));
  }
  return out;
}

export async function buildGui() {
  const { build } = await import('vite');
  const { default: preact } = await import('@preact/preset-vite');
  await build({
    root: guiRoot,
    base: '/gui/',
    configFile: false,
    logLevel: 'warn',
    plugins: [preact({ prefreshEnabled: false, devToolsEnabled: false })],
    build: { outDir: guiOut, emptyOutDir: true, target: 'es2020', reportCompressedSize: false, modulePreload: { polyfill: false } },
  });
  return guiFiles();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = await buildGui();
  console.log(`built gui/dist (${files.length} files)`);
}
