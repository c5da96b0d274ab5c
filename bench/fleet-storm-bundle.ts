// Bundles bench/fleet-storm-client.ts so plain node forks it (no TypeScript loader): for the e2e
// test; bench/fleet.mjs bundles it the same way.
import { join } from 'node:path';
import * as esbuild from 'esbuild';

export async function bundleStormClient(outDir: string): Promise<string> {
  const outfile = join(outDir, 'fleet-storm-client.cjs');
  await esbuild.build({ entryPoints: [join(__dirname, 'fleet-storm-client.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'warning' });
  return outfile;
}
