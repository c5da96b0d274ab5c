#!/usr/bin/env node
// `node bench/identity-cert.mjs [--n 500]`: CPU and wall milliseconds per workload identity
// certificate (internal/ca/identity-cert.ts: key generation, encoding, signing by the mesh CA),
// for an ECDSA P-256 mesh CA and an RSA 2048 one, after a warm-up. Prints JSON, asserts nothing.
// The TypeScript entry is bundled with esbuild into a temp dir and run with plain node.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const { values: args } = parseArgs({ options: { n: { type: 'string', default: '500' } } });
const tmp = mkdtempSync(join(tmpdir(), 'kuma-bench-cert-'));
try {
  const outfile = join(tmp, 'entry.cjs');
  await esbuild.build({ entryPoints: [join(import.meta.dirname, 'identity-cert-entry.ts')], bundle: true, platform: 'node', target: 'node20', format: 'esm', outfile: outfile.replace(/cjs$/, 'mjs'), logLevel: 'warning' });
  const out = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [outfile.replace(/cjs$/, 'mjs')], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CERTS: args.n } });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`identity cert bench exited with ${code}`))));
  });
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
