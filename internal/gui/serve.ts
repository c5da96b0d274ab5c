/**
 * Serves the web UI at /gui and /gui/*: a file of the build when the path
 * names one, otherwise index.html (the UI routes in the browser, so a deep
 * link reloads). Files are gzipped once, on first use. It runs before API
 * routing and authentication: the files are public, the data the UI shows
 * comes from the REST API with the browser's credentials.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { type GuiFiles, loadGuiFiles } from './assets';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  json: 'application/json',
  ico: 'image/x-icon',
  png: 'image/png',
};

export function isGuiPath(path: string): boolean {
  return path === '/gui' || path.startsWith('/gui/') || path.startsWith('/gui?');
}

export function guiHandler(load: () => GuiFiles = loadGuiFiles): (req: IncomingMessage, res: ServerResponse, path: string) => void {
  let files: GuiFiles | undefined;
  const gz = new Map<string, Buffer>();
  return (req, res, path) => {
    files ??= load();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      return void res.end('the web UI is read with GET\n');
    }
    const rel = path.replace(/[?#].*$/, '').replace(/^\/gui\/?/, '');
    let name = rel && files.has(rel) ? rel : 'index.html';
    // A missing asset is a 404 (a stale tab after an upgrade), not the page.
    if (rel.startsWith('assets/') && !files.has(rel)) name = '';
    const body = name ? files.get(name) : undefined;
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end(files.size ? `no such file in the web UI: ${rel}\n` : 'the web UI is not in this build (run npm run build)\n');
    }
    const ext = name.slice(name.lastIndexOf('.') + 1);
    const headers: Record<string, string> = {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      // Hashed asset names never change content; index.html must be re-read to find new ones.
      'cache-control': name.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'accept-encoding',
    };
    let out = body;
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && ext !== 'png') {
      let z = gz.get(name);
      if (!z) gz.set(name, (z = gzipSync(body, { level: 9 })));
      out = z;
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(out.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : out);
  };
}
