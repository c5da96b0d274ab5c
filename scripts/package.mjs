#!/usr/bin/env node
/**
 * `npm run package [-- --out DIR]`: the release tarball of the built binary.
 *
 *   <out>/kuma-<version>-<os>-<arch>.tar.gz         kuma-<version>/{bin/kuma, bin/kumactl -> kuma,
 *                                                    LICENSE, README.md, completions/kuma.{bash,zsh,fish}}
 *   <out>/kuma-<version>-<os>-<arch>.tar.gz.sha256  "<hex>  <file>" (sha256sum -c reads it)
 *
 * Packages dist/kuma as it is (run `npm run build` first; it builds only when
 * dist/kuma is missing, so packaging never rewrites a binary tests are running).
 * Completions come from the binary itself (`kuma completion SHELL`). Both files
 * are written under temporary names and renamed, so a reader never sees half a tarball.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = resolve(outIdx >= 0 ? args[outIdx + 1] ?? '' : join(root, 'dist'));
if (outIdx >= 0 && !args[outIdx + 1]) fail('--out needs a directory');

const binary = join(root, 'dist', 'kuma');
if (!existsSync(binary)) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const reported = execFileSync(binary, ['version'], { encoding: 'utf8' }).trim();
if (!reported.includes(version)) fail(`dist/kuma says "${reported}", package.json says ${version}: rebuild with npm run build`);

const osName = { linux: 'linux', darwin: 'darwin' }[process.platform] ?? process.platform;
const arch = { x64: 'x64', arm64: 'arm64' }[process.arch] ?? process.arch;
const name = `kuma-${version}-${osName}-${arch}`;
const top = `kuma-${version}`;

mkdirSync(out, { recursive: true });
const stage = mkdtempSync(join(out, '.package-'));
try {
  const dir = join(stage, top);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'completions'));
  copyFileSync(binary, join(dir, 'bin', 'kuma'));
  execFileSync('chmod', ['0755', join(dir, 'bin', 'kuma')]);
  // Called as kumactl, the binary behaves as kumactl (cmd/kuma/main.ts).
  symlinkSync('kuma', join(dir, 'bin', 'kumactl'));
  for (const f of ['LICENSE', 'README.md']) copyFileSync(join(root, f), join(dir, f));
  for (const shell of ['bash', 'zsh', 'fish']) {
    writeFileSync(join(dir, 'completions', `kuma.${shell}`), execFileSync(binary, ['completion', shell], { encoding: 'utf8', env: { ...process.env, HOME: stage } }));
  }
  const tmpTar = join(stage, `${name}.tar.gz`);
  // Reproducible: sorted names, fixed owner and time, no gzip timestamp.
  execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', stage, '-cf', join(stage, `${name}.tar`), top]);
  execFileSync('gzip', ['-n', '-6', join(stage, `${name}.tar`)]);
  const sha = createHash('sha256').update(readFileSync(tmpTar)).digest('hex');
  writeFileSync(join(stage, `${name}.tar.gz.sha256`), `${sha}  ${name}.tar.gz\n`);
  renameSync(tmpTar, join(out, `${name}.tar.gz`));
  renameSync(join(stage, `${name}.tar.gz.sha256`), join(out, `${name}.tar.gz.sha256`));
  console.log(JSON.stringify({ tarball: join(out, `${name}.tar.gz`), sha256: sha }));
} finally {
  rmSync(stage, { recursive: true, force: true });
}

function fail(msg) {
  console.error(`package: ${msg}`);
  process.exit(1);
}
