import { defineConfig } from 'vitest/config';

// Only for test/unit/test-summary.test.ts: files that fail on purpose, outside the main include.
export default defineConfig({ test: { root: import.meta.dirname, include: ['*.fixture.ts'] } });
