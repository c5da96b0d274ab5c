#!/usr/bin/env node
// Builds dist/kuma: one esbuild CJS bundle, a SEA blob (with LevelDB's native
// addon as an asset) injected into a copy of this node binary. See
// ../shared/spec/toolchain.md §1-§2 for why each step is there.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { buildGui, guiOut } from './build-gui.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const t0 = Date.now();

function git(args, fallback) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || fallback;
  } catch {
    return fallback;
  }
}

mkdirSync(dist, { recursive: true });
const addonSrc = join(root, 'node_modules/classic-level/prebuilds/linux-x64/classic-level.node');
if (!existsSync(addonSrc)) throw new Error(`missing ${addonSrc}: run npm ci first`);
copyFileSync(addonSrc, join(dist, 'classic-level.node'));

// The web UI travels as SEA assets `gui/<file>` listed by `gui/files.json` (internal/gui/assets.ts).
const guiFileNames = await buildGui();
const guiAssets = { 'gui/files.json': join(dist, 'gui-files.json') };
writeFileSync(guiAssets['gui/files.json'], JSON.stringify(guiFileNames));
for (const f of guiFileNames) guiAssets[`gui/${f}`] = join(guiOut, f);
rmSync(join(dist, 'gui'), { recursive: true, force: true });
cpSync(guiOut, join(dist, 'gui'), { recursive: true });

// classic-level's binding.js asks node-gyp-build to find the addon on disk; in a SEA
// nothing is on disk, so it is swapped for our loader (internal/native/load-native.ts).
const nativeAddonPlugin = {
  name: 'native-addon',
  setup(b) {
    b.onLoad({ filter: /[\\/]classic-level[\\/]binding\.js$/ }, () => ({
      loader: 'js',
      contents: `module.exports = require(${JSON.stringify(join(root, 'internal/native/load-native.ts'))}).loadNative("classic-level");`,
    }));
  },
};

await esbuild.build({
  entryPoints: [join(root, 'cmd/kuma/main.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: join(dist, 'kuma.cjs'),
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [nativeAddonPlugin],
  // pg's optional native binding; we use the pure-JS client, so the require stays unresolved.
  external: ['pg-native'],
  define: {
    __KUMA_VERSION__: JSON.stringify(pkg.version),
    __KUMA_GIT_COMMIT__: JSON.stringify(git(['rev-parse', '--short=12', 'HEAD'], 'unknown')),
    __KUMA_GIT_TAG__: JSON.stringify(git(['describe', '--tags', '--always'], 'unknown')),
    __KUMA_BUILD_DATE__: JSON.stringify(new Date().toISOString().replace(/\.\d+Z$/, 'Z')),
  },
});

const seaConfig = join(dist, 'sea-config.json');
writeFileSync(
  seaConfig,
  JSON.stringify({
    main: join(dist, 'kuma.cjs'),
    output: join(dist, 'sea-prep.blob'),
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    assets: { 'classic-level.node': join(dist, 'classic-level.node'), ...guiAssets },
  }),
);
// The blob's code cache is tied to the exact node that made it: use the same binary for both.
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });
const out = join(dist, 'kuma');
rmSync(out, { force: true });
copyFileSync(process.execPath, out);
chmodSync(out, 0o755);
try {
  execFileSync('strip', [out], { stdio: 'ignore' });
} catch {
  // strip is optional: the binary is ~12 MB larger without it.
}
execFileSync(
  process.execPath,
  [join(root, 'node_modules/postject/dist/cli.js'), out, 'NODE_SEA_BLOB', join(dist, 'sea-prep.blob'), '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
rmSync(join(dist, 'kumactl'), { force: true });
symlinkSync('kuma', join(dist, 'kumactl'));
console.log(`built ${out} in ${Date.now() - t0} ms`);
