import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // e2e suites spawn control planes on fixed-free ports; files run in parallel, tests inside a file serially.
    fileParallelism: true,
    pool: 'forks',
    // clipanion's ESM build imports a directory (./platform), which Node's ESM loader refuses; let Vite resolve it.
    server: { deps: { inline: ['clipanion'] } },
  },
});
