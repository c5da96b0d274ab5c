/**
 * The web UI's built files (gui/, built by scripts/build-gui.mjs). Inside the
 * single executable they are SEA assets named `gui/<path>`, listed by the
 * asset `gui/files.json`; from sources or the plain bundle they are read from
 * `dist/gui` beside the bundle or `gui/dist` in the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

export type GuiFiles = Map<string, Buffer>;

function seaModule(): { isSea(): boolean; getAsset(name: string): ArrayBuffer } | null {
  try {
    const sea = createRequire(__filename)('node:sea');
    return sea.isSea() ? sea : null;
  } catch {
    return null;
  }
}

function walk(dir: string, root: string, out: GuiFiles): void {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, root, out);
    else out.set(relative(root, p).split('\\').join('/'), readFileSync(p));
  }
}

/** Every file of the built UI by its path under the UI root (`index.html`, `assets/x.js`); empty when it was not built. */
export function loadGuiFiles(): GuiFiles {
  const files: GuiFiles = new Map();
  const sea = seaModule();
  if (sea) {
    let names: string[] = [];
    try {
      names = JSON.parse(Buffer.from(sea.getAsset('gui/files.json')).toString('utf8')) as string[];
    } catch {
      return files;
    }
    for (const n of names) files.set(n, Buffer.from(sea.getAsset(`gui/${n}`)));
    return files;
  }
  const here = dirname(__filename);
  const dir = [join(here, 'gui'), join(here, '../../gui/dist')].find((d) => existsSync(join(d, 'index.html')));
  if (dir) walk(dir, dir, files);
  return files;
}
