/**
 * Loads a native addon (.node) in both worlds: inside the single executable
 * the addon is a SEA asset that we write once to a content-addressed cache
 * file and dlopen (a SEA's require() only loads built-ins); from sources or
 * the plain bundle it is dlopened from beside the bundle or from node_modules.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants, homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

function seaModule(): { isSea(): boolean; getAsset(name: string): ArrayBuffer } | null {
  try {
    // node:sea exists from Node 20.12; createRequire keeps esbuild from resolving it.
    const sea = createRequire(__filename)('node:sea');
    return sea.isSea() ? sea : null;
  } catch {
    return null;
  }
}

/** Where extracted addons live; KUMA_NATIVE_CACHE overrides (it must not be mounted noexec). */
export function nativeCacheDir(): string {
  if (process.env.KUMA_NATIVE_CACHE) return process.env.KUMA_NATIVE_CACHE;
  const base = process.env.XDG_CACHE_HOME ?? (process.env.HOME ? join(homedir(), '.cache') : tmpdir());
  return join(base, 'kuma', 'native');
}

export function loadNative(name: string, fallbackPaths: string[] = []): unknown {
  const sea = seaModule();
  let file: string | undefined;
  if (sea) {
    const buf = Buffer.from(sea.getAsset(`${name}.node`));
    const hash = createHash('sha256').update(buf).digest('hex').slice(0, 16);
    const dir = nativeCacheDir();
    file = join(dir, `${name}-${process.versions.modules}-${hash}.node`);
    if (!existsSync(file)) {
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, buf, { mode: 0o755 });
        renameSync(tmp, file);
      } catch (e) {
        throw new Error(`cannot extract the ${name} native addon to ${dir} (${(e as Error).message}); set KUMA_NATIVE_CACHE to a writable, exec-allowed folder`);
      }
    }
  } else {
    const candidates = [join(dirname(__filename), `${name}.node`), ...fallbackPaths];
    file = candidates.find((c) => existsSync(c));
    if (!file) throw new Error(`native addon ${name}.node not found in ${candidates.join(', ')}; run "npm run build"`);
  }
  const mod = { exports: {} as unknown };
  process.dlopen(mod, file, constants.dlopen.RTLD_NOW);
  return mod.exports;
}
